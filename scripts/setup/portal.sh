#!/bin/sh
# Set-up for the captive-portal tests: busybox (its udhcpc is the phone's DHCP client), dig (bind9-dnsutils)
# for the portal's DNS, Chromium (driven by playwright-core from npm) to fill in the form, dnsmasq for the home
# network and iproute2 for the namespaces and TAP devices.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
apt_install busybox bind9-dnsutils chromium curl dnsmasq-base iproute2
