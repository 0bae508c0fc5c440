#!/bin/sh
# bench/stats.sh: what resource-use sampling costs on containerd 1.6 and
# 2.x (see bench/statsbench): ctui's and the daemon's CPU with 200 running
# tasks (stats off, on at 2 s, :top) beside ctr tasks metrics, :top's first
# frame, idle at 5,000 containers with stats on. Needs root.
#
#   bench/stats.sh [tasks] [rounds] [window]   (default 200 5 10s)
#
# CTUI=bin/a,bin/b compares binaries in the same rounds (default bin/ctui).
set -eu
cd "$(dirname "$0")/.."
make -s build
for v in 1.6 2.x; do
	go run ./bench/statsbench --ctui "${CTUI:-bin/ctui}" --version "$v" --tasks "${1:-200}" --rounds "${2:-5}" --window "${3:-10s}"
	echo
done
