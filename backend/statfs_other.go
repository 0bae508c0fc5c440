//go:build !linux

package backend

// Statfs is Linux-only: containerd nodes are Linux.
func Statfs(path string) (DiskSpace, error) {
	return DiskSpace{}, Errorf(ErrUnsupported, "free space of %s: only on Linux", path)
}
