#!/bin/sh
# Set-up for `npm run fuzz` and its short run in `npm test`: cargo-fuzz from crates.io, built once per machine into
# the user's cache beside espflash (SYSBOY_TOOLS moves it), and rustup's nightly toolchain, which libFuzzer's
# sanitizer flags need. Prints nothing; scripts/fuzz.sh finds cargo-fuzz at "$(sh scripts/setup/cargo-fuzz.sh --path)".
set -eu
version=0.13.2
tools="${SYSBOY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/sysboy/cargo-tools}"
if [ "${1:-}" = "--path" ]; then
  echo "$tools/bin/cargo-fuzz"
  exit 0
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "sysboy: installing rustup's nightly toolchain for the fuzz targets" >&2
  rustup toolchain install nightly --profile minimal >&2
fi
if [ -x "$tools/bin/cargo-fuzz" ] && "$tools/bin/cargo-fuzz" --version 2>/dev/null | grep -q " $version\$"; then
  exit 0
fi
echo "sysboy: installing cargo-fuzz $version into $tools (a minute or two, once per machine)" >&2
CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" cargo install cargo-fuzz --version "$version" --locked --root "$tools" >&2
