#!/bin/sh
# bench/images.sh: pull, import and export of a ~200 MB, seven-layer image by
# ctui and by ctr, side by side on the same containerd (1.6 and 2.x), the same
# loopback registry and the same disk. Needs root (it starts daemons).
#
#   bench/images.sh [iterations]     (default 3)
#
# Every iteration starts without the image's content in the store, so pulls
# fetch and unpack all of it. MB/s is decimal megabytes of the image tar per
# second (go test's MB/s).
set -eu
cd "$(dirname "$0")/.."
n=${1:-3}
out=$(go test -run '^$' -bench '^BenchmarkImageActions$' -benchtime "${n}x" -count 1 ./backend/containerd/ 2>&1) || {
	printf '%s\n' "$out" >&2
	exit 1
}
printf '%s\n' "$out" | awk '
/^BenchmarkImageActions\// {
	split($1, p, "/")           # BenchmarkImageActions/<ver>/<op>/<tool>-N
	ver = p[2]; op = p[3]; tool = p[4]; sub(/-[0-9]+$/, "", tool)
	for (i = 2; i <= NF; i++) if ($(i+1) == "MB/s") mbs = $i
	rate[ver, op, tool] = mbs
	if (!(ver in seenv)) { seenv[ver] = 1; vers[++nv] = ver }
	if (!((ver, op) in seeno)) { seeno[ver, op] = 1; ops[ver, ++no[ver]] = op }
}
END {
	printf "%-10s %-8s %10s %10s %8s\n", "containerd", "action", "ctui MB/s", "ctr MB/s", "ratio"
	for (v = 1; v <= nv; v++) for (o = 1; o <= no[vers[v]]; o++) {
		ver = vers[v]; op = ops[ver, o]
		a = rate[ver, op, "ctui"]; b = rate[ver, op, "ctr"]
		printf "%-10s %-8s %10.1f %10.1f %7.2fx\n", ver, op, a, b, (b > 0 ? a / b : 0)
	}
}'
