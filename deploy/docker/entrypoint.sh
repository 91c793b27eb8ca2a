#!/bin/sh
# Image entrypoint: the first argument (or $APP) chooses what runs; node replaces this shell
# (exec), so SIGTERM reaches the app and its graceful shutdown (gateway drain) runs.
set -eu
cd "$(dirname "$0")/../.." # the image's /app
what="${1:-${APP:-gateway}}"
[ "$#" -gt 0 ] && shift
case "$what" in
  gateway | presence | channel | attributes | invitation | media | history | api | webhooks)
    # Node/V8 flags of the app (deploy/docker/node-flags.json), or PARLEY_NODE_FLAGS when set.
    flags="${PARLEY_NODE_FLAGS-$(node -e 'process.stdout.write((require("./deploy/docker/node-flags.json")[process.argv[1]] || []).join(" "))' "$what")}"
    # shellcheck disable=SC2086 # one word per flag
    exec node --enable-source-maps $flags "dist/apps/$what/main.js" "$@"
    ;;
  migrate)
    # tools/migrate: deploy (default), status, resolve … (see tools/migrate/README.md)
    [ "$#" -eq 0 ] && set -- deploy
    exec node tools/migrate/cli.mjs "$@"
    ;;
  parley | cli)
    exec node --enable-source-maps dist/apps/cli/main.js "$@"
    ;;
  *)
    exec "$what" "$@"
    ;;
esac
