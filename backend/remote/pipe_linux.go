package remote

import (
	"os"

	"golang.org/x/sys/unix"
)

// relayPipeSize is the buffer ctui asks for on a relay's pipes (Linux's
// default is 64 KiB; 1 MiB is the default pipe-max-size, which an
// unprivileged process may ask for).
const relayPipeSize = 1 << 20

// growPipe enlarges the pipe f is an end of, where the system allows it
// (best effort: a smaller pipe works, only slower). Through a 64 KiB pipe
// the ssh master relays the first few MB of a connection (the first image
// list: 10,000 records are about 4 MB) several times slower than through a
// 1 MiB one: 0.8-0.9 s against 0.25 s measured with 1 ms of latency, and
// the same after the first few MB either way (docs/performance.md).
func growPipe(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, relayPipeSize) })
}
