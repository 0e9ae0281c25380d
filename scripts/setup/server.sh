#!/bin/sh
# Set-up for the server's tests: Python `websockets` (an independent WebSocket client) and `prometheus_client`
# (an independent parser of the /metrics text), both in .cache/venv.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
venv="$root/.cache/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
fi
if ! "$venv/bin/python" -c 'import websockets, prometheus_client' 2>/dev/null; then
  echo "sysboy: installing websockets and prometheus_client into .cache/venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'websockets>=13,<16' 'prometheus_client>=0.20,<1' >&2
fi
