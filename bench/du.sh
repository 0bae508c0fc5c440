#!/bin/sh
# bench/du.sh: :du in tmux at 10,000 image names over 50 images and 5,000
# containers (each with an active snapshot), on containerd 1.6 and 2.x (see
# bench/dubench): the page's first frame, the filesystem line, the full
# table and idle CPU after it, beside ctr snapshots usage. Needs root and tmux.
#
#   bench/du.sh [names] [containers] [rounds] [idle]   (default 10000 5000 5 20s)
set -eu
cd "$(dirname "$0")/.."
make -s build
for v in 1.6 2.x; do
	go run ./bench/dubench --ctui bin/ctui --version "$v" --names "${1:-10000}" --containers "${2:-5000}" --runs "${3:-5}" --idle "${4:-20s}"
	echo
done
