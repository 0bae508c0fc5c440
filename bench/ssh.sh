#!/bin/sh
# bench/ssh.sh: ctui against a node over SSH with latency added (a delaying TCP
# proxy in front of a loopback sshd: this kernel has no netem), beside `ssh
# node sudo -n ctr images ls -q` over the same link, interleaved in rounds:
# startup to the first full frame in tmux, then keys to the screen for the
# images page's local actions (help, scroll, sort, filter; bench/tmuxbench's
# keys.go), which should not wait for the link. The node is bench/sshbench's (a
# throwaway containerd seeded with image names); the login is the test user
# with sudo, not root. Needs root, tmux and openssh-server.
#
#   bench/ssh.sh [version] [images] [rounds] [delay]   (default 1.6 10000 7 50ms)
#
# CTUI=bin/a,bin/b compares binaries in the same rounds (default bin/ctui);
# KEYS=N rounds of key presses (default 20; 0 skips them).
set -eu
cd "$(dirname "$0")/.."
version=${1:-1.6}
images=${2:-10000}
rounds=${3:-7}
delay=${4:-50ms}
make -s build
go build -o bin/sshbench ./bench/sshbench
out=$(mktemp)
bin/sshbench --version "$version" --images "$images" --delay "$delay" >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT INT TERM
while ! grep -q '^ARGS=' "$out"; do
	if ! kill -0 $pid 2>/dev/null; then cat "$out"; exit 1; fi
	sleep 0.5
done
head -1 "$out"
CTUI_SSH=$(sed -n 's/^CTUI_SSH=//p' "$out")
export CTUI_SSH
args=$(sed -n 's/^ARGS=//p' "$out")
# shellcheck disable=SC2086
go run ./bench/tmuxbench --ctui "${CTUI:-bin/ctui}" $args --runs "$rounds" --keys "${KEYS:-20}"
