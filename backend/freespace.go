package backend

import "context"

// Filesystem is one filesystem and containerd's directories on it.
type Filesystem struct {
	Dirs  []DiskRoot // "image filesystem", "content", "snapshotter overlayfs", ...
	Space DiskSpace
	Err   error // why stat or statfs failed
	// Missing is true when the directory does not exist on this machine.
	Missing bool
}

// Freed is what statfs of containerd's directories said before and after an
// action that gives space back (a prune, a lease removal).
type Freed struct {
	Before, After int64
	// Err is why the free space could not be measured (statfs failed, or
	// the runtime is not on this machine); Before and After mean nothing
	// then.
	Err error
}

// Measured reports whether both statfs worked.
func (f Freed) Measured() bool { return f.Err == nil }

// Bytes is what the action gave back: zero when not measured or when the
// disk filled meanwhile.
func (f Freed) Bytes() int64 {
	if f.Err != nil || f.After < f.Before {
		return 0
	}
	return f.After - f.Before
}

// RootPaths are containerd's directories (ContainerdRoots) as paths, for
// FreeSpace; none when the daemon does not say.
func RootPaths(ctx context.Context, d DiskReader) []string {
	roots, err := d.ContainerdRoots(ctx)
	if err != nil {
		return nil
	}
	paths := make([]string, 0, len(roots))
	for _, r := range roots {
		paths = append(paths, r.Path)
	}
	return paths
}

// MeasureFreed runs act between two FreeSpace of paths: the one way every
// prune and lease removal says what it freed.
func MeasureFreed(paths []string, act func() error) (Freed, error) {
	before, errBefore := FreeSpace(paths)
	err := act()
	after, errAfter := FreeSpace(paths)
	f := Freed{Before: before, After: after, Err: errBefore}
	if f.Err == nil {
		f.Err = errAfter
	}
	return f, err
}
