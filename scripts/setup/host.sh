#!/bin/sh
# Set-up for the host's tests: `ip` for the network namespaces the mDNS test makes, `script` for a terminal, and python-zeroconf (in
# .cache/venv) as the independent mDNS browser that must find the host's advertisement.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
command -v ip >/dev/null 2>&1 || apt_install iproute2
# `script` gives the status-line test a pseudo-terminal.
command -v script >/dev/null 2>&1 || apt_install bsdutils
command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
venv="$root/.cache/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
fi
if ! "$venv/bin/python" -c 'import zeroconf' 2>/dev/null; then
  echo "sysboy: installing python-zeroconf into .cache/venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'zeroconf>=0.130,<1' >&2
fi
