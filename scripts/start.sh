#!/bin/sh
# `npm start -- <args>`: runs the sysboy host from source.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
exec sh "$root/scripts/bun.sh" "$root/host/main.ts" "$@"
