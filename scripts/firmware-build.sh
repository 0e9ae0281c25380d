#!/bin/sh
# Builds the ESP32 firmware for each chip built here, makes flashable images with `espflash save-image`, and
# prints each image's size and the firmware's static RAM.
#
# Output: target/firmware/sysboy-<chip>.elf, target/firmware/sysboy-<chip>.bin (bootloader, partition
# table and app merged, for `espflash write-bin 0x0` or any flasher at offset 0) and target/firmware/
# sysboy-<chip>-app.bin (the app image alone, what the host serves for an update over the air). The partition
# table is firmware-rs/esp32/partitions.csv (two OTA app slots); the app image size is what espflash reports for
# its slot, ota_0; the merged size adds the bootloader and the gap up to 0x20000 (nvs and otadata blank).
# Also target/firmware/next/sysboy-esp32c3-app.bin: the same C3 app with the patch version one higher
# (SYSBOY_FIRMWARE_VERSION, read by the app descriptor), the newer image the end-to-end update tests offer.
# Static RAM is read from the ELF's section headers with GNU readelf: .data* + .bss* + .noinit + RTC RAM,
# i.e. what is taken before the first instruction runs (the heaps are statics, so they are in it); code copied
# into IRAM (.trap, .rwtext*) is printed apart.
# The images carry the OLED screen (the `oled` feature, in the default build); each chip is also built without it,
# side by side, and the difference is printed as what the screens cost. Each chip is built with the SPI TFT too
# (`--features tft` on top of the default, build only, beside the images), and what it adds is printed; the
# stack (.stack, what the linker leaves of DRAM for the main stack) is printed with it, as the C3 is tight.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/setup/espflash.sh"
. "$root/scripts/lib/apt.sh"
command -v readelf >/dev/null 2>&1 || apt_install binutils
espflash=$(sh "$root/scripts/setup/espflash.sh" --path)
partitions="$root/firmware-rs/esp32/partitions.csv"
out="$root/target/firmware"
mkdir -p "$out"
# Apart from the other bare-metal builds, so a chip build never waits on their lock or evicts them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/esp32}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
# cargo reads firmware-rs/esp32/.cargo/config.toml (linker script, runner) from the working directory.
cd "$root/firmware-rs/esp32"

# Sums the sizes of the ELF's sections whose names match the extended regex $2.
section_bytes() {
  readelf -S --wide "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
    awk -v pattern="$2" '
      function hex(text,  i, n) { n = 0; for (i = 1; i <= length(text); i++) n = n * 16 + index("0123456789abcdef", substr(text, i, 1)) - 1; return n }
      $1 ~ pattern { sum += hex($5) } END { printf "%d\n", sum }'
}

# Builds chip $1 for target $2 with features $3 and sets $app, $slot, $ram and $iram from the image; the ELF and
# the merged image are written as $4.elf and $4.bin.
measure() {
  sh "$root/scripts/cargo-target.sh" "$2" build --release --no-default-features --features "$3"
  elf="$CARGO_TARGET_DIR/$2/release/sysboy-esp32"
  cp "$elf" "$4.elf"
  # No padding: the merged file ends with the app instead of filling the whole flash chip.
  saved=$("$espflash" save-image --chip "$1" --partition-table "$partitions" --merge --skip-padding "$elf" "$4.bin" 2>&1)
  printf '%s\n' "$saved" >&2
  image=$(wc -c <"$4.bin")
  # "App/part. size:    1,013,968/2,031,616 bytes, 49.91%": the app image espflash writes to its slot, and the slot.
  app=$(printf '%s\n' "$saved" | sed -n 's/^App\/part\. size: *\([0-9,]*\)\/.*/\1/p' | tr -d ,)
  app=${app:-0}
  slot=$(printf '%s\n' "$saved" | sed -n 's/^App\/part\. size: *[0-9,]*\/\([0-9,]*\) .*/\1/p' | tr -d ,)
  slot=${slot:-0}
  ram=$(section_bytes "$elf" '^\.(data.*|bss.*|noinit|rtc_fast\.(data|bss|persistent))$')
  iram=$(section_bytes "$elf" '^\.(trap|rwtext.*)$')
  stack=$(section_bytes "$elf" '^\.stack$')
}

report=""
for build in "esp32c3 riscv32imc-unknown-none-elf" "esp32c6 riscv32imac-unknown-none-elf"; do
  set -- $build
  chip=$1 target=$2
  printf '\n== firmware for %s (%s) without the screen, for the comparison\n' "$chip" "$target" >&2
  # Beside the build, not among the images to flash.
  mkdir -p "$CARGO_TARGET_DIR/no-screen"
  measure "$chip" "$target" "$chip" "$CARGO_TARGET_DIR/no-screen/sysboy-$chip"
  bare_app=$app bare_ram=$ram
  printf '\n== firmware for %s (%s)\n' "$chip" "$target" >&2
  measure "$chip" "$target" "$chip,oled" "$out/sysboy-$chip"
  oled_app=$app oled_ram=$ram oled_stack=$stack
  # The app image alone, as an update writes it into the inactive slot.
  "$espflash" save-image --chip "$chip" --partition-table "$partitions" "$elf" "$out/sysboy-$chip-app.bin" >/dev/null 2>&1
  report="$report$(printf '%-8s app image %7d B  merged image %7d B  static RAM %6d B  (IRAM code %6d B)' \
    "$chip" "$app" "$image" "$ram" "$iram")
$(printf '%-8s   the app image alone is %d B (sysboy-%s-app.bin); each OTA slot holds %d B, %d%% used' \
    "" "$(wc -c <"$out/sysboy-$chip-app.bin")" "$chip" "$slot" "$((slot > 0 ? app * 100 / slot : 0))")
$(printf '%-8s   the screen adds %+d B of image, %+d B of static RAM (without it: app %d B, static RAM %d B)' \
    "" "$((app - bare_app))" "$((ram - bare_ram))" "$bare_app" "$bare_ram")
"
  printf '\n== firmware for %s (%s) with the SPI TFT as well (build only)\n' "$chip" "$target" >&2
  mkdir -p "$CARGO_TARGET_DIR/tft"
  measure "$chip" "$target" "$chip,oled,tft" "$CARGO_TARGET_DIR/tft/sysboy-$chip"
  report="$report$(printf '%-8s   with the TFT: app %d B (%+d B), static RAM %d B (%+d B), stack %d B (%d B without)' \
    "" "$app" "$((app - oled_app))" "$ram" "$((ram - oled_ram))" "$stack" "$oled_stack")
"
done

# The MCP4725 output and the SH1106 display only change the binary crate; one build of both, sharing the bus,
# proves they compile.
printf '\n== firmware for esp32c3 with the MCP4725 DAC and an SH1106 display (build only)\n' >&2
sh "$root/scripts/cargo-target.sh" riscv32imc-unknown-none-elf build --release --no-default-features \
  --features esp32c3,mcp4725,sh1106

# The "next" image for the update tests: the default C3 build again with only the final crate's environment changed
# (the app descriptor's version), so cargo rebuilds that one crate.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
next_version=$(printf '%s\n' "$version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
printf '\n== firmware for esp32c3, version %s, for the update tests\n' "$next_version" >&2
mkdir -p "$out/next"
SYSBOY_FIRMWARE_VERSION=$next_version \
  sh "$root/scripts/cargo-target.sh" riscv32imc-unknown-none-elf build --release --no-default-features --features esp32c3,oled
"$espflash" save-image --chip esp32c3 --partition-table "$partitions" \
  "$CARGO_TARGET_DIR/riscv32imc-unknown-none-elf/release/sysboy-esp32" "$out/next/sysboy-esp32c3-app.bin" >/dev/null 2>&1
report="$report$(printf 'next     esp32c3 app image %d B, version %s (was %s), in %s' \
  "$(wc -c <"$out/next/sysboy-esp32c3-app.bin")" "$next_version" "$version" "${out#"$root"/}/next")
"

printf '\nfirmware images in %s, with the OLED screen (static RAM = .data* + .bss* + .noinit + RTC RAM, by readelf -S):\n%s' \
  "${out#"$root"/}" "$report"
# The TFT's statics are mostly the stream's (WebSocket buffers of a whole binary frame, the 8 KiB pixel buffer); on
# the C3 the heap gives 24 KiB to them (main.rs STREAM_STATICS_FROM_HEAP), which the static RAM figure nets out.
printf 'the TFT builds are in %s (on the ESP32-C3 the heap is 24 KiB smaller with it, to keep the stack)\n' \
  "${CARGO_TARGET_DIR#"$root"/}/tft"
# The heap main.rs configures and the simulated device-logic worst case it was sized from (bench/firmware-heap.ts).
printf 'firmware %s\n' "$(sh "$root/scripts/bun.sh" "$root/bench/firmware-heap.ts")"
