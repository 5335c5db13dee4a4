#!/usr/bin/env bash
# Prints the directory holding a Node 24 binary, installing it first when needed.
# The machine's node may be older than the Node 24 LTS the project targets; the npm
# registry's `node` package ships the real binary, so we install it into .tools/ and
# put it first on PATH for every Makefile target.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want_major=24
version="${NODE_VERSION:-24.21.0}"
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$want_major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
dir="$root/.tools/node"
bin="$dir/node_modules/node/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node')" != "$version" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node@$version" >&2
fi
echo "$bin"
