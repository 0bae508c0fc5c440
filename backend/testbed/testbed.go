// Package testbed runs real containerd daemons for ctui's tests, `make demo`
// and benchmarks: containerd 1.6 from Debian and containerd 2.x built from the
// version ctui's go.mod pins, each on a private socket and root, with test
// images built from busybox-static, native tasks and CRI pods.
//
// Everything a Daemon starts lives under its Dir and is ended by Stop; no
// fixed ports or paths are shared, so test packages may start daemons at the
// same time. It needs root.
package testbed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
)

// Version names a containerd release line the test bed can run.
type Version string

const (
	// V16 is Debian's containerd 1.6 (/usr/bin/containerd, apt package
	// containerd).
	V16 Version = "1.6"
	// V2 is containerd 2.x, built from the tools module (see Containerd2Dir).
	V2 Version = "2.x"
)

// Versions lists every version, oldest first, for tests that run against each.
func Versions() []Version { return []Version{V16, V2} }

// ParseVersion accepts "1.6" and "2.x" (also "2", "v2").
func ParseVersion(s string) (Version, error) {
	switch strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v") {
	case "1.6":
		return V16, nil
	case "2.x", "2":
		return V2, nil
	}
	return "", fmt.Errorf("unknown containerd version %q: use 1.6 or 2.x", s)
}

// DefaultConfigPath is where containerd reads its config without --config.
const DefaultConfigPath = "/etc/containerd/config.toml"

// Option changes how a daemon is configured.
type Option func(*options)

type options struct {
	cri   bool
	extra []string
	// layout is the config format written ("" for the version's own).
	layout Version
	edits  []func(string) string
	// noCRIWait starts without waiting for CRI to answer (a CRI that
	// fails to load on purpose).
	noCRIWait bool
	// atDefaultPath starts containerd without --config (see
	// WithConfigAtDefaultPath).
	atDefaultPath bool
}

// WithConfigAtDefaultPath starts containerd without --config, so it reads
// its default /etc/containerd/config.toml, as a packaged daemon does: in a
// mount namespace of its own, where the daemon's Dir/config.toml is bound
// over that path. The real /etc is never changed; the file must exist
// there as the mount point (Debian's containerd package installs it).
func WithConfigAtDefaultPath() Option { return func(o *options) { o.atDefaultPath = true } }

// WithConfigEdit rewrites the rendered config.toml before the daemon
// starts (a test's broken setting: restrict_oom_score_adj = false, a
// snapshotter that does not exist, ...).
func WithConfigEdit(edit func(config string) string) Option {
	return func(o *options) { o.edits = append(o.edits, edit) }
}

// WithConfigVersion2 writes containerd 1.x's version 2 config format for a
// 2.x daemon, which migrates it at start as it would an upgraded node's.
func WithConfigVersion2() Option { return func(o *options) { o.layout = V16 } }

// WithoutCRIWait returns once the native API answers, for a CRI that is
// configured to fail.
func WithoutCRIWait() Option { return func(o *options) { o.noCRIWait = true } }

// WithoutCRI disables the CRI plugin, so CRI calls on the socket fail with
// Unimplemented, as on a containerd that serves only its native API.
func WithoutCRI() Option { return func(o *options) { o.cri = false } }

// WithConfigExtra appends raw TOML to the daemon's config.toml, after the
// tables the test bed writes (do not repeat those tables; their sub-tables
// are fine). "{{.Dir}}" in it becomes the daemon's Dir, for paths of its own.
func WithConfigExtra(toml string) Option {
	return func(o *options) { o.extra = append(o.extra, toml) }
}

// Daemon is a running containerd on a private socket.
type Daemon struct {
	Version  Version
	Dir      string // everything the daemon owns: config, root, state, logs
	Socket   string // containerd's socket path (ctr's --address)
	Endpoint string // the same socket as a CRI endpoint: unix://Socket
	CtrPath  string // the ctr that matches the daemon
	BinDir   string // the directory of containerd and its shim
	LogPath  string // the daemon's stdout and stderr
	CRI      bool   // whether the CRI plugin is enabled
	// AtDefaultPath says the daemon runs without --config, its config
	// bound at DefaultConfigPath in its own mount namespace.
	AtDefaultPath bool

	cmd    *exec.Cmd
	exited chan struct{} // closed when the daemon process is reaped
	// waitErr is the daemon's exit, valid after exited is closed.
	waitErr error

	mu   sync.Mutex
	pods map[string]*podRecord // by container id: what RunPod created
	stop sync.Once
	err  error // Stop's result
}

// Start starts a daemon of version v in a fresh directory for a test and
// stops it in t.Cleanup, logging the daemon's log tail if the test failed.
// It fails the test if the daemon cannot run (not root, binary missing),
// and skips it under -short: `go test -short` runs the unit tests alone
// (make test runs them once more with the test clock a year ahead).
func Start(t testing.TB, v Version, opts ...Option) *Daemon {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a containerd daemon (skipped under -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a cold containerd 2.x build is included
	defer cancel()
	d, err := StartDaemon(ctx, v, "", opts...)
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testbed: containerd %s log tail (%s):\n%s", d.Version, d.LogPath, d.LogTail(40))
		}
		if err := d.Stop(); err != nil {
			t.Errorf("testbed: %v", err)
		}
	})
	return d
}

// EachVersion runs f in a parallel subtest per version (Versions), each
// with a context that ends after timeout and a daemon of its own (Start,
// with opts). It skips under -short, as Start does.
func EachVersion(t *testing.T, timeout time.Duration, f func(ctx context.Context, t *testing.T, d *Daemon), opts ...Option) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			f(ctx, t, Start(t, v, opts...))
		})
	}
}

// StartDaemon starts a daemon of version v in dir (created; it must be empty
// if it exists) or, when dir is "", in a fresh directory under /tmp. ctx
// bounds the start only. Stop removes dir.
func StartDaemon(ctx context.Context, v Version, dir string, opts ...Option) (*Daemon, error) {
	o := options{cri: true}
	for _, opt := range opts {
		opt(&o)
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("containerd needs root: run the tests as root (sudo make test)")
	}
	d := &Daemon{Version: v, CRI: o.cri && !o.noCRIWait, AtDefaultPath: o.atDefaultPath, exited: make(chan struct{}), pods: map[string]*podRecord{}}
	if o.atDefaultPath {
		if st, err := os.Stat(DefaultConfigPath); err != nil || !st.Mode().IsRegular() {
			return nil, fmt.Errorf("a daemon without --config needs %s to exist as the mount point of its own config (apt-get install containerd creates it): %v", DefaultConfigPath, err)
		}
	}
	switch v {
	case V16:
		d.BinDir, d.CtrPath = "/usr/bin", "/usr/bin/ctr"
		if _, err := os.Stat("/usr/bin/containerd"); err != nil {
			return nil, errors.New("containerd 1.6 is not installed (/usr/bin/containerd): apt-get install -y containerd runc, or run make test")
		}
	case V2:
		bin, err := Containerd2Dir()
		if err != nil {
			return nil, fmt.Errorf("containerd 2.x: %w", err)
		}
		d.BinDir, d.CtrPath = bin, filepath.Join(bin, "ctr")
	default:
		return nil, fmt.Errorf("unknown containerd version %q", v)
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return nil, errors.New("runc is not installed: apt-get install -y runc")
	}

	// Best effort: what it cannot clean is an earlier run's litter, no
	// reason to fail this one.
	_ = CleanStale()
	var err error
	if d.Dir, err = makeDir(dir); err != nil {
		return nil, err
	}
	if err := writeMarker(d.Dir, v); err != nil {
		os.RemoveAll(d.Dir)
		return nil, err
	}
	d.Socket = filepath.Join(d.Dir, "containerd.sock")
	d.Endpoint = "unix://" + d.Socket
	d.LogPath = filepath.Join(d.Dir, "containerd.log")
	if len(d.Socket)+len(".ttrpc") >= 108 {
		os.RemoveAll(d.Dir)
		return nil, fmt.Errorf("socket path %s is too long for a unix socket; use a shorter directory", d.Socket)
	}
	cfg := filepath.Join(d.Dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(d.config(o)), 0o644); err != nil {
		os.RemoveAll(d.Dir)
		return nil, err
	}
	if err := d.start(ctx, cfg); err != nil {
		if stopErr := d.Stop(); stopErr != nil {
			err = fmt.Errorf("%w; cleaning up: %v", err, stopErr)
		}
		return nil, err
	}
	return d, nil
}

// makeDir creates dir, or a fresh one under /tmp (or a short $TMPDIR): unix
// socket paths must stay under 108 bytes, which t.TempDir() can exceed.
func makeDir(dir string) (string, error) {
	if dir == "" {
		base := os.TempDir()
		if len(base) > 40 {
			base = "/tmp"
		}
		return os.MkdirTemp(base, "ctui-")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return "", err
	}
	if len(entries) > 0 {
		return "", fmt.Errorf("daemon directory %s is not empty; the test bed removes it when the daemon stops", abs)
	}
	return abs, nil
}

// config renders config.toml in the format each version reads: version 2
// for 1.6, version 3 for 2.x.
func (d *Daemon) config(o options) string {
	var b strings.Builder
	layout := d.Version
	if o.layout != "" {
		layout = o.layout
	}
	switch layout {
	case V16:
		b.WriteString("version = 2\n")
		if !o.cri {
			b.WriteString("disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n")
		}
		fmt.Fprintf(&b, "root = %q\nstate = %q\n\n[grpc]\n  address = %q\n\n", d.Dir+"/root", d.Dir+"/state", d.Socket)
		b.WriteString("[plugins.\"io.containerd.grpc.v1.cri\"]\n")
		fmt.Fprintf(&b, "  sandbox_image = %q\n", PauseImage)
		b.WriteString("  restrict_oom_score_adj = true\n")
		fmt.Fprintf(&b, "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n  runtime_type = %q\n", runcRuntime)
		fmt.Fprintf(&b, "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n  Root = %q\n", d.runcRoot())
		if d.Version == V2 {
			fmt.Fprintf(&b, "\n[plugins.\"io.containerd.nri.v1.nri\"]\n  socket_path = %q\n", d.Dir+"/nri.sock")
		}
	case V2:
		b.WriteString("version = 3\n")
		if !o.cri {
			b.WriteString("disabled_plugins = [\"io.containerd.grpc.v1.cri\", \"io.containerd.cri.v1.runtime\", \"io.containerd.cri.v1.images\", \"io.containerd.podsandbox.controller.v1.podsandbox\"]\n")
		}
		fmt.Fprintf(&b, "root = %q\nstate = %q\n\n[grpc]\n  address = %q\n\n", d.Dir+"/root", d.Dir+"/state", d.Socket)
		b.WriteString("[plugins.\"io.containerd.cri.v1.images\".pinned_images]\n")
		fmt.Fprintf(&b, "  sandbox = %q\n\n", PauseImage)
		b.WriteString("[plugins.\"io.containerd.cri.v1.runtime\"]\n  restrict_oom_score_adj = true\n")
		fmt.Fprintf(&b, "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc]\n  runtime_type = %q\n", runcRuntime)
		fmt.Fprintf(&b, "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc.options]\n  Root = %q\n\n", d.runcRoot())
		// NRI's socket defaults to /var/run/nri/nri.sock, which daemons
		// started side by side would fight over.
		fmt.Fprintf(&b, "[plugins.\"io.containerd.nri.v1.nri\"]\n  socket_path = %q\n", d.Dir+"/nri.sock")
	}
	for _, x := range o.extra {
		b.WriteString("\n" + strings.ReplaceAll(x, "{{.Dir}}", d.Dir) + "\n")
	}
	out := b.String()
	for _, e := range o.edits {
		out = e(out)
	}
	return out
}

// runcRoot is runc's state directory for the daemon's containers; runc's
// default, /run/containerd/runc, is shared by every daemon on the host.
func (d *Daemon) runcRoot() string { return filepath.Join(d.Dir, "runc") }

// start runs the daemon and waits until its socket answers (and CRI, when
// enabled, says it is initialized).
func (d *Daemon) start(ctx context.Context, cfg string) error {
	logf, err := os.OpenFile(d.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(d.BinDir, "containerd"), "--config", cfg)
	if d.AtDefaultPath {
		// The shell binds the config over the default path in the new
		// mount namespace (Go makes its mounts private first), then
		// becomes containerd: the same process, with no --config.
		cmd = exec.Command("/bin/sh", "-c", `mount --bind "$1" "$2" && exec "$3"`, "ctui-testbed", cfg, DefaultConfigPath, filepath.Join(d.BinDir, "containerd"))
	}
	cmd.Dir = d.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// The daemon finds its shim on PATH first: put its own directory there.
	cmd.Env = append(withoutEnv(os.Environ(), "PATH"), "PATH="+d.BinDir+":"+os.Getenv("PATH"))
	// Its own process group keeps a terminal's ^C away from it, so Stop can
	// still use it to end tasks. Pdeathsig ends it if this process dies
	// without stopping it (the forking thread stays locked below).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if d.AtDefaultPath {
		cmd.SysProcAttr.Unshareflags = syscall.CLONE_NEWNS
	}
	d.cmd = cmd

	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that forked exits, not the process:
		// keep this goroutine on its thread for the daemon's lifetime.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(d.exited)
			return
		}
		started <- nil
		d.waitErr = cmd.Wait()
		close(d.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start containerd %s: %w", d.Version, err)
	}
	return d.waitReady(ctx)
}

func (d *Daemon) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for {
		select {
		case <-d.exited:
			return fmt.Errorf("containerd %s exited while starting (%v); log %s:\n%s", d.Version, d.waitErr, d.LogPath, d.LogTail(30))
		default:
		}
		last = d.ping(ctx)
		if last == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("containerd %s did not get ready on %s: %v; log %s:\n%s", d.Version, d.Socket, last, d.LogPath, d.LogTail(30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ping asks the native API for the version, then CRI for its status.
func (d *Daemon) ping(ctx context.Context) error {
	if _, err := os.Stat(d.Socket); err != nil {
		return err
	}
	c, err := d.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := c.Version(cctx); err != nil {
		return err
	}
	if !d.CRI {
		return nil
	}
	return d.criReady(cctx)
}

// Client connects containerd's Go client to the daemon; close it when done.
func (d *Daemon) Client(opts ...containerd.Opt) (*containerd.Client, error) {
	c, err := containerd.New(d.Socket, append([]containerd.Opt{containerd.WithTimeout(10 * time.Second)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect to containerd %s at %s: %w", d.Version, d.Socket, err)
	}
	return c, nil
}

// Ctr runs the daemon's ctr with --address set and returns its combined
// output; the error carries the output too.
func (d *Daemon) Ctr(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.CtrPath, append([]string{"--address", d.Socket}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// Env is the environment that points ctr, crictl and ctui at the daemon.
func (d *Daemon) Env() []string {
	return []string{
		"CONTAINERD_ADDRESS=" + d.Socket,
		"CONTAINER_RUNTIME_ENDPOINT=" + d.Endpoint,
		"IMAGE_SERVICE_ENDPOINT=" + d.Endpoint,
	}
}

// LogTail returns the last n lines of the daemon's log.
func (d *Daemon) LogTail(n int) string {
	b, err := os.ReadFile(d.LogPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// PID is the daemon's process id, 0 before it started.
func (d *Daemon) PID() int {
	if d.cmd == nil || d.cmd.Process == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

func withoutEnv(env []string, key string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}
