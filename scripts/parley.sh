#!/usr/bin/env bash
# `npm run parley -- <command>`: the admin CLI (apps, certificates, tokens). Builds it on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
[ -f dist/apps/cli/main.js ] || npx nx run cli:build --output-style=static >&2
exec node dist/apps/cli/main.js "$@"
