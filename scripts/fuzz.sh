#!/bin/sh
# `npm run fuzz`: every fuzz target in firmware-rs/fuzz (cargo-fuzz, libFuzzer, AddressSanitizer and debug
# assertions) for a million executions each, then a table of executions, time, coverage and crashes; exits 1 when
# any target crashed. `--short SECONDS` runs each target that long instead (`npm test` does, so the targets keep
# building); `--runs N` changes the count; names after the options pick targets.
# Without --short or named targets it then runs the host's property tests (fast-check) at 100,000 cases each
# (`SYSBOY_FUZZ_RUNS` changes it) and prints a line per property; `npm test` runs them at 2,000.
#
# Each target starts from its committed seeds (firmware-rs/fuzz/seeds/<target>) and keeps what it learns in
# firmware-rs/fuzz/corpus/<target> (not committed). A crashing input lands in firmware-rs/fuzz/artifacts/<target>.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/firmware-rs/fuzz"
runs=1000000
seconds=
while [ $# -gt 0 ]; do
  case $1 in
    --short) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "usage: scripts/fuzz.sh [--short SECONDS | --runs N] [target...]" >&2; exit 2 ;;
    *) break ;;
  esac
done
named=$#
targets=${*:-$(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' "$fuzz/Cargo.toml" | grep -v '^sysboy')}

sh "$root/scripts/setup/cargo-fuzz.sh"
cargo_fuzz=$(sh "$root/scripts/setup/cargo-fuzz.sh" --path)
echo "sysboy: building the fuzz targets (nightly, AddressSanitizer)" >&2
# One build for all targets; -a keeps the overflow checks and debug assertions, so a wrap is found as a crash.
RUSTUP_TOOLCHAIN=nightly CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" \
  "$cargo_fuzz" build -O -a --fuzz-dir "$fuzz" >&2
bin="$fuzz/target/x86_64-unknown-linux-gnu/release"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
table="$logs/table"
failed=0
for target in $targets; do
  mkdir -p "$fuzz/corpus/$target" "$fuzz/artifacts/$target" "$fuzz/seeds/$target"
  if [ -n "$seconds" ]; then limit="-max_total_time=$seconds"; else limit="-runs=$runs"; fi
  # A settings target reads a whole flash (four 4 KiB pages); the OTA target an image longer than its three-sector
  # slot (so images span sectors and "too large" is reachable); the others read datagrams and requests.
  case $target in settings_flash) max_len=16385 ;; ota_image) max_len=16384 ;; *) max_len=4096 ;; esac
  echo "sysboy: fuzzing $target ($limit)" >&2
  started=$(date +%s)
  status=0
  "$bin/$target" "$fuzz/corpus/$target" "$fuzz/seeds/$target" "$limit" -max_len=$max_len -print_final_stats=1 \
    -artifact_prefix="$fuzz/artifacts/$target/" >"$logs/$target.log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - started ))
  # The last status line ("#1000000 DONE cov: 812 ft: 2471 corp: ...") and the final stats.
  awk -v target="$target" -v elapsed="$elapsed" -v status="$status" '
    /^#[0-9]+/ { for (i = 1; i < NF; i++) { if ($i == "cov:") cov = $(i + 1); if ($i == "ft:") ft = $(i + 1) } }
    /^stat::number_of_executed_units:/ { runs = $2 }
    END { printf "%-16s %12s %7ss %7s %7s %8d\n", target, runs == "" ? "?" : runs, elapsed, cov, ft, status != 0 }
  ' "$logs/$target.log" >>"$table"
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "sysboy: $target crashed (exit $status); its log:" >&2
    grep -v '^#[0-9]' "$logs/$target.log" | tail -60 >&2
  fi
done
printf '\n%-16s %12s %8s %7s %7s %8s\n' target executions time cov ft crashes
cat "$table"

if [ -z "$seconds" ] && [ "$named" -eq 0 ]; then
  echo "sysboy: the host's decoders under fast-check" >&2
  status=0
  SYSBOY_FUZZ_RUNS="${SYSBOY_FUZZ_RUNS:-100000}" sh "$root/scripts/bun.sh" test property.test >"$logs/properties.log" 2>&1 || status=$?
  printf '\nhost property                                               cases     time failures\n'
  sed -n 's/^property "\(.*\)": \([0-9]*\) cases, \([0-9.]* s\), \([0-9]*\) failures.*/\1|\2|\3|\4/p' "$logs/properties.log" |
    awk -F'|' '{ printf "%-56s %9s %8s %8s\n", $1, $2, $3, $4 }'
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "sysboy: a host property failed; its log:" >&2
    tail -60 "$logs/properties.log" >&2
  fi
fi
exit "$failed"
