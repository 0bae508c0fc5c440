package doctor

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/sys/unix"
)

// socketPeerPID is the process serving a unix socket (SO_PEERCRED): the
// containerd that answers at address, on 1.6 too, whose introspection does
// not tell its pid.
func socketPeerPID(address string) (int, error) {
	address = strings.TrimPrefix(address, "unix://")
	if address == "" {
		return 0, errors.New("no containerd socket")
	}
	conn, err := net.Dial("unix", address)
	if err != nil {
		return 0, fmt.Errorf("cannot connect to %s: %v", address, err)
	}
	defer conn.Close()
	raw, err := conn.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, fmt.Errorf("cannot ask %s for its process: %v", address, cerr)
	}
	if cred.Pid <= 0 {
		return 0, fmt.Errorf("the process behind %s is in another pid namespace", address)
	}
	return int(cred.Pid), nil
}
