#!/usr/bin/env bash
# Installs the Debian packages the tests start as real parts: the OpenSSL CLI (independent CMS
# signer and OCSP responder), SoftHSM2 + OpenSC (a real PKCS#11 token), an SMTP sink, Chromium
# and CJK fonts for the browser tests; and schemathesis (PyPI, pinned, in a venv of its own) for
# the API contract run (scripts/schemathesis.sh). Idempotent; fails loudly when an install fails.
set -euo pipefail
want=(openssl python3-aiosmtpd softhsm2 opensc chromium fonts-noto-cjk poppler-utils python3-venv)
need=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# schemathesis: the version is part of the venv's path, so changing the pin installs afresh and
# an installed pin is left alone. scripts/schemathesis.sh reads the same file.
source "$(dirname "$0")/schemathesis.env"
if ! "$SCHEMATHESIS_VENV/bin/st" --version 2>/dev/null | grep -qF "version $SCHEMATHESIS_VERSION"; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
  rm -rf "$SCHEMATHESIS_VENV"
  /usr/bin/python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION"
  "$SCHEMATHESIS_VENV/bin/st" --version | grep -qF "version $SCHEMATHESIS_VERSION"
fi
