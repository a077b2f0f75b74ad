#!/usr/bin/env bash
# API contract run: starts the `tessera` that scripts/e2e.sh built (target/debug/tessera;
# nothing is built here) on a free loopback port with a throw-away data directory, SQLite, a
# test PKI (so the certificate endpoints answer as configured, not 503) and the rate limits
# off, then runs schemathesis (pinned in scripts/schemathesis.env, installed by
# scripts/install-test-deps.sh) against /api/openapi.json with every check, a bounded number of
# cases per operation and a time budget (configuration: tests/schemathesis/schemathesis.toml).
# Operations that need a session are called without one (schemathesis sends made-up session
# cookies): they must answer the 401 the document declares. Every request carries the site's
# own Origin, so the CSRF guard lets it through to the operation. Prints `# pass N` /
# `# fail N` (one test per operation, one for the stateful phase) for scripts/test.sh and exits
# non-zero on any failure.
# Knobs: SCHEMATHESIS_MAX_TIME (seconds of generation, default 150), SCHEMATHESIS_EXAMPLES
# (cases per operation and phase, default 25), SCHEMATHESIS_SEED (default 20261207).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
source scripts/schemathesis.env

st="$SCHEMATHESIS_VENV/bin/st"
[ -x "$st" ] || { echo "schemathesis: $st missing (bash scripts/install-test-deps.sh)" >&2; exit 1; }
bin="${CARGO_TARGET_DIR:-target}/debug/tessera"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
[ -x "$bin" ] || { echo "schemathesis: $bin missing (scripts/e2e.sh builds it)" >&2; exit 1; }

max_time="${SCHEMATHESIS_MAX_TIME:-150}"
examples="${SCHEMATHESIS_EXAMPLES:-25}"
seed="${SCHEMATHESIS_SEED:-20261207}"

data="$(mktemp -d -t tessera-schemathesis.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:${port}"
log="$data/server.log"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${SCHEMATHESIS_KEEP_DATA:-}" = "1" ]; then echo "schemathesis: data kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT INT TERM

echo "== schemathesis: test PKI"
"$bin" pki init-test --out "$data/pki" >/dev/null
# The rate limits off (0): thousands of requests from one address would otherwise meet them,
# and the operations behind them would answer little but their (declared) 429. Account
# lockouts stay: no account exists to lock.
cat >"$data/tessera.toml" <<TOML
[pki]
trust_dir = "$data/pki/trust"

[cert]
challenges_per_minute_per_browser = 0
challenges_per_minute_per_ip = 0

[limits]
flow_starts_per_minute_per_browser = 0
flow_starts_per_minute_per_ip = 0
login_failures_per_browser = 0
login_failures_per_ip = 0
reset_requests_per_hour_per_browser = 0
reset_requests_per_hour_per_ip = 0
TOML

echo "== schemathesis: starting tessera on $base (data $data)"
"$bin" serve --config "$data/tessera.toml" --listen "127.0.0.1:${port}" --data-dir "$data/app" \
  --base-url "$base" >"$log" 2>&1 &
server_pid=$!
healthy() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base/healthz" 2>/dev/null; }
for _ in $(seq 1 150); do
  if healthy; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "schemathesis: tessera exited early:" >&2; cat "$log" >&2; exit 1
  fi
  sleep 0.2
done
healthy || { echo "schemathesis: /healthz never answered" >&2; cat "$log" >&2; exit 1; }

echo "== schemathesis $SCHEMATHESIS_VERSION: every check, $examples cases per operation, ${max_time}s"
status=0
# Run from the data directory: whatever schemathesis writes stays out of the work tree.
(cd "$data" && timeout --kill-after=10 "$((max_time + 90))" \
  "$st" --config-file "$root/tests/schemathesis/schemathesis.toml" run "$base/api/openapi.json" \
  --checks all --max-examples "$examples" --max-time "$max_time" --seed "$seed" \
  --workers 2 --no-color --request-timeout 20 --header "Origin: $base" \
  --report junit --report-junit-path "$data/junit.xml") >"$data/run.txt" 2>&1 || status=$?
cat "$data/run.txt"

# Per JUnit test case (an operation, or the stateful phase): passed unless it reports a failure
# or an error.
counts="$(python3 - "$data/junit.xml" <<'PY' || echo "0 0 0"
import sys
import xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(passed, failed, passed + failed)
PY
)"
read -r passed failed total <<<"$counts"
generated="$(grep -Eo '[0-9]+ generated' "$data/run.txt" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)"
echo "schemathesis: $total tests (one per operation, one for the stateful phase), $generated cases generated, $failed tests failed"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # schemathesis failed without a failing operation (a crash, the time limit, the server).
  failed=1
fi
echo "# pass $passed"
echo "# fail $failed"
if [ "$status" -ne 0 ]; then
  echo "schemathesis: FAILED (exit $status); server log tail:" >&2
  tail -n 40 "$log" >&2 || true
fi
exit "$status"
