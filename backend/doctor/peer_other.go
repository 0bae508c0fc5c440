//go:build !linux

package doctor

import "errors"

// socketPeerPID needs Linux's SO_PEERCRED.
func socketPeerPID(string) (int, error) {
	return 0, errors.New("finding the daemon's process needs Linux")
}
