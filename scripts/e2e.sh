#!/usr/bin/env bash
# Browser end-to-end test of the member-account pages: builds `tessera`, starts it on a free
# local port with a throw-away data directory (SQLite + Maildir), then drives Debian's
# Chromium with Playwright (tests/e2e) at 375 px and 1280 px, with axe-core on every page.
# The signer self-check test (tests/e2e/signer.test.mjs) starts its own tessera and
# tessera-signer (built here too) on free ports; the upstream sign-in test
# (tests/e2e/upstream.test.mjs) starts its own tessera and oidc-provider (npm) on free ports;
# the OpenID Connect test (tests/e2e/oidc.test.mjs, panva openid-client as the relying party)
# starts its own tessera and callback server too.
# The certificate test (tests/e2e/cert.test.mjs) starts its own tessera trusting a test
# PKI, the real tessera-signer on SoftHSM2 cards and an `openssl ocsp` responder, on free ports
# (helpers in tests/e2e/cert-env.mjs; needs softhsm2, opensc, openssl). The organization test
# (tests/e2e/orgs.test.mjs) does the same with OCSP responders per CA and prepares the
# registry and a reviewer with `tessera admin`.
# The back-office test (tests/e2e/backoffice.test.mjs) starts its own tessera trusting a test PKI,
# with the registry and staff created by `tessera admin orgs import` / `tessera admin staff add`.
# Needs: node >= 20, npm, chromium, fonts-noto-cjk (scripts/install-test-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${TESSERA_E2E_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "e2e: $CHROMIUM not found (apt-get install chromium)" >&2; exit 1; }
command -v node >/dev/null || { echo "e2e: node not found" >&2; exit 1; }

echo "== e2e: cargo build -p tessera -p tessera-signer"
cargo build -q -p tessera -p tessera-signer
bin="${CARGO_TARGET_DIR:-target}/debug/tessera"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
export TESSERA_E2E_BIN="$bin" TESSERA_E2E_SIGNER_BIN="${bin%/tessera}/tessera-signer"

echo "== e2e: npm ci"
(cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

data="$(mktemp -d -t tessera-e2e.XXXXXX)"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:${port}"
log="$data/server.log"
server_pid=""
healthy() { node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$base/healthz"; }
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${E2E_KEEP_DATA:-}" = "1" ]; then echo "e2e: data kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT INT TERM

echo "== e2e: starting tessera on $base (data $data)"
"$bin" serve --listen "127.0.0.1:${port}" --data-dir "$data" >"$log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  if healthy; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: tessera exited early:" >&2; cat "$log" >&2; exit 1
  fi
  sleep 0.1
done
healthy || { echo "e2e: /healthz never answered" >&2; cat "$log" >&2; exit 1; }

echo "== e2e: node --test"
status=0
(cd tests/e2e && TESSERA_E2E_BASE="$base" TESSERA_E2E_DATA="$data" TESSERA_E2E_CHROMIUM="$CHROMIUM" \
  node --test --test-concurrency=1 --test-reporter=tap) || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: FAILED; server log tail:" >&2
  tail -n 40 "$log" >&2 || true
fi
exit "$status"
