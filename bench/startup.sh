#!/bin/sh
# bench/startup.sh: ctui's first full frame in a real terminal emulator (tmux)
# against `ctr images ls -q` on the same throwaway containerd, interleaved in
# rounds, with tmux's own cost (a program that prints at once) subtracted, and
# the median of each phase of ctui's --trace-startup. Needs root and tmux.
#
#   bench/startup.sh [version] [images] [rounds]   (default 1.6 10000 7)
#
# Extra arguments after the third go to bench/tmuxbench (e.g. --idle 60s
# --containers 5000 for idle CPU in tmux, --keys 20 for the images page's
# local keys to the screen, as bench/ssh.sh times them over a slow link).
set -eu
cd "$(dirname "$0")/.."
version=${1:-1.6}
images=${2:-10000}
rounds=${3:-7}
[ $# -gt 3 ] && shift 3 || set --
make -s build
go run ./bench/tmuxbench --ctui bin/ctui --version "$version" --images "$images" --runs "$rounds" "$@"
