#!/usr/bin/env bash
# Runs every Tessera test: formatting, lints, unit and integration tests on SQLite and
# PostgreSQL, then the browser end-to-end tests and the API contract run (schemathesis against
# the OpenAPI document). Installs what the tests need (root, Debian) and fails loudly when
# something is missing; it never skips a test.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
export TESSERA_TEST_PG_URL="${TESSERA_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

bash scripts/install-test-deps.sh

# PostgreSQL is expected on 127.0.0.1:5432; start the local cluster if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
mkdir -p target
cargo test --workspace 2>&1 | tee target/cargo-test.log
rust_passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' target/cargo-test.log | awk '{s+=$4} END {print s+0}')
rust_failed=$(grep -Eo '[0-9]+ failed;' target/cargo-test.log | awk '{s+=$1} END {print s+0}')

echo "== browser end-to-end tests"
bash scripts/e2e.sh 2>&1 | tee target/e2e.log
bash crates/signer/e2e/run.sh 2>&1 | tee -a target/e2e.log
e2e_passed=$(grep -Eo '^# pass [0-9]+' target/e2e.log | awk '{s+=$3} END {print s+0}')
e2e_failed=$(grep -Eo '^# fail [0-9]+' target/e2e.log | awk '{s+=$3} END {print s+0}')

echo "== API contract tests (schemathesis against the OpenAPI document)"
bash scripts/schemathesis.sh 2>&1 | tee target/schemathesis.log
api_passed=$(grep -Eo '^# pass [0-9]+' target/schemathesis.log | awk '{s+=$3} END {print s+0}')
api_failed=$(grep -Eo '^# fail [0-9]+' target/schemathesis.log | awk '{s+=$3} END {print s+0}')

echo
echo "rust: $rust_passed passed, $rust_failed failed; browser: $e2e_passed passed, $e2e_failed failed; API contract: $api_passed passed, $api_failed failed"
echo "all: $((rust_passed + e2e_passed + api_passed)) passed, $((rust_failed + e2e_failed + api_failed)) failed"
