#!/usr/bin/env bash
# npm start: the whole Parley stack on localhost (see tools/start/start.mjs, or: npm start -- --help).
# Both package.json ("exec bash scripts/start.sh") and this script exec: npm's child is the launcher
# itself, so the SIGTERM npm forwards reaches it (a shell in between would die and leave it running).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
exec node tools/start/start.mjs "$@"
