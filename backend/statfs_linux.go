package backend

import "syscall"

// Statfs reports the space of the local filesystem that holds path, as df
// does; the health page asks it for the image filesystem's mountpoint when
// the runtime runs on this machine.
func Statfs(path string) (DiskSpace, error) {
	var s syscall.Statfs_t
	if err := syscall.Statfs(path, &s); err != nil {
		return DiskSpace{}, Errorf(ErrFailed, "statfs %s: %v", path, err)
	}
	bs := uint64(s.Bsize)
	return DiskSpace{
		Total: s.Blocks * bs, Used: (s.Blocks - s.Bfree) * bs, Avail: s.Bavail * bs,
		Inodes: s.Files, InodesFree: s.Ffree,
	}, nil
}
