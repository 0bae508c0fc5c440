package du

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// FS is the filesystem part of the page: what CRI says of the image
// filesystem (ImageFsInfo) and what statfs says of it and of containerd's
// own directories, each filesystem once.
type FS struct {
	ImageFS    []backend.FilesystemUsage
	ImageFSErr error
	// Filesystems are the distinct filesystems, the image filesystem's
	// first, each with the directories on it.
	Filesystems []backend.Filesystem
	RootsErr    error
	At          time.Time
}

type fsMsg struct {
	gen uint64
	fs  FS
}

// fsCmd asks CRI for the image filesystem and containerd for its
// directories, and statfs for each (when the runtime is on this machine).
func fsCmd(parent context.Context, src Source, timeout time.Duration, gen uint64, clock backend.Clock) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		var fs FS
		var dirs []backend.DiskRoot
		if src.CRI != nil {
			fs.ImageFS, fs.ImageFSErr = src.CRI.ImageFsInfo(ctx)
			for _, f := range fs.ImageFS {
				dirs = append(dirs, backend.DiskRoot{What: "image filesystem", Path: f.Mountpoint})
			}
		} else {
			fs.ImageFSErr = src.CRIErr
		}
		if src.Disk != nil {
			roots, err := src.Disk.ContainerdRoots(ctx)
			fs.RootsErr = err
			dirs = append(dirs, roots...)
		}
		fs.Filesystems = groupFilesystems(dirs, src.LocalFS)
		fs.At = clock.Now()
		return fsMsg{gen: gen, fs: fs}
	}
}

// groupFilesystems is backend.Filesystems for a runtime on this machine;
// for a remote one, each directory with the reason statfs means nothing.
func groupFilesystems(dirs []backend.DiskRoot, local bool) []backend.Filesystem {
	if local {
		return backend.Filesystems(dirs)
	}
	out := make([]backend.Filesystem, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, backend.Filesystem{Dirs: []backend.DiskRoot{d},
			Err: backend.Errorf(backend.ErrUnsupported, "the runtime is not on this machine: no statfs")})
	}
	return out
}

// Paths are the directories of every filesystem, for a prune's before and
// after.
func (f FS) Paths() []string {
	var out []string
	for _, fs := range f.Filesystems {
		for _, d := range fs.Dirs {
			out = append(out, d.Path)
		}
	}
	return out
}

// Source is what the page asks, filled by the root from the backend: either
// side may be missing, with the reason.
type Source struct {
	Disk    backend.DiskReader
	DiskErr error
	CRI     backend.Runtime
	CRIErr  error
	// LocalFS is true when the runtime runs on this machine (a unix
	// socket), so that statfs of its directories means something.
	LocalFS bool
}
