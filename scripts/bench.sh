#!/usr/bin/env bash
# npm run bench -- <mode> [options] (modes and options: bench/run.ts, bench/README.md): builds the apps, starts
# two gateways and the services (or the baseline pipe, bench/baseline) on this machine's NATS and Postgres,
# drives them with lean wire clients or the SDK, prints figures. BENCH_SKIP_BUILD=1 uses dist/ as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/parley_bench}"
# Every socket is a file, in this process and in a gateway (which inherits the limit): idle --connections 50000 needs more than 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "${BENCH_SKIP_BUILD:-}" = 1 ] || npx nx run-many -t build --projects=tag:type:app --output-style=static >/dev/null
DATABASE_URL="$TEST_DATABASE_URL" node tools/migrate/cli.mjs deploy >/dev/null
SWC_NODE_PROJECT=bench/tsconfig.json exec node -r @swc-node/register bench/run.ts "$@"
