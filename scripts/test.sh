#!/bin/sh
# `npm test`: every test in the repository, with its own set-up, from a fresh clone.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n== %s\n' "$*" >&2; }

# A run from a fresh clone on a fresh machine wrote 9.5 GiB, its set-up included (Rust targets for three toolchains,
# the fuzz build, the host's executables twice). The free space is said first, so that a run that ends in "No space
# left on device" says why (a CI run did, in the fuzz build). Incremental compilation is off: a run from a clone gains
# nothing from it, and its caches took 0.5 GiB of the 9.5.
free_gb=$(df -Pk "$root" | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }')
printf 'npm test: %s GiB free on the disk of %s (a run from a fresh clone writes about 9 GiB)\n' "$free_gb" "$root" >&2
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "set-up: npm dependencies and the Debian tools the tests need"
sh scripts/bun.sh --version >/dev/null
for setup in scripts/setup/*.sh; do
  [ -e "$setup" ] && sh "$setup"
done

step "generated protocol files are up to date (npm run gen:check)"
sh scripts/bun.sh schema/gen/main.ts --check

step "TypeScript type check (tsc)"
"$root/node_modules/.bin/tsc" -p "$root"

step "Rust tests (cargo test)"
sh scripts/cargo-host.sh test --workspace

step "fuzz targets build and run briefly from their seeds (npm run fuzz -- --short 3; the full run is npm run fuzz)"
sh scripts/fuzz.sh --short 3

step "simulated device (cargo build -p sysboy-sim), for the end-to-end tests"
sh scripts/cargo-host.sh build -p sysboy-sim

step "protocol and device-logic crates build for riscv32imc-unknown-none-elf (no_std)"
sh scripts/cargo-target.sh riscv32imc-unknown-none-elf build -p sysboy-protocol -p sysboy-device --release

step "ESP32-C3 and ESP32-C6 firmware: release ELFs and flashable images (espflash save-image)"
sh scripts/firmware-build.sh
sh scripts/cargo-host.sh test -p sysboy-device --test real_images -- --ignored

step "host executables (npm run build)"
sh scripts/bun.sh host/build.ts

step "TypeScript and end-to-end tests (bun test), against the built linux-x64 executable"
# Cross-process tests start servers and builds, so they get more than the default 5 s.
SYSBOY_TEST_BINARY="$root/dist/sysboy-linux-x64" sh scripts/bun.sh test --timeout 30000

step "all tests passed"
