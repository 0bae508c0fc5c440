package containerd

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ctui/ctui/backend"
)

var _ backend.Execer = (*Client)(nil)

// Bounds on the parts of an exec that are housekeeping, not the process.
const (
	// ioDrainTimeout is how long Exec waits, after the process exited, for
	// the output still in the FIFOs. A child left running in the background
	// (`sh -c 'sleep 1d &'`) keeps them open; ctr waits for it forever, ctui
	// gives the terminal back instead and the shim closes them on delete.
	ioDrainTimeout = 2 * time.Second
	// killWait, with the call timeout, bounds how long Exec keeps killing
	// a process (ctx ended, or its setup failed) until the shim can
	// delete it (endProcess).
	killWait = 5 * time.Second
)

// Exec runs req in the container's task as `ctr tasks exec [-t]` does: the
// process spec is the container's own with args and terminal replaced, its
// I/O goes through FIFOs created on this host (so native exec needs ctui to
// run on the node, as ctr does; over ssh:// they are made on the node and
// relayed through the connection), Wait is armed before Start so a fast exit is
// not missed, the terminal gets the initial size and then every size sent on
// req.Resize, each before the keys read from req.Stdin after it was sent
// (feedTerminal), and the process is deleted afterwards, whatever happened.
//
// A container without a running task is refused at once (ErrNotRunning,
// ErrPaused) rather than left to the runtime: runc would join a paused task's
// frozen cgroup and hang. A missing executable is ErrCommandNotFound, which
// backend.ExecShell uses to try the next shell. Cancelling ctx kills the
// process with SIGKILL.
func (c *Client) Exec(ctx context.Context, req backend.ExecRequest) (int, error) {
	if len(req.Args) == 0 {
		return 0, backend.Errorf(backend.ErrInvalid, "exec into %s: no command given", req.ContainerID)
	}
	task, pspec, err := c.execTarget(ctx, req)
	if err != nil {
		return 0, err
	}
	pspec.Args = req.Args
	pspec.Terminal = req.TTY
	if req.TTY && req.Size.Width > 0 && req.Size.Height > 0 {
		pspec.ConsoleSize = &specs.Box{Width: uint(req.Size.Width), Height: uint(req.Size.Height)}
	}

	// cio starts copying stdin as soon as the process is created, and its
	// goroutine stays blocked in Read after the process is gone. So it gets
	// a pipe of this exec's own, fed from req.Stdin only once Start has
	// succeeded: an attempt that fails (a missing shell) reads nothing, and
	// nothing is left reading the caller's terminal afterwards but the pump
	// the caller cancels.
	var in io.Reader
	var stdinR *io.PipeReader
	var stdinW *io.PipeWriter
	if req.Stdin != nil {
		stdinR, stdinW = io.Pipe()
		defer stdinR.Close()
		in = stdinR
	}
	stderr := orDiscard(req.Stderr)
	var termOpts []cio.Opt
	if req.TTY {
		// With a terminal the shim merges stderr into stdout; cio refuses
		// a stderr stream next to WithTerminal.
		stderr, termOpts = nil, []cio.Opt{cio.WithTerminal}
	}
	creator := cio.NewCreator(append([]cio.Opt{cio.WithStreams(in, orDiscard(req.Stdout), stderr)}, termOpts...)...)
	if c.transport != nil {
		// The task API wires the process to fifos on the daemon's node:
		// they are made and relayed there, over the SSH connection.
		var errw io.Writer
		if !req.TTY {
			errw = stderr
		}
		creator = c.remoteIOCreator(in, orDiscard(req.Stdout), errw, req.TTY)
	}

	execID, err := newExecID()
	if err != nil {
		return 0, backend.Errorf(backend.ErrFailed, "exec into %s: %v", req.ContainerID, err)
	}
	// The session outlives any per-call timeout; only its setup calls get one.
	sctx := namespaces.WithNamespace(ctx, req.Namespace)
	// Cleanup must run even when ctx is what ended the session.
	cleanupCtx := context.WithoutCancel(sctx)

	// The process's create and start run under the call timeout, not under
	// ctx: a Start that ctx cut short was still carried out by the shim
	// now and then, which then left the process running untracked (the
	// exec's Delete took its record, not the process: TestExec/CancelKills
	// found its `sleep 60` in the container 30 s on, under load). A ctx
	// that ended meanwhile ends the session below, as any end of ctx does.
	setup := func() (context.Context, context.CancelFunc) { return context.WithTimeout(cleanupCtx, c.timeout) }
	cctx, cancel := setup()
	proc, err := task.Exec(cctx, execID, pspec, creator)
	cancel()
	if err != nil {
		// A create whose answer was lost (the call timed out under load)
		// may still have left the process's record in the shim.
		lctx, lcancel := setup()
		lost, lerr := task.LoadProcess(lctx, execID, nil)
		lcancel()
		if lerr == nil {
			c.endProcess(cleanupCtx, lost, nil)
		}
		return 0, c.execError(ctx, err, req)
	}
	var statusC <-chan client.ExitStatus
	defer func() { c.endProcess(cleanupCtx, proc, statusC) }()
	c.step("created", proc)
	statusC, err = proc.Wait(cleanupCtx)
	if err != nil {
		return 0, c.execError(ctx, err, req)
	}
	c.step("armed", proc)
	if ctx.Err() != nil {
		return 0, c.translate(ctx.Err(), "exec "+req.Args[0]+" in container "+req.ContainerID)
	}
	cctx, cancel = setup()
	err = proc.Start(cctx)
	cancel()
	if err != nil {
		return 0, c.execError(ctx, err, req)
	}
	c.step("started", proc)

	closeIO := func() {
		cctx, cancel := setup()
		defer cancel()
		_ = proc.CloseIO(cctx, client.WithStdinCloser)
	}
	feedDone := make(chan struct{})
	defer close(feedDone)
	switch {
	case req.TTY:
		c.resize(cleanupCtx, proc, req.Size)
		go feedTerminal(req.Stdin, stdinW, req.Resize, func(s backend.TermSize) { c.resize(cleanupCtx, proc, s) }, closeIO, feedDone)
	case req.Stdin != nil:
		go pumpStdin(req.Stdin, stdinW, closeIO)
	}

	var st client.ExitStatus
	select {
	case st = <-statusC:
	case <-ctx.Done():
		// The deferred endProcess kills the process, waits for its exit
		// and deletes it.
		return 0, c.translate(ctx.Err(), "exec "+req.Args[0]+" in container "+req.ContainerID)
	}
	code, _, err := st.Result()
	if err != nil {
		return 0, c.translate(err, "wait for "+req.Args[0]+" in container "+req.ContainerID)
	}
	drained := make(chan struct{})
	go func() { proc.IO().Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(ioDrainTimeout):
	}
	return int(code), nil
}

// ExecSync runs req.Args without a terminal or stdin and collects its output,
// at most backend.MaxExecOutput bytes per stream, for `:exec CMD`.
func (c *Client) ExecSync(ctx context.Context, req backend.ExecRequest) (backend.ExecOutput, error) {
	stdout, stderr := &capBuffer{max: backend.MaxExecOutput}, &capBuffer{max: backend.MaxExecOutput}
	code, err := c.Exec(ctx, backend.ExecRequest{
		Namespace:   req.Namespace,
		ContainerID: req.ContainerID,
		Args:        req.Args,
		Stdout:      stdout,
		Stderr:      stderr,
	})
	out := backend.ExecOutput{
		Stdout:    stdout.Bytes(),
		Stderr:    stderr.Bytes(),
		ExitCode:  code,
		Truncated: stdout.truncated() || stderr.truncated(),
	}
	return out, err
}

// execTarget loads the container's task and process spec, and says why an
// exec cannot happen when its task is missing, stopped or paused.
func (c *Client) execTarget(ctx context.Context, req backend.ExecRequest) (client.Task, *specs.Process, error) {
	ctx, cancel := c.call(ctx, req.Namespace)
	defer cancel()
	what := "exec into container " + req.ContainerID + " in namespace " + req.Namespace
	ctr, err := c.c.LoadContainer(ctx, req.ContainerID)
	if err != nil {
		return nil, nil, c.translate(err, what)
	}
	task, err := ctr.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return nil, nil, backend.NotRunningError(req.ContainerID, "")
	}
	if err != nil {
		return nil, nil, c.translate(err, what)
	}
	if err := c.checkRunning(ctx, task, req.Namespace, req.ContainerID); err != nil {
		return nil, nil, err
	}
	spec, err := ctr.Spec(ctx)
	if err != nil {
		return nil, nil, c.translate(err, what)
	}
	if spec.Process == nil {
		return nil, nil, backend.Errorf(backend.ErrFailed, "%s: its spec has no process to copy", what)
	}
	return task, spec.Process, nil
}

// checkRunning is nil for a running task, ErrPaused for a paused (or
// pausing) one and ErrNotRunning otherwise. An unknown status is let
// through: the runtime then decides.
func (c *Client) checkRunning(ctx context.Context, task client.Task, ns, id string) error {
	st, err := task.Status(ctx)
	if errdefs.IsNotFound(err) {
		return backend.NotRunningError(id, "")
	}
	if err != nil {
		return c.translate(err, "look up the task of container "+id)
	}
	switch st.Status {
	case client.Running, client.Unknown:
		return nil
	case client.Paused, client.Pausing:
		return backend.PausedError(id, ns)
	}
	return backend.NotRunningError(id, strings.ToUpper(string(st.Status)))
}

// execError words a failed Exec, Wait or Start: a missing executable, or a
// task that stopped or was paused since execTarget looked.
func (c *Client) execError(ctx context.Context, err error, req backend.ExecRequest) error {
	switch {
	case backend.IsCommandNotFound(err.Error()):
		return backend.CommandNotFoundError(req.ContainerID, req.Args[0], err)
	case backend.IsPausedRefusal(err.Error()):
		return backend.PausedError(req.ContainerID, req.Namespace)
	}
	if ctx.Err() != nil {
		// The caller's deadline or cancel ended the setup call; the shim
		// may report it as an Unknown "context deadline exceeded".
		return c.translate(fmt.Errorf("%w: %w", ctx.Err(), err), "exec "+req.Args[0]+" in container "+req.ContainerID)
	}
	{
		cctx, cancel := c.call(ctx, req.Namespace)
		defer cancel()
		if ctr, lerr := c.c.LoadContainer(cctx, req.ContainerID); lerr == nil {
			if task, terr := ctr.Task(cctx, nil); errdefs.IsNotFound(terr) {
				return backend.NotRunningError(req.ContainerID, "")
			} else if terr == nil {
				if rerr := c.checkRunning(cctx, task, req.Namespace, req.ContainerID); rerr != nil {
					return rerr
				}
			}
		}
	}
	return c.translate(err, "exec "+req.Args[0]+" in container "+req.ContainerID)
}

// endProcess deletes an exec'd process, killing it first while the shim
// says it still runs, until it is gone or killWait plus the call timeout
// have passed: client.WithProcessKill passes over a process whose pid the
// client never learned, and Delete refuses a running one. statusC (armed
// before Start, nil if it was not) says when the process has exited.
func (c *Client) endProcess(ctx context.Context, proc client.Process, statusC <-chan client.ExitStatus) {
	ctx, cancel := context.WithTimeout(ctx, killWait+c.timeout)
	defer cancel()
	for {
		_, err := proc.Delete(ctx)
		if err == nil || errdefs.IsNotFound(err) {
			return
		}
		if st, err := proc.Status(ctx); err != nil || st.Status == client.Stopped {
			return // the daemon is not answering, or it is not the process that is in the way
		}
		_ = proc.Kill(ctx, syscall.SIGKILL)
		select {
		case <-statusC:
			statusC = nil // exited: the next Delete takes it
		case <-time.After(100 * time.Millisecond): // still starting: kill again
		case <-ctx.Done():
			return
		}
	}
}

// step calls the test's execStep, if any.
func (c *Client) step(name string, proc client.Process) {
	if c.execStep != nil {
		c.execStep(name, proc)
	}
}

// resize sets the process's terminal size; a failure is not worth ending
// the session for (the process may just have exited).
func (c *Client) resize(ctx context.Context, proc client.Process, s backend.TermSize) {
	if s.Width == 0 || s.Height == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	_ = proc.Resize(ctx, uint32(s.Width), uint32(s.Height))
}

// feedTerminal is the one writer to a terminal process: it writes the keys
// read from in (nil: none) to the process's stdin and passes each size from
// sizes to resize, in the order they came, until done closes. A size that
// is waiting when keys arrive is applied first, and resize returns once
// the terminal has it: the caller sends a size before it hands over the
// keys typed after it (ui/execcmd reads the terminal's size before each
// read returns), so those keys reach the process, and what it runs
// (`stty size`, a full-screen editor), with the new size, as ssh orders a
// window change with the session's data. Sizes and keys on goroutines of
// their own race: a resize RPC that took longer than the keys' way through
// the fifos (under load, or over ssh://) came after the command that read
// the size. At the end of in, the process's stdin is closed (closeIO) and
// sizes are still passed on.
func feedTerminal(in io.Reader, to *io.PipeWriter, sizes <-chan backend.TermSize, resize func(backend.TermSize), closeIO func(), done <-chan struct{}) {
	var chunks chan chunk
	if in != nil {
		chunks = make(chan chunk)
		go readChunks(in, chunks, done)
	}
	size := func(s backend.TermSize, ok bool) {
		if !ok {
			sizes = nil
			return
		}
		resize(s)
	}
	for {
		select {
		case <-done:
			return
		case s, ok := <-sizes:
			size(s, ok)
		case c := <-chunks:
			select {
			case s, ok := <-sizes:
				size(s, ok)
			default:
			}
			if len(c.b) > 0 {
				if _, err := to.Write(c.b); err != nil {
					chunks = nil // the process's stdin is gone; sizes still apply
					continue
				}
			}
			switch {
			case c.err == nil:
			case errors.Is(c.err, io.EOF):
				to.Close()
				closeIO()
				chunks = nil
			default:
				to.CloseWithError(c.err)
				chunks = nil
			}
		}
	}
}

// chunk is what one Read of the caller's stdin gave.
type chunk struct {
	b   []byte
	err error
}

// readChunks reads in until it ends (or done closes) and hands each read to
// feedTerminal.
func readChunks(in io.Reader, out chan<- chunk, done <-chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n == 0 && err == nil {
			continue
		}
		select {
		case out <- chunk{b: bytes.Clone(buf[:n]), err: err}:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}

// newExecID is a process id unique in the task: containerd refuses a second
// process under an id still in use, and the UI may open several shells.
func newExecID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make an exec id: %w", err)
	}
	return "ctui-exec-" + hex.EncodeToString(b), nil
}

// pumpStdin copies the caller's stdin into the process's until either ends.
// At the caller's end of input it closes the process's stdin (CloseIO), as
// ctr does: the shim holds its FIFO open, so the process would never see end
// of input otherwise.
func pumpStdin(from io.Reader, to *io.PipeWriter, closeIO func()) {
	_, err := io.Copy(to, from)
	if err == nil || errors.Is(err, io.EOF) {
		to.Close()
		closeIO()
		return
	}
	to.CloseWithError(err)
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// capBuffer keeps the first max bytes written and counts the rest, so a
// one-shot command's output is bounded but the copy from the FIFO never
// stalls (a full FIFO would block the process).
type capBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	max     int
	dropped int64
}

func (b *capBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	keep := min(len(p), b.max-b.buf.Len())
	b.buf.Write(p[:keep])
	b.dropped += int64(len(p) - keep)
	return len(p), nil
}

func (b *capBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *capBuffer) truncated() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped > 0
}
