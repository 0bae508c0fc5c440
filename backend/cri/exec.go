package cri

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc/status"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/streaming/pkg/httpstream"

	"github.com/ctui/ctui/backend"
)

var _ backend.Execer = (*Client)(nil)

// ExecSync runs req.Args in a CRI container without a terminal, as `crictl
// exec -s` does, and returns its output (the runtime caps each stream at
// 16 MiB). ctx's deadline, if any, is also passed to the runtime as the
// command's timeout, so the runtime kills a command that outlives it; with
// no deadline the command runs until it exits.
func (c *Client) ExecSync(ctx context.Context, req backend.ExecRequest) (backend.ExecOutput, error) {
	if len(req.Args) == 0 {
		return backend.ExecOutput{}, backend.Errorf(backend.ErrInvalid, "exec into %s: no command given", shortID(req.ContainerID))
	}
	if err := c.checkRunning(ctx, req.ContainerID); err != nil {
		return backend.ExecOutput{}, err
	}
	var timeout int64
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(1, int64(math.Ceil(time.Until(dl).Seconds())))
	}
	resp, err := c.runtime.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: req.ContainerID, Cmd: req.Args, Timeout: timeout})
	if err != nil {
		return backend.ExecOutput{}, c.execError(ctx, err, req)
	}
	return backend.ExecOutput{Stdout: resp.Stdout, Stderr: resp.Stderr, ExitCode: int(resp.ExitCode)}, nil
}

// Exec runs req in a CRI container with streaming I/O, as `crictl exec -it`
// does: the runtime's Exec answers with a URL on its stream server (for
// containerd, 127.0.0.1 on a random port, with a token valid for a minute)
// and client-go's remotecommand carries stdin, stdout, stderr, the terminal's
// resizes and the exit code over it.
//
// It speaks WebSocket first, as kubectl does since Kubernetes 1.30, and falls
// back to SPDY when the server refuses the upgrade: containerd 1.6's stream
// server answers a WebSocket upgrade with 403 Forbidden. client-go's own
// FallbackExecutor would retry on the same URL, but the token in it is
// single-use on some servers, so the fallback asks the runtime for a fresh
// URL. A refused upgrade has started nothing in the container and read
// nothing from Stdin.
//
// A container that is not running is refused at once (ErrNotRunning). CRI
// has no paused state, but containerd's shim refuses an exec into a task
// paused behind CRI's back (`ctr tasks pause`) at once too, which is
// reported as ErrPaused.
func (c *Client) Exec(ctx context.Context, req backend.ExecRequest) (int, error) {
	if len(req.Args) == 0 {
		return 0, backend.Errorf(backend.ErrInvalid, "exec into %s: no command given", shortID(req.ContainerID))
	}
	if err := c.checkRunning(ctx, req.ContainerID); err != nil {
		return 0, err
	}
	err := c.stream(ctx, req, webSocket)
	if httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err) {
		err = c.stream(ctx, req, spdy)
	}
	var exit utilexec.ExitError
	if errors.As(err, &exit) && exit.Exited() {
		return exit.ExitStatus(), nil
	}
	if err != nil {
		return 0, c.execError(ctx, err, req)
	}
	return 0, nil
}

// Stream protocols remotecommand speaks.
const (
	webSocket = "websocket"
	spdy      = "spdy"
)

// stream asks the runtime for an exec URL and streams req over it with
// protocol.
func (c *Client) stream(ctx context.Context, req backend.ExecRequest, protocol string) error {
	uctx, cancel := c.unary(ctx)
	resp, err := c.runtime.Exec(uctx, &runtimeapi.ExecRequest{
		ContainerId: req.ContainerID,
		Cmd:         req.Args,
		Tty:         req.TTY,
		Stdin:       req.Stdin != nil,
		Stdout:      true,
		Stderr:      !req.TTY, // a terminal merges it into stdout; CRI refuses both
	})
	cancel()
	if err != nil {
		return c.rtErr(err, "exec into container "+shortID(req.ContainerID))
	}
	u, err := url.Parse(resp.Url)
	if err != nil {
		return backend.Errorf(backend.ErrFailed, "exec into container %s: the runtime answered a bad stream URL %q: %v", shortID(req.ContainerID), resp.Url, err)
	}
	// The stream server is the runtime's own, on loopback or the node's
	// address, plain HTTP or TLS with a certificate of its own making, as
	// kubelet and crictl trust it.
	cfg := &restclient.Config{TLSClientConfig: restclient.TLSClientConfig{Insecure: true}}
	if t := c.transport; t != nil {
		// On a remote node the stream server listens on that node's
		// loopback: reach it through the SSH connection.
		cfg.Dial = func(ctx context.Context, _, addr string) (net.Conn, error) { return t.DialTCP(ctx, addr) }
	}
	var ex remotecommand.Executor
	if protocol == webSocket {
		ex, err = remotecommand.NewWebSocketExecutor(cfg, "GET", u.String())
	} else {
		ex, err = remotecommand.NewSPDYExecutor(cfg, "POST", u)
	}
	if err != nil {
		return backend.Errorf(backend.ErrFailed, "exec into container %s: %s: %v", shortID(req.ContainerID), protocol, err)
	}
	opts := remotecommand.StreamOptions{Stdout: orDiscard(req.Stdout), Tty: req.TTY}
	if req.Stdin != nil {
		opts.Stdin = endOnError{req.Stdin}
	}
	if !req.TTY {
		opts.Stderr = orDiscard(req.Stderr)
	}
	done := make(chan struct{})
	defer close(done)
	if req.TTY {
		opts.TerminalSizeQueue = &sizeQueue{first: req.Size, sizes: req.Resize, done: done}
	}
	return ex.StreamWithContext(ctx, opts)
}

// checkRunning says at once that a container is not running, instead of
// letting the runtime fail the exec (or, for some runtimes, wait).
func (c *Client) checkRunning(ctx context.Context, id string) error {
	st, err := c.containerStatus(ctx, id, false)
	if err != nil {
		return err
	}
	if s := st.GetStatus().GetState(); s != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return backend.NotRunningError(shortID(id), strings.TrimPrefix(s.String(), "CONTAINER_"))
	}
	return nil
}

// execError words a failed exec: a missing executable, a container that
// stopped since checkRunning looked, or what the runtime said.
func (c *Client) execError(ctx context.Context, err error, req backend.ExecRequest) error {
	switch {
	case backend.IsCommandNotFound(err.Error()):
		return backend.CommandNotFoundError(shortID(req.ContainerID), req.Args[0], err)
	case backend.IsPausedRefusal(err.Error()):
		// containerd keeps every CRI container in namespace k8s.io.
		return backend.PausedError(req.ContainerID, "k8s.io")
	}
	if ctx.Err() == nil {
		if rerr := c.checkRunning(ctx, req.ContainerID); errors.Is(rerr, backend.ErrNotRunning) {
			return rerr
		}
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	if _, isStatus := status.FromError(err); isStatus {
		return c.rtErr(err, "exec "+req.Args[0]+" in container "+shortID(req.ContainerID))
	}
	if ctx.Err() != nil {
		return c.rtErr(ctx.Err(), "exec "+req.Args[0]+" in container "+shortID(req.ContainerID))
	}
	// The stream broke: the runtime's stream server went away or the
	// connection to it was lost mid-session.
	return &backend.Error{Kind: backend.ErrUnavailable, Err: err, Msg: fmt.Sprintf(
		"exec %s in container %s: the stream from the runtime broke (%v)", req.Args[0], shortID(req.ContainerID), err)}
}

// sizeQueue feeds remotecommand the terminal's sizes: the initial one, then
// each from the request's channel, until the session ends.
type sizeQueue struct {
	first   backend.TermSize
	started bool
	sizes   <-chan backend.TermSize
	done    <-chan struct{}
}

// Next is called from one remotecommand goroutine; nil ends its loop.
func (q *sizeQueue) Next() *remotecommand.TerminalSize {
	if !q.started {
		q.started = true
		if q.first.Width > 0 && q.first.Height > 0 {
			return &remotecommand.TerminalSize{Width: q.first.Width, Height: q.first.Height}
		}
	}
	select {
	case s, ok := <-q.sizes:
		if !ok {
			return nil
		}
		return &remotecommand.TerminalSize{Width: s.Width, Height: s.Height}
	case <-q.done:
		return nil
	}
}

// endOnError ends stdin at any read error. remotecommand reports a stdin
// error other than io.EOF through klog, on the process's stderr, which under
// the UI is the screen; and a caller that cancels its reader when the
// session ends (as it must, see backend.ExecRequest) makes exactly such an
// error on every exec.
type endOnError struct{ r io.Reader }

func (e endOnError) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		err = io.EOF
	}
	return n, err
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
