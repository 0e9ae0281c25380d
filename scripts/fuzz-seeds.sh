#!/bin/sh
# Writes the fuzz targets' seeds (firmware-rs/fuzz/seeds/): the golden vectors, and real traffic captured with
# tcpdump (from Debian) while udhcpc, dig, curl, Chromium, the real host and python-zeroconf meet the simulated
# device in a network namespace. Needs root, like the namespace tests; the seeds are committed, so run this only
# to refresh them.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib/apt.sh"
apt_install tcpdump
sh "$root/scripts/setup/portal.sh"
sh "$root/scripts/setup/host.sh"
exec sh "$root/scripts/bun.sh" "$root/firmware-rs/fuzz/capture.ts"
