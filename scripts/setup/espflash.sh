#!/bin/sh
# Set-up for the firmware images: espflash from crates.io, installed once into .cache/cargo-tools. Its serial
# port support links libudev, so libudev-dev and pkg-config come from Debian first.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
version=4.7.0
tools="$root/.cache/cargo-tools"
if [ -x "$tools/bin/espflash" ] && "$tools/bin/espflash" --version 2>/dev/null | grep -q " $version\$"; then
  exit 0
fi
. "$root/scripts/lib/apt.sh"
apt_install pkg-config libudev-dev
# espflash 4.7 needs Rust 1.95: rustup's stable when it is new enough, else Debian's cargo-web.
cargo=cargo
if ! command -v cargo >/dev/null 2>&1 || ! cargo --version | awk '{ split($2, v, "."); exit !(v[1] > 1 || v[2] >= 95) }'; then
  apt_install rustc-web cargo-web
  cargo=/usr/bin/cargo
  export RUSTC=/usr/bin/rustc
fi
echo "sysboy: installing espflash $version into .cache/cargo-tools (a few minutes, once)" >&2
# The update check would reach GitHub at every run; CI and offline machines have no use for it.
CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" "$cargo" install espflash --version "$version" --locked \
  --no-default-features --features cli --root "$tools" >&2
