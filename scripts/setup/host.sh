#!/bin/sh
# Set-up for the host's tests: `ip` for the network namespaces the mDNS test makes, `script` for a terminal, and python-zeroconf (in
# .cache/venv) as the independent mDNS browser that must find the host's advertisement.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
command -v ip >/dev/null 2>&1 || apt_install iproute2
# `script` gives the status-line test a pseudo-terminal.
command -v script >/dev/null 2>&1 || apt_install bsdutils
# Xvfb and X clients (xsetroot, xclock) for the screen-capture stream tests, libX11/libXext for the capture itself,
# and the reference lz4 tool that checks the stream's LZ4 blocks.
apt_install xvfb x11-xserver-utils x11-apps libx11-6 libxext6 lz4
. "$root/scripts/lib/venv.sh"
venv_install zeroconf zeroconf==0.154.0 ifaddr==0.2.0
