#!/bin/sh
# Builds the host's WebAssembly module (firmware-rs/wasm: the board's screen scenes, to draw exactly what the board
# draws, and its meter maths, for the dashboard's virtual meters) and copies it to OUT_FILE:
# `sh scripts/scenes-wasm.sh OUT_FILE`. Prints the module's size.
#
# The crate is an rlib in its Cargo.toml, so that its native build (tests, the meter trace example) makes no shared
# library: `cargo rustc --crate-type cdylib` asks for the module in this build only.
# The size settings (opt-level "s", fat LTO, one codegen unit, abort on panic, stripped) are passed as
# CARGO_PROFILE_RELEASE_* variables into a target directory of their own, which leaves the workspace's release
# profile and its build cache as they are. scripts/cargo-target.sh picks the compiler: rustup's with the
# wasm32-unknown-unknown target when it is installed, else Debian's, building core from source.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ne 1 ]; then
  echo "usage: sh scripts/scenes-wasm.sh OUT_FILE" >&2
  exit 2
fi
out=$1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/wasm}"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=true
sh "$root/scripts/cargo-target.sh" wasm32-unknown-unknown rustc -p sysboy-wasm --release --lib --crate-type cdylib
mkdir -p "$(dirname "$out")"
built="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/sysboy_wasm.wasm"
# Replaced whole (a copy beside it, then a rename) and only when it changed: a test or a host reading the module
# while another build runs sees the old module or the new one, never a file cut short (a CI run read 0 bytes).
if ! cmp -s "$built" "$out" 2>/dev/null; then
  cp "$built" "$out.tmp.$$"
  mv -f "$out.tmp.$$" "$out"
fi
echo "sysboy: $out, $(wc -c <"$out" | tr -d ' ') bytes" >&2
