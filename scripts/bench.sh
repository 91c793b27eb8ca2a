#!/usr/bin/env bash
# npm run bench -- <mode> [--pairs N --inflight N --seconds N --bytes N]: builds the apps, starts two
# gateways and the services on this machine's NATS and Postgres, drives them through the SDK, prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/parley_bench}"
npx nx run-many -t build --projects=tag:type:app --output-style=static >/dev/null
DATABASE_URL="$TEST_DATABASE_URL" node tools/migrate/cli.mjs deploy >/dev/null
SWC_NODE_PROJECT=bench/tsconfig.json exec node -r @swc-node/register bench/run.ts "$@"
