#!/bin/sh
# Set-up for the firmware images: espflash from crates.io, built once per machine into the user's cache (outside
# the checkout, so a fresh clone does not rebuild it; SYSBOY_TOOLS moves it). Its serial port support links
# libudev, so libudev-dev and pkg-config come from Debian first. Prints nothing; scripts/firmware-build.sh finds
# espflash at "$(sh scripts/setup/espflash.sh --path)".
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
version=4.7.0
tools="${SYSBOY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/sysboy/cargo-tools}"
if [ "${1:-}" = "--path" ]; then
  echo "$tools/bin/espflash"
  exit 0
fi
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
echo "sysboy: installing espflash $version into $tools (a few minutes, once per machine)" >&2
# The update check would reach GitHub at every run; CI and offline machines have no use for it.
CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" "$cargo" install espflash --version "$version" --locked \
  --no-default-features --features cli --root "$tools" >&2
