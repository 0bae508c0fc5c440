#!/bin/sh
# Responsiveness while a job runs: key-to-frame latency of j/k on the images
# list with no job and during pulls of a ~200 MB, seven-layer image from a
# loopback registry, and the pull's throughput against `ctr images pull` of
# the same image on the same daemon (bench/jobbench; containerd 1.6 and 2.x).
# Needs root (it starts daemons and a registry).
#
#   bench/jobs.sh [jobbench flags]     e.g. --version 2.x --pulls 8 --idle 200
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ctui-jobs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
(cd "$root" && go build -o "$work/ctui" ./cmd/ctui && go build -o "$work/jobbench" ./bench/jobbench)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
"$work/jobbench" --ctui "$work/ctui" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
