package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctui/ctui/backend"
)

// Options say where doctor looks. The zero value is the node itself.
type Options struct {
	// Root prefixes every path doctor reads (a node's disk mounted
	// elsewhere, or a test's temp dir); "" means "/". Paths the daemon
	// reports (its config file, CNI dirs, its root) are read under it too.
	Root string
	// Proc and Sys default to Root/proc and Root/sys, or /proc and /sys
	// when nothing is mounted there (see underRoot).
	Proc, Sys string
	// Getenv is the environment crictl would see (CONTAINER_RUNTIME_ENDPOINT,
	// CRI_CONFIG_FILE); nil means none.
	Getenv func(string) (string, bool)
	// Timeout bounds each daemon call and each network probe.
	Timeout time.Duration
	// Node is where the files are read: nil is Local, the machine doctor
	// runs on; a remote node's over SSH (backend/remote) otherwise.
	Node NodeFS
}

// Facts is everything the checks decide from, gathered once. Each part keeps
// its own error, so a check whose input is missing says SKIP and why.
type Facts struct {
	opts Options

	// Address is containerd's socket as ctui reached it; RuntimeEndpoint the
	// CRI endpoint.
	Address         string
	RuntimeEndpoint string

	Daemon    backend.DaemonHealth
	DaemonErr error

	CRIErr       error // why the CRI side is missing
	Status       backend.RuntimeStatus
	StatusErr    error
	CRI          backend.CRIConfig
	CgroupDriver string
	CgroupErr    error
	Images       []backend.CRIImage
	ImagesErr    error
	FS           []backend.FilesystemUsage
	FSErr        error

	// PID is the daemon's process, from the socket's peer credentials
	// (or introspection on 2.x).
	PID    int
	PIDErr error

	Config    *DaemonConfig
	ConfigErr error

	Kubelet KubeletConfig
}

// Gather asks the backend and reads the files, the calls at once, each under
// opts.Timeout.
func Gather(ctx context.Context, b *backend.Backend, opts Options) *Facts {
	if opts.Root == "" {
		opts.Root = "/"
	}
	if opts.Node == nil {
		opts.Node = Local
	}
	if opts.Proc == "" {
		opts.Proc = underRoot(opts.Node, opts.Root, "proc")
	}
	if opts.Sys == "" {
		opts.Sys = underRoot(opts.Node, opts.Root, "sys")
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) (string, bool) { return "", false }
	}
	if opts.Timeout <= 0 {
		opts.Timeout = backend.DefaultTimeout
	}
	f := &Facts{opts: opts, Address: b.Config.Address, RuntimeEndpoint: b.Config.RuntimeEndpoint}

	var wg sync.WaitGroup
	call := func(fn func(ctx context.Context)) {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
			defer cancel()
			fn(cctx)
		})
	}
	if in, ok := b.Native.(backend.Introspector); ok && b.Native != nil {
		call(func(ctx context.Context) { f.Daemon, f.DaemonErr = in.Health(ctx, "k8s.io") })
	} else {
		f.DaemonErr = b.NativeErr
		if f.DaemonErr == nil {
			f.DaemonErr = errors.New("the containerd backend cannot introspect")
		}
	}
	if b.CRI == nil {
		f.CRIErr = b.CRIErr
		if f.CRIErr == nil {
			f.CRIErr = errors.New("no CRI connection")
		}
		f.StatusErr, f.CgroupErr, f.ImagesErr, f.FSErr = f.CRIErr, f.CRIErr, f.CRIErr, f.CRIErr
	} else {
		rt := b.CRI
		call(func(ctx context.Context) {
			f.Status, f.StatusErr = rt.Status(ctx)
			f.CRI = backend.ParseCRIConfig(f.Status.Info)
		})
		call(func(ctx context.Context) { f.Images, f.ImagesErr = rt.Images(ctx) })
		call(func(ctx context.Context) { f.FS, f.FSErr = rt.ImageFsInfo(ctx) })
		if cg, ok := rt.(backend.CgroupDriverReader); ok {
			call(func(ctx context.Context) { f.CgroupDriver, f.CgroupErr = cg.CgroupDriver(ctx) })
		} else {
			f.CgroupErr = backend.Errorf(backend.ErrUnsupported, "this CRI backend cannot ask for the cgroup driver")
		}
	}
	wg.Go(func() { f.PID, f.PIDErr = opts.Node.SocketPID(f.Address) })
	wg.Go(func() { f.Kubelet = readKubelet(f) })
	wg.Wait()

	if f.PID == 0 && f.Daemon.PID != 0 {
		f.PID, f.PIDErr = int(f.Daemon.PID), nil
	}
	f.Config, f.ConfigErr = loadDaemonConfig(f)
	return f
}

// underRoot is root/name when something is there, else /name: in a
// kubectl debug node container the node's / is at /host without its
// /proc and /sys submounts, and the container's own (host PID and network
// namespaces, the same kernel) are the node's.
func underRoot(node NodeFS, root, name string) string {
	p := filepath.Join(root, name)
	if root == "/" {
		return p
	}
	if entries, err := node.ReadDir(p); err == nil && len(entries) > 0 {
		return p
	}
	return "/" + name
}

// node is where the node's files are read.
func (f *Facts) node() NodeFS { return f.opts.Node }

// host maps a path on the node to the path doctor reads: under Root.
func (f *Facts) host(p string) string {
	if p == "" {
		return ""
	}
	if f.opts.Root == "/" {
		return p
	}
	return filepath.Join(f.opts.Root, p)
}

// proc is a path under /proc.
func (f *Facts) proc(parts ...string) string {
	return filepath.Join(append([]string{f.opts.Proc}, parts...)...)
}

// sys is a path under /sys.
func (f *Facts) sys(parts ...string) string {
	return filepath.Join(append([]string{f.opts.Sys}, parts...)...)
}

// readFile reads a node file (already mapped) and words a failure for a
// SKIP: missing, permission, or the error itself.
func (f *Facts) readFile(p string) ([]byte, error) {
	b, err := f.node().ReadFile(p)
	if err != nil {
		return nil, fileErr(p, err)
	}
	return b, nil
}

// fileErr words a file error as "cannot read X (permission denied): run
// ctui doctor as root" or "X does not exist"; errors.Is still finds
// fs.ErrNotExist and fs.ErrPermission in it.
func fileErr(p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &fileError{p + " does not exist", fs.ErrNotExist}
	case errors.Is(err, fs.ErrPermission):
		return &fileError{"cannot read " + p + " (permission denied): run ctui doctor as root", fs.ErrPermission}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read %s: %v", p, pe.Err)
	}
	return fmt.Errorf("cannot read %s: %v", p, err)
}

// fileError is a sentence about a file that unwraps to its kind.
type fileError struct {
	msg  string
	kind error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.kind }

// daemonMajor is containerd's major version (1 or 2), 0 when unknown.
func (f *Facts) daemonMajor() int {
	v := strings.TrimPrefix(f.Daemon.Version.Version, "v")
	if v == "" {
		if f.CRI.Parsed {
			if f.CRI.V2 {
				return 2
			}
			return 1
		}
		return 0
	}
	n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return n
}

// daemonMinor is the minor version, -1 when unknown.
func (f *Facts) daemonMinor() int {
	parts := strings.SplitN(strings.TrimPrefix(f.Daemon.Version.Version, "v"), ".", 3)
	if len(parts) < 2 {
		return -1
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return -1
	}
	return n
}

// daemonName is "containerd 1.6.20" for sentences.
func (f *Facts) daemonName() string {
	if f.Daemon.Version.Version == "" {
		return "containerd"
	}
	return "containerd " + strings.TrimPrefix(f.Daemon.Version.Version, "v")
}

// restartFix is how the daemon rereads its config.
func (f *Facts) restartFix() string {
	if f.Config != nil {
		if k := f.Config.distro(); k != "" {
			return "systemctl restart " + k
		}
	}
	return "systemctl restart containerd"
}
