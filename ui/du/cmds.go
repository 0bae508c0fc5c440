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
	Filesystems []Filesystem
	RootsErr    error
	At          time.Time
}

// Filesystem is one filesystem and the directories of containerd on it.
type Filesystem struct {
	Dirs  []backend.DiskRoot // "image filesystem", "content", "snapshotter overlayfs", ...
	Space backend.DiskSpace
	Err   error // why statfs failed (or a remote runtime)
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

// groupFilesystems puts directories on the same filesystem together, in the
// order first met, with statfs of each (when local).
func groupFilesystems(dirs []backend.DiskRoot, local bool) []Filesystem {
	var out []Filesystem
	byDev := map[uint64]int{}
	for _, d := range dirs {
		if !local {
			out = append(out, Filesystem{Dirs: []backend.DiskRoot{d},
				Err: backend.Errorf(backend.ErrUnsupported, "the runtime is not on this machine: no statfs")})
			continue
		}
		dev, err := backend.FilesystemID(d.Path)
		if err != nil {
			out = append(out, Filesystem{Dirs: []backend.DiskRoot{d}, Err: err})
			continue
		}
		if i, ok := byDev[dev]; ok {
			out[i].Dirs = append(out[i].Dirs, d)
			continue
		}
		sp, err := backend.Statfs(d.Path)
		byDev[dev] = len(out)
		out = append(out, Filesystem{Dirs: []backend.DiskRoot{d}, Space: sp, Err: err})
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
