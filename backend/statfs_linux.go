package backend

import (
	"os"
	"strings"
	"syscall"
)

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

// FreeSpace is the space available on the distinct filesystems that hold
// paths (each filesystem counted once), as df's Avail column sums them:
// a prune measures it before and after to say what it freed.
func FreeSpace(paths []string) (int64, error) {
	seen := map[uint64]bool{}
	var total int64
	var first error
	for _, p := range paths {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			if first == nil && !os.IsNotExist(err) {
				first = Errorf(ErrFailed, "stat %s: %v", p, err)
			}
			continue
		}
		if seen[uint64(st.Dev)] {
			continue
		}
		seen[uint64(st.Dev)] = true
		ds, err := Statfs(p)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		total += int64(ds.Avail)
	}
	if len(seen) == 0 && first == nil {
		first = Errorf(ErrUnsupported, "none of %s exists on this machine", strings.Join(paths, ", "))
	}
	return total, first
}

// FilesystemID tells filesystems apart (the device of path), so a page lists
// directories that share one filesystem together.
func FilesystemID(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, Errorf(ErrFailed, "stat %s: %v", path, err)
	}
	return uint64(st.Dev), nil
}
