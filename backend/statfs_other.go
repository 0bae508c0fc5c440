//go:build !linux

package backend

// Statfs is Linux-only: containerd nodes are Linux.
func Statfs(path string) (DiskSpace, error) {
	return DiskSpace{}, Errorf(ErrUnsupported, "free space of %s: only on Linux", path)
}

// Filesystems is Linux-only, as Statfs: each directory is a filesystem of
// its own with the reason.
func Filesystems(dirs []DiskRoot) []Filesystem {
	out := make([]Filesystem, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, Filesystem{Dirs: []DiskRoot{d}, Err: Errorf(ErrUnsupported, "filesystem of %s: only on Linux", d.Path)})
	}
	return out
}

// FreeSpace is Linux-only, as Statfs.
func FreeSpace(paths []string) (int64, error) {
	return 0, Errorf(ErrUnsupported, "free space: only on Linux")
}
