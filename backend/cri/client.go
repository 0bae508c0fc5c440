// Package cri is ctui's adapter over the Kubernetes CRI API (runtime.v1): the
// runtime service for pods and containers and the image service for images,
// called the way crictl calls them. It implements backend.Runtime, and it
// speaks to any CRI runtime, not only containerd: CRI-O and cri-dockerd serve
// the same API.
package cri

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/containerd/errdefs/pkg/errgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

// MaxMsgSize bounds one gRPC answer. crictl and kubelet use 16 MB, which a
// ListContainers of a few thousand containers with Kubernetes' annotations
// already approaches; ctui only reads, so it allows four times that. The
// limit is a cap, not an allocation.
const MaxMsgSize = 64 << 20

// Client talks CRI to a runtime and an image endpoint. It is safe for
// concurrent use; the UI's commands call it from their own goroutines.
type Client struct {
	runtime runtimeapi.RuntimeServiceClient
	images  runtimeapi.ImageServiceClient

	runtimeConn *grpc.ClientConn
	imageConn   *grpc.ClientConn // == runtimeConn when both endpoints are the same

	runtimeEP string // endpoints in URL form, as configured
	imageEP   string
	// rtWhere and imgWhere name the endpoints in error sentences
	// (Config.WhereEndpoint: with the node when it is remote).
	rtWhere, imgWhere string
	timeout           time.Duration
	// hostRoot is where the node's root is mounted (Config.HostRoot): log
	// paths CRI reports are read under it.
	hostRoot string
	// transport reaches a remote node's sockets and its exec stream
	// server; nil on the node itself.
	transport backend.Transport
}

var _ backend.Runtime = (*Client)(nil)

// New connects to cfg.RuntimeEndpoint and cfg.ImageEndpoint (the runtime
// endpoint when empty) and proves with one Version call that the runtime
// endpoint serves CRI, so a wrong socket fails here with a sentence rather
// than on the first page the operator opens.
//
// cfg.Timeout (backend.DefaultTimeout when zero) is, as in crictl, both the
// connect timeout and the deadline of each unary call that comes with a ctx
// without one of its own. A unix socket is checked with backend.CheckSocket
// before any dialing, so a missing socket is named as missing, with the
// sockets that do exist. A containerd whose cri plugin is disabled answers
// Unimplemented, which New reports as backend.ErrCRIUnavailable.
func New(ctx context.Context, cfg backend.Config) (*Client, error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = backend.DefaultTimeout
	}
	rtEP, err := endpoint(cfg.RuntimeEndpoint, "runtime", cfg.Transport)
	if err != nil {
		return nil, err
	}
	imgEP := rtEP
	if cfg.ImageEndpoint != "" {
		if imgEP, err = endpoint(cfg.ImageEndpoint, "image", cfg.Transport); err != nil {
			return nil, err
		}
	}

	c := &Client{runtimeEP: rtEP, imageEP: imgEP, rtWhere: cfg.WhereEndpoint(rtEP), imgWhere: cfg.WhereEndpoint(imgEP),
		timeout: timeout, hostRoot: cfg.HostRoot, transport: cfg.Transport}
	if c.runtimeConn, err = dial(rtEP, timeout, cfg.Transport); err != nil {
		return nil, err
	}
	c.imageConn = c.runtimeConn
	if imgEP != rtEP {
		if c.imageConn, err = dial(imgEP, timeout, cfg.Transport); err != nil {
			c.runtimeConn.Close()
			return nil, err
		}
	}
	c.runtime = runtimeapi.NewRuntimeServiceClient(c.runtimeConn)
	c.images = runtimeapi.NewImageServiceClient(c.imageConn)

	if _, err := c.Version(ctx); err != nil {
		c.Close()
		if errors.Is(err, backend.ErrCRIUnavailable) {
			return nil, &backend.Error{Kind: backend.ErrCRIUnavailable, Err: err, Msg: fmt.Sprintf(
				"%s does not serve the CRI API (v1): containerd's cri plugin is disabled or failed to load "+
					"(`ctr plugins ls` says which); the containerd views (images, containers, tasks) still work, "+
					"only the Kubernetes views (pods, CRI images) are unavailable", rtEP)}
		}
		return nil, err
	}
	return c, nil
}

// endpoint normalizes a configured endpoint and, for a unix socket, checks
// that the socket is there and usable before anything dials it.
func endpoint(ep, which string, t backend.Transport) (string, error) {
	norm, err := backend.NormalizeEndpoint(ep)
	if err != nil {
		return "", err
	}
	if norm == "" {
		return "", backend.Errorf(backend.ErrInvalid, "no CRI %s endpoint is configured; use -r/--runtime-endpoint unix:///path/to/socket", which)
	}
	if t != nil {
		if _, ok := backend.SocketPath(norm); !ok {
			return "", backend.Errorf(backend.ErrInvalid, "CRI %s endpoint %s: over SSH only unix sockets on the node can be reached", which, norm)
		}
		return norm, nil // the remote side checked the socket on the node
	}
	if path, ok := backend.SocketPath(norm); ok {
		if err := backend.CheckSocket(path, "CRI", backend.KnownSocketPaths()); err != nil {
			return "", err
		}
	}
	return norm, nil
}

// dial prepares a connection; gRPC connects lazily, on the first call. The
// backoff is kubelet's (100 ms growing to 3 s, not gRPC's 120 s), so a
// restarted runtime is found again within seconds and the UI's "connection
// lost" panel clears by itself. Calls do not wait for a connection to become
// ready (gRPC's fail-fast default): a stopped daemon fails the next call at
// once as Unavailable instead of hanging until the deadline.
func dial(ep string, timeout time.Duration, t backend.Transport) (*grpc.ClientConn, error) {
	network, addr := "unix", ""
	if path, ok := backend.SocketPath(ep); ok {
		addr = path
	} else {
		network, addr = "tcp", ep[len("tcp://"):]
	}
	dialer := func(ctx context.Context, _ string) (net.Conn, error) {
		d := net.Dialer{Timeout: timeout}
		return d.DialContext(ctx, network, addr)
	}
	var remote []grpc.DialOption
	if t != nil {
		dialer = func(ctx context.Context, _ string) (net.Conn, error) { return t.DialSocket(ctx, addr) }
		remote = []grpc.DialOption{grpc.WithInitialWindowSize(backend.RemoteWindow), grpc.WithInitialConnWindowSize(backend.RemoteWindow)}
	}
	conn, err := grpc.NewClient("passthrough:///"+addr, append(remote,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dialer),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{
				BaseDelay:  100 * time.Millisecond,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   3 * time.Second,
			},
			// Longer than a call, so the call's deadline ends a silent
			// handshake as a timeout (see the containerd client).
			MinConnectTimeout: 2 * timeout,
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMsgSize)),
	)...)
	if err != nil {
		return nil, backend.Translate(err, backend.Target{API: "CRI", Endpoint: ep}, "connect to "+ep)
	}
	return conn, nil
}

// Close closes the connections. Calls in flight fail with ErrCanceled.
func (c *Client) Close() error {
	err := c.runtimeConn.Close()
	if c.imageConn != c.runtimeConn {
		if ierr := c.imageConn.Close(); err == nil {
			err = ierr
		}
	}
	return err
}

// Endpoints returns the runtime and image endpoints in URL form, for the
// header and error panels.
func (c *Client) Endpoints() (runtime, image string) { return c.runtimeEP, c.imageEP }

// unary bounds one unary call by the configured timeout unless the caller's
// ctx already carries a deadline, which then wins (crictl's rule; a caller
// that wants longer says so with its own deadline).
func (c *Client) unary(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// rtErr and imgErr translate an error from the runtime or image service into
// a sentence naming the endpoint.
func (c *Client) rtErr(err error, what string) error {
	return translate(err, c.rtWhere, what)
}

func (c *Client) imgErr(err error, what string) error {
	return translate(err, c.imgWhere, what)
}

// translate is backend.Translate for CRI. The CRI service answers with bare
// gRPC codes, so the codes that say something about the object (NotFound,
// AlreadyExists, InvalidArgument, FailedPrecondition) are turned into
// containerd's errdefs first, which Translate words; the transport codes
// (Unavailable, Unimplemented, DeadlineExceeded) stay as they are, except
// one: a peer that accepts the connection but never sends its HTTP/2
// preface makes gRPC close the connection when the connect timeout ends, and
// the call then fails as Unavailable ("error reading server preface: use of
// closed network connection"). That is a daemon not answering in time, and
// is reported as such.
func translate(err error, ep, what string) error {
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.NotFound, codes.AlreadyExists, codes.InvalidArgument, codes.FailedPrecondition:
			err = errgrpc.ToNative(err)
		case codes.Unavailable:
			if m := s.Message(); strings.Contains(m, "server preface") && strings.Contains(m, "use of closed network connection") {
				err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
			}
		}
	}
	err = backend.Translate(err, backend.Target{API: "CRI", Endpoint: ep}, what)
	if errors.Is(err, backend.ErrSocketMissing) {
		// A stopping containerd removes its socket, so a call after the
		// daemon went away finds no socket rather than a refused connect.
		// For a client that was connected that is a lost connection, which
		// the UI shows as a panel that clears when the daemon is back; the
		// socket sentence stays, and errors.Is still sees ErrSocketMissing
		// through Unwrap.
		err = &backend.Error{Kind: backend.ErrUnavailable, Msg: err.Error(), Err: err}
	}
	return err
}
