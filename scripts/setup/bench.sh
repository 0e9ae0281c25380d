#!/bin/sh
# Set-up for the benchmarks: a C compiler for the fake NVML library, and pyNVML (the nvidia-ml-py package) with
# `websockets` in .cache/venv for the seed's Python server that bench/idle.ts runs beside the host.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/apt.sh"
apt_install gcc libc6-dev
. "$root/scripts/lib/venv.sh"
venv_install 'pynvml, websockets' nvidia-ml-py==13.615.71 websockets==15.0.1
