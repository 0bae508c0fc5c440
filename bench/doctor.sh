#!/bin/sh
# bench/doctor.sh: `ctui doctor` end to end on a throwaway containerd of each
# version, interleaved with `ctr plugins ls`; medians over 11 runs. Needs root.
#
#   bench/doctor.sh [versions] [runs]     (default 1.6,2.x 11)
set -eu
cd "$(dirname "$0")/.."
make -s build
go run ./bench/doctorbench --ctui bin/ctui --version "${1:-1.6,2.x}" --runs "${2:-11}"
