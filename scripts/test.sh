#!/usr/bin/env bash
# The README's test command (npm test): check formatting, type-check and lint everything, build the apps, migrate the
# test database, run every project's jest suite against the machine's NATS, Postgres and S3 server,
# and end with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-}"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/parley_test}"
export DATABASE_URL="$TEST_DATABASE_URL"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"

step() { printf '\n== %s\n' "$*"; }

step "prepare: format check (prettier), typecheck, lint (eslint, gateway floors), build"
npx prettier --check . --log-level warn || { echo "prettier: run npm run format"; echo "0 passed, 1 failed"; exit 1; }
npx nx run-many -t typecheck lint build --output-style=static || { echo "0 passed, 1 failed"; exit 1; }

step "migrate the test database ($TEST_DATABASE_URL)"
node tools/migrate/cli.mjs deploy || { echo "0 passed, 1 failed"; exit 1; }

summary=$(mktemp)
export PARLEY_TEST_SUMMARY="$summary"
step "tests"
# One project at a time: the end-to-end suites start many processes on a 2-core machine.
npx nx run-many -t test test-int --parallel=1 --skip-nx-cache --output-style=static "$@"
rc=$?
node tools/jest/print-summary.cjs "$summary" "$rc"
