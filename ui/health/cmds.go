package health

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// report is everything the page shows, as last answered: each part with
// its own error, so that one side failing leaves the other on screen.
type report struct {
	// NativeErr is why containerd's side is missing or failed.
	Native    backend.DaemonHealth
	NativeErr error
	// NoIntrospection is set when the native backend cannot introspect:
	// only the version is known.
	NoIntrospection bool

	// CRIErr is why the CRI side is missing (not connected); the calls'
	// own errors are kept apart.
	CRIErr     error
	Version    backend.RuntimeVersion
	VersionErr error
	Status     backend.RuntimeStatus
	StatusErr  error
	// CgroupDriver is CRI RuntimeConfig's answer; CgroupErr is
	// ErrUnsupported on runtimes without the call.
	CgroupDriver string
	CgroupErr    error
	FS           []backend.FilesystemUsage
	FSErr        error
	// Space is statfs of each FS mountpoint, by index; nil entries where
	// not asked (a remote runtime) or failed.
	Space []*backend.DiskSpace

	At time.Time
}

// loadedMsg answers loadCmd.
type loadedMsg struct {
	gen uint64
	r   report
}

// source is what loadCmd asks, filled by the root from the backend.
type source struct {
	native    backend.Native
	nativeErr error
	cri       backend.Runtime
	criErr    error
	namespace string
	// localFS is true when the runtime's image filesystem is on this
	// machine (a unix socket), so statfs on its mountpoint means something.
	localFS bool
}

// loadCmd asks both sides at once, every call under its own timeout, and
// answers with one report. Built from values only.
func loadCmd(parent context.Context, src source, clock backend.Clock, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		var r report
		var wg sync.WaitGroup
		call := func(f func(ctx context.Context)) {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(parent, timeout)
				defer cancel()
				f(ctx)
			})
		}
		switch in, ok := src.native.(backend.Introspector); {
		case src.native == nil:
			r.NativeErr = src.nativeErr
			if r.NativeErr == nil {
				r.NativeErr = backend.Errorf(backend.ErrUnsupported, "no containerd connection")
			}
		case ok:
			call(func(ctx context.Context) { r.Native, r.NativeErr = in.Health(ctx, src.namespace) })
		default:
			r.NoIntrospection = true
			call(func(ctx context.Context) { r.Native.Version, r.NativeErr = src.native.Version(ctx) })
		}
		if src.cri == nil {
			r.CRIErr = src.criErr
			if r.CRIErr == nil {
				r.CRIErr = backend.Errorf(backend.ErrCRIUnavailable, "no CRI connection")
			}
		} else {
			call(func(ctx context.Context) { r.Version, r.VersionErr = src.cri.Version(ctx) })
			call(func(ctx context.Context) { r.Status, r.StatusErr = src.cri.Status(ctx) })
			call(func(ctx context.Context) {
				r.FS, r.FSErr = src.cri.ImageFsInfo(ctx)
				if r.FSErr != nil || !src.localFS {
					return
				}
				r.Space = make([]*backend.DiskSpace, len(r.FS))
				for i, f := range r.FS {
					if s, err := backend.Statfs(f.Mountpoint); err == nil {
						r.Space[i] = &s
					}
				}
			})
			if cg, ok := src.cri.(backend.CgroupDriverReader); ok {
				call(func(ctx context.Context) { r.CgroupDriver, r.CgroupErr = cg.CgroupDriver(ctx) })
			} else {
				r.CgroupErr = backend.Errorf(backend.ErrUnsupported, "this CRI backend cannot ask for the cgroup driver")
			}
		}
		wg.Wait()
		r.At = clock.Now()
		return loadedMsg{gen: gen, r: r}
	}
}

// lost is the first error of the report that means the daemon is gone, for
// the root's connection panel.
func (r report) lost(isLost func(error) bool) error {
	for _, err := range []error{r.NativeErr, r.VersionErr, r.StatusErr} {
		if err != nil && isLost(err) {
			return err
		}
	}
	return nil
}

// unsupported tells "this daemon has no such call" from a failure.
func unsupported(err error) bool { return errors.Is(err, backend.ErrUnsupported) }
