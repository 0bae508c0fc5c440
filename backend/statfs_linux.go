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

// Filesystems puts directories on the same filesystem (the same device)
// together, in the order first met, with statfs of each filesystem once: the
// one place that tells filesystems apart, for :du's filesystem lines and for
// a prune's free space before and after. A directory that cannot be looked
// at is a filesystem of its own with the reason; one that does not exist has
// Missing set.
func Filesystems(dirs []DiskRoot) []Filesystem {
	var out []Filesystem
	byDev := map[uint64]int{}
	for _, d := range dirs {
		var st syscall.Stat_t
		if err := syscall.Stat(d.Path, &st); err != nil {
			out = append(out, Filesystem{Dirs: []DiskRoot{d}, Missing: os.IsNotExist(err),
				Err: Errorf(ErrFailed, "stat %s: %v", d.Path, err)})
			continue
		}
		dev := uint64(st.Dev)
		if i, ok := byDev[dev]; ok {
			out[i].Dirs = append(out[i].Dirs, d)
			continue
		}
		sp, err := Statfs(d.Path)
		byDev[dev] = len(out)
		out = append(out, Filesystem{Dirs: []DiskRoot{d}, Space: sp, Err: err})
	}
	return out
}

// FreeSpace is the space available on the distinct filesystems that hold
// paths (each filesystem counted once), as df's Avail column sums them:
// a prune measures it before and after to say what it freed. Paths that do
// not exist are passed over.
func FreeSpace(paths []string) (int64, error) {
	dirs := make([]DiskRoot, 0, len(paths))
	for _, p := range paths {
		dirs = append(dirs, DiskRoot{Path: p})
	}
	var total int64
	var first error
	seen := 0
	for _, fs := range Filesystems(dirs) {
		switch {
		case fs.Missing:
		case fs.Err != nil:
			seen++
			if first == nil {
				first = fs.Err
			}
		default:
			seen++
			total += int64(fs.Space.Avail)
		}
	}
	if seen == 0 && first == nil {
		first = Errorf(ErrUnsupported, "none of %s exists on this machine", strings.Join(paths, ", "))
	}
	return total, first
}
