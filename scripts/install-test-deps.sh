#!/usr/bin/env bash
# Installs the Debian packages the tests start as real parts: the OpenSSL CLI (independent CMS
# signer and OCSP responder), SoftHSM2 + OpenSC (a real PKCS#11 token), an SMTP sink, Chromium
# and CJK fonts for the browser tests. Idempotent; fails loudly when an install fails.
set -euo pipefail
want=(openssl python3-aiosmtpd softhsm2 opensc chromium fonts-noto-cjk)
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
