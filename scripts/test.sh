#!/usr/bin/env bash
# Runs every Tessera test: formatting, lints, unit and integration tests on SQLite and
# PostgreSQL, then the browser end-to-end tests. Installs what the tests need (root, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
export TESSERA_TEST_PG_URL="${TESSERA_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

bash scripts/install-test-deps.sh

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace 2>&1 | tee target/cargo-test.log
