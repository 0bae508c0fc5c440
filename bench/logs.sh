#!/bin/sh
# Time to open the tail of a big CRI log: ctui's log engine (bench/logtail,
# which reads backwards from the end as the viewer does) against
# `tail -n N` on the same file, both as fresh processes with a warm page
# cache, alternating runs. Also prints what starting any Go binary costs
# here and the time inside an already running process, which is what the
# viewer waits for.
#
#   bench/logs.sh [SIZE_MB [LINES [RUNS]]]     defaults: 1024 1000 31
set -eu
size_mb=${1:-1024}
lines=${2:-1000}
runs=${3:-31}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ctui-logs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

(cd "$root" && go build -o "$work/logtail" ./bench/logtail)
log="$work/0.log"
echo "generating a ${size_mb} MiB CRI log..."
"$work/logtail" -gen -size $((size_mb * 1024 * 1024)) "$log"
echo "$(stat -c %s "$log") bytes, $(wc -l <"$log") records"

# Same answer: the last line's text from both (tail shows the raw record).
echo "ctui's last line: $("$work/logtail" -n "$lines" "$log" | tail -n 1 | cut -c1-50)"
echo "tail's last line: $(tail -n 1 "$log" | cut -c1-90)"

echo "open the last $lines lines of a ${size_mb} MiB log (median of $runs):"
"$work/logtail" -n "$lines" -compare "$runs" "$log"

# The same in ctui itself, on real containerd daemons (root, make containerd2):
# the l key to the tail of a 1 GiB pod log on screen against tail -n, follow
# throughput with every line checked, and peak RSS while following
# (CTUI_RSS=5m for the full measurement). CTUI_LOGBENCH=0 skips it.
if [ "${CTUI_LOGBENCH:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then
	(cd "$root" && go build -o "$work/ctui" ./cmd/ctui && go build -o "$work/logbench" ./bench/logbench)
	for v in 1.6 2.x; do
		echo
		"$work/logbench" --ctui "$work/ctui" --version "$v" --size "$size_mb" --rss "${CTUI_RSS:-30s}"
	done
fi
