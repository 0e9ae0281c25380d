#!/bin/sh
# Set-up for the server's tests: Python `websockets` (an independent WebSocket client) and `prometheus_client`
# (an independent parser of the /metrics text), both in .cache/venv.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
. "$root/scripts/lib/venv.sh"
venv_install 'websockets, prometheus_client' websockets==15.0.1 prometheus_client==0.26.0
