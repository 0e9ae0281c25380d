#!/bin/sh
# Runs cargo for the host's own target: rustup's cargo when there is one, else Debian's rustc-web and cargo-web.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if command -v rustup >/dev/null 2>&1 && command -v cargo >/dev/null 2>&1; then
  exec cargo "$@"
fi
. "$root/scripts/lib/apt.sh"
apt_install rustc-web cargo-web
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
exec /usr/bin/cargo "$@"
