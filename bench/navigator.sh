#!/bin/sh
# bench/navigator.sh: the navigator on a busy node, ctui beside ctr on the
# same throwaway containerd: time to the first full frame of the images list
# against `ctr images ls -q` and `ctr images ls`, idle CPU (ctui's and the
# daemon's) with the containers view open, and ctui's peak RSS. Needs root.
#
#   bench/navigator.sh [version] [images] [containers] [idle]
#                      (default 1.6 10000 5000 60s)
#
# The filter keystroke at 10,000 rows is a go test benchmark, run last.
set -eu
cd "$(dirname "$0")/.."
version=${1:-1.6}
images=${2:-10000}
containers=${3:-5000}
idle=${4:-60s}
make -s build
go run ./bench/navbench --ctui bin/ctui --version "$version" --images "$images" \
	--containers "$containers" --idle "$idle"
echo
go test -run '^$' -bench 'FilterKeystrokeRoot10k|FirstList10k|FilterFuzzy10k' -benchmem -count 1 ./ui/ ./ui/images/ ./ui/table/ |
	grep -E '^Benchmark'
