#!/bin/sh
# Runs cargo for a bare-metal target: `scripts/cargo-target.sh <target> build -p <crate> [args]`.
#
# A rustup toolchain with the target installed is used as it is (`rustup target add <target>`, the way users
# work). Otherwise Debian's rustc-web, cargo-web, rust-web-src and lld-22 are installed and the core and alloc
# crates are built from source (`-Zbuild-std`), which needs RUSTC_BOOTSTRAP on a stable compiler.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
target=$1
shift
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  echo "sysboy: building for $target with rustup's $(rustc --version)" >&2
  exec cargo "$@" --target "$target"
fi
. "$root/scripts/lib/apt.sh"
# rust-web-llvm provides /usr/bin/rust-lld (a link to lld-22), which rustc-web only recommends.
apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
# A separate target directory keeps this compiler's artifacts apart from rustup's.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/debian-rust}"
echo "sysboy: building for $target with Debian's $(/usr/bin/rustc --version) and -Zbuild-std" >&2
exec /usr/bin/cargo "$@" --target "$target" -Zbuild-std=core,alloc
