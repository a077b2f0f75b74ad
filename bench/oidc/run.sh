#!/usr/bin/env bash
# Code→token exchanges per second: Tessera against panva oidc-provider, same machine, same
# run. Installs the npm baseline (pinned in package.json), then runs the release benchmark.
# Usage: bash bench/oidc/run.sh [CODES per server, default 10000] [CONCURRENCY, default 32]
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "bench: node not found" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error >/dev/null
cd ../..
exec cargo run --release -q -p tessera-bench-oidc -- "$@"
