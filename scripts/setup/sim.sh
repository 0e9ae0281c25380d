#!/bin/sh
# Set-up for the simulated-device tests: dnsmasq serves DHCP on the station network inside each test's network
# namespace, and iproute2 makes the namespaces and TAP devices.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
apt_install dnsmasq-base iproute2
