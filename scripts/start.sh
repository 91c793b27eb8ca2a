#!/usr/bin/env bash
# npm start: the whole Parley stack on localhost (see tools/start/start.mjs, or: npm start -- --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
exec node tools/start/start.mjs "$@"
