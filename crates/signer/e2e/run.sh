#!/usr/bin/env bash
# Browser end-to-end test of tessera-signer: builds the signer and the test PKI, puts a test
# citizen's key and certificate on a private SoftHSM2 token, then drives Debian's Chromium
# with Playwright (playwright-core, never a downloaded browser) from a page on another
# loopback origin. Needs node >= 20, npm, chromium, softhsm2, opensc, openssl
# (scripts/install-test-deps.sh). Fails loudly when a tool is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

CHROMIUM="${TESSERA_E2E_CHROMIUM:-/usr/bin/chromium}"
MODULE="${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
[ -x "$CHROMIUM" ] || { echo "signer e2e: $CHROMIUM not found (apt-get install chromium)" >&2; exit 1; }
[ -f "$MODULE" ] || { echo "signer e2e: $MODULE not found (apt-get install softhsm2)" >&2; exit 1; }
for tool in node npm openssl softhsm2-util pkcs11-tool; do
  command -v "$tool" >/dev/null || { echo "signer e2e: $tool not found (scripts/install-test-deps.sh)" >&2; exit 1; }
done

echo "== signer e2e: cargo build -p tessera-signer, test PKI builder"
cargo build -q -p tessera-signer
cargo build -q -p tessera-pki --example pki
target="${CARGO_TARGET_DIR:-target}"
export SIGNER_BIN="$root/$target/debug/tessera-signer"
[ -x "$SIGNER_BIN" ] || SIGNER_BIN="$target/debug/tessera-signer"

work="$(mktemp -d -t tessera-signer-e2e.XXXXXX)"
trap 'rm -rf "$work"' EXIT INT TERM
"$target/debug/examples/pki" init-test --out "$work/pki" >/dev/null

entity=citizen-wang
read -r cert key ca root_cert < <(node -e '
  const m = require(process.argv[1]);
  const e = m.entities.find((x) => x.id === process.argv[2]);
  const ca = m.cas.find((c) => c.name === e.ca);
  console.log(e.cert, e.key, ca.cert, m.root.cert);
' "$work/pki/manifest.json" "$entity")
cat "$work/pki/$root_cert" "$work/pki/$ca" > "$work/ca-bundle.pem"

export SOFTHSM2_CONF="$work/softhsm2.conf"
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$SOFTHSM2_CONF"
pin=123456
softhsm2-util --init-token --free --label e2e-card --so-pin 87654321 --pin "$pin" >/dev/null
openssl pkey -in "$work/pki/$key" -outform DER -out "$work/key.der"
openssl x509 -in "$work/pki/$cert" -outform DER -out "$work/cert.der"
p11=(pkcs11-tool --module "$MODULE" --token-label e2e-card --login --pin "$pin")
"${p11[@]}" --write-object "$work/key.der" --type privkey --id 01 --label "$entity" --usage-sign >/dev/null
"${p11[@]}" --write-object "$work/cert.der" --type cert --id 01 --label "$entity" >/dev/null

echo "== signer e2e: npm ci"
(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

echo "== signer e2e: playwright"
export CA_BUNDLE="$work/ca-bundle.pem" TOKEN_PIN="$pin" PKCS11_MODULE="$MODULE" TESSERA_E2E_CHROMIUM="$CHROMIUM"
cd "$here"
node --test --test-concurrency=1 signer.test.mjs
