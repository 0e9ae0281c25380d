#!/bin/sh
# Set-up for the metric-source tests: a C compiler for the fake NVML library and a real Prometheus server.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
apt_install gcc libc6-dev prometheus
