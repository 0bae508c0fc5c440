// Package containerd is ctui's adapter over containerd's own gRPC API (the
// one ctr uses), for daemons 1.6 to 2.x. It makes its calls the way ctr makes
// them: a namespaced context with a timeout per call, the container records
// as the store lists them (no per-container Info), one bulk task list, and
// image sizes only when asked. Every error leaves through backend.Translate,
// so the UI can show it as a sentence and tell its kind with errors.Is.
package containerd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ctui/ctui/backend"
)

// Client is a connection to one containerd daemon. It is safe for concurrent
// use: the UI runs its commands on goroutines of their own.
type Client struct {
	c       *client.Client
	target  backend.Target
	timeout time.Duration
	// transport reaches the daemon's node when it is remote (ssh://):
	// exec's fifos are made and relayed there through it. nil on the node.
	transport backend.Transport
	// hostRoot is where the node's root is mounted (Config.HostRoot): a
	// task's file:// log is read under it.
	hostRoot string

	// details caches ImageDetails by namespace and target digest: content
	// is immutable under its digest, and a node often has many names for
	// one target (CRI alone keeps three per pulled image).
	mu      sync.Mutex
	details map[detailsKey]*detailsEntry
	// usage caches committed snapshots' usage (SnapshotUsage).
	usage map[usageKey]backend.DiskUsage

	// execStep, set only by tests, is called at each step of an exec's
	// setup with its process ("created", "armed": Wait is in place,
	// "started"), so a test can end ctx exactly there.
	execStep func(step string, proc client.Process)
}

var _ backend.Native = (*Client)(nil)

// New connects to the containerd socket cfg.Address and proves with one
// Version call that containerd answers there. Like ctr it looks at the socket
// file before any RPC, so a missing or unreadable socket is reported as that
// rather than as a failed call. The Version call is bounded by cfg.Timeout
// (backend.DefaultTimeout when zero) unless ctx has an earlier deadline, so a
// daemon that accepts connections but never answers gives ErrTimeout instead
// of a hang, and a socket served by something else (CRI-O, any other gRPC or
// unix server) gives ErrNotContainerd.
func New(ctx context.Context, cfg backend.Config) (*Client, error) {
	return NewWith(ctx, cfg, nil)
}

// NewWith is New that calls early with the client before the Version
// probe, so that calls early starts (the first image list) travel with the
// probe instead of a round trip after it: over a slow link the gRPC
// handshake and the probe are two round trips of their own. When the probe
// fails, the client early was given is closed and its calls fail.
func NewWith(ctx context.Context, cfg backend.Config, early func(*Client)) (*Client, error) {
	if cfg.Address == "" {
		return nil, backend.Errorf(backend.ErrInvalid, "no containerd socket configured; name one with -a/--address or CONTAINERD_ADDRESS")
	}
	dial := dialUnix
	if t := cfg.Transport; t != nil {
		// The remote side found and checked the socket on the node.
		dial = func(ctx context.Context, _ string) (net.Conn, error) { return t.DialSocket(ctx, cfg.Address) }
	} else if err := backend.CheckSocket(cfg.Address, "containerd", backend.KnownSocketPaths()); err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = backend.DefaultTimeout
	}
	target := backend.Target{API: "containerd", Endpoint: cfg.Where(cfg.Address)}
	opts := []grpc.DialOption{
		grpc.WithContextDialer(dial),
		// The handshake may take longer than a call: a call's own deadline
		// then ends it as a timeout, instead of racing the transport, whose
		// give-up reads as a broken handshake (a peer that is not gRPC).
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: reconnectBackoff, MinConnectTimeout: 2 * timeout}),
	}
	if cfg.Transport != nil {
		opts = append(opts, grpc.WithInitialWindowSize(backend.RemoteWindow), grpc.WithInitialConnWindowSize(backend.RemoteWindow))
	}
	cc, err := client.New(cfg.Address, client.WithTimeout(timeout), client.WithExtraDialOpts(opts))
	if err != nil {
		return nil, backend.Translate(err, target, "connect to containerd")
	}
	c := &Client{c: cc, target: target, timeout: timeout, hostRoot: cfg.HostRoot, transport: cfg.Transport, details: map[detailsKey]*detailsEntry{}, usage: map[usageKey]backend.DiskUsage{}}
	if early != nil {
		early(c)
	}
	probe, cancel := c.call(ctx, "")
	defer cancel()
	if _, err := c.version(probe); err != nil {
		cc.Close()
		if dl, _ := probe.Deadline(); ctx.Err() == nil && time.Until(dl) < timeout/10 {
			// The probe ran into its deadline. gRPC may report that as the
			// transport it closed at about the same moment ("use of closed
			// network connection" while reading the preface): a silent
			// peer, not one that spoke something else, which fails at once.
			err = context.DeadlineExceeded
		}
		return nil, c.probeError(err)
	}
	return c, nil
}

// dialUnix connects to the socket once. The client's own dialer waits, up to
// the call's deadline, for a missing socket to appear, which suits a program
// started alongside its daemon; for ctui it turns a stopped containerd (it
// removes its socket) into a wait of the whole timeout on every call,
// instead of saying at once that the daemon is gone.
func dialUnix(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", strings.TrimPrefix(addr, "unix://"))
}

// reconnectBackoff paces gRPC's reconnects after the daemon went away. While
// it waits, calls fail at once; the client's default lets the wait grow to
// the whole timeout, so a restarted containerd would stay "lost" for up to
// ten seconds. Dialing a local socket is cheap, so retry often.
var reconnectBackoff = backoff.Config{
	BaseDelay:  100 * time.Millisecond,
	Multiplier: 1.6,
	Jitter:     0.2,
	MaxDelay:   time.Second,
}

// probeError words the failure of the first call. Only then does an
// unimplemented version service or a broken gRPC handshake mean the socket
// belongs to something other than containerd; later the same failures mean
// the daemon went away or misbehaves.
func (c *Client) probeError(err error) error {
	s, isStatus := status.FromError(err)
	switch {
	case isStatus && s.Code() == codes.Unimplemented:
		return &backend.Error{Kind: backend.ErrNotContainerd, Err: err, Msg: fmt.Sprintf(
			"%s answers gRPC but not containerd's API (it has no containerd version service); "+
				"is it a CRI-only runtime such as CRI-O? Point -a/--address at containerd's socket", c.target.Endpoint)}
	case isStatus && s.Code() == codes.Unavailable && isHandshakeFailure(s.Message()):
		return &backend.Error{Kind: backend.ErrNotContainerd, Err: err, Msg: fmt.Sprintf(
			"%s accepts connections but does not speak gRPC, so it is not containerd (%s); "+
				"point -a/--address at containerd's socket", c.target.Endpoint, s.Message())}
	}
	return c.translate(err, "ask containerd for its version")
}

// isHandshakeFailure tells a peer that answered with something other than
// HTTP/2 (or hung up right after accepting) from one that refused or was
// missing: the dial worked, the gRPC transport did not.
func isHandshakeFailure(msg string) bool {
	for _, s := range []string{"preface", "http2", "EOF", "connection reset", "broken pipe", "frame"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Close ends the connection.
func (c *Client) Close() error { return c.c.Close() }

// Endpoint is the socket path this client talks to.
func (c *Client) Endpoint() string { return c.target.Endpoint }

// call returns ctx scoped to namespace ns ("" for calls that have none) and
// bounded by the client's timeout, unless the caller already set a deadline.
func (c *Client) call(ctx context.Context, ns string) (context.Context, context.CancelFunc) {
	if ns != "" {
		ctx = namespaces.WithNamespace(ctx, ns)
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// translate words err for the operator. The client's stores (images,
// containers, namespaces, content) turn gRPC statuses into errdefs errors:
// the class survives but the status that backend.Translate reads the
// transport cause from does not, so an unavailable daemon is given its status
// back. And once connected, a socket that vanished means the daemon went away
// (containerd removes its socket when it stops): that is a lost connection,
// which gRPC recovers from by itself when the daemon returns, not the
// startup problem ErrSocketMissing stands for.
func (c *Client) translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, isStatus := status.FromError(err); !isStatus && errdefs.IsUnavailable(err) {
		err = status.Error(codes.Unavailable, err.Error())
	}
	out := backend.Translate(err, c.target, what)
	var be *backend.Error
	if errors.Is(out, backend.ErrSocketMissing) && errors.As(out, &be) {
		return &backend.Error{Kind: backend.ErrUnavailable, Msg: be.Msg, Err: be.Err}
	}
	return out
}

// Version is the daemon's version, as `ctr version` prints it.
func (c *Client) Version(ctx context.Context) (backend.ServerVersion, error) {
	v, err := c.version(ctx)
	if err != nil {
		return v, c.translate(err, "ask containerd for its version")
	}
	return v, nil
}

func (c *Client) version(ctx context.Context) (backend.ServerVersion, error) {
	ctx, cancel := c.call(ctx, "")
	defer cancel()
	v, err := c.c.Version(ctx)
	if err != nil {
		return backend.ServerVersion{}, err
	}
	return backend.ServerVersion{Version: v.Version, Revision: v.Revision}, nil
}

// Namespaces lists the namespaces with their labels, sorted by name, as
// `ctr namespaces ls` does (one Labels call per namespace; nodes have few).
func (c *Client) Namespaces(ctx context.Context) ([]backend.Namespace, error) {
	ctx, cancel := c.call(ctx, "")
	defer cancel()
	store := c.c.NamespaceService()
	names, err := store.List(ctx)
	if err != nil {
		return nil, c.translate(err, "list namespaces")
	}
	sort.Strings(names)
	out := make([]backend.Namespace, 0, len(names))
	for _, n := range names {
		labels, err := store.Labels(ctx, n)
		if errdefs.IsNotFound(err) {
			continue // deleted between the two calls
		}
		if err != nil {
			return nil, c.translate(err, "read the labels of namespace "+n)
		}
		out = append(out, backend.Namespace{Name: n, Labels: labels})
	}
	return out, nil
}
