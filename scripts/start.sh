#!/bin/sh
# `npm start -- <args>`: runs the sysboy host from source, after building the scenes module it draws screens with.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/scenes-wasm.sh" "$root/host/screens/generated/scenes.wasm"
# As the executable (host/build-config.ts): no .env is read, here or in the repository.
exec sh "$root/scripts/bun.sh" --no-env-file "$root/host/main.ts" "$@"
