#!/bin/sh
# Runs the project's own Bun (an npm devDependency), installing npm dependencies first when they are missing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$root/node_modules/.bin/bun" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "sysboy: installing npm dependencies (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec "$root/node_modules/.bin/bun" "$@"
