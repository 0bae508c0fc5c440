package backend

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Config is where and how ctui connects, after flags, environment, config
// files and autodetection were weighed (see cmd/ctui). Each *Source field says
// where the value came from, for the header and `ctui version`.
type Config struct {
	// Address is containerd's socket path (ctr's --address), without unix://.
	// Empty when the runtime serves only CRI (CRI-O).
	Address       string
	AddressSource string
	// Namespace is the containerd namespace the native views open in.
	Namespace       string
	NamespaceSource string
	// RuntimeEndpoint and ImageEndpoint are CRI endpoints as crictl takes
	// them: unix:///path or tcp://host:port.
	RuntimeEndpoint string
	RuntimeSource   string
	ImageEndpoint   string
	ImageSource     string
	// Timeout bounds connecting and each unary call (crictl's --timeout);
	// it does not bound pulls, pushes, imports, exports or streams.
	Timeout  time.Duration
	Readonly bool
	// ReadonlyContext names the context that made ctui read-only (its
	// readonly: true, "prod of ~/.config/ctui/config.yaml"), "" when
	// --readonly did or nothing did: the refusals say what to change.
	ReadonlyContext string
	Debug           bool
	// Context is the name of the ctui context these settings came from
	// (~/.config/ctui/config.yaml), "" when none; the header shows it.
	Context string
	// HostRoot is where the node's root filesystem is as ctui sees it:
	// "" when ctui runs on the node itself, /host in a `kubectl debug
	// node/NAME` container. Paths the runtime reports (CRI log paths, a
	// task's file:// log) are read under it; see HostPath.
	HostRoot       string
	HostRootSource string

	// Remote is the ssh:// endpoint of a node ctui does not run on, as
	// configured ("" on the node itself), and RemoteSource where it was
	// named; cmd/ctui opens Transport from it.
	Remote       string
	RemoteSource string
	// Transport reaches a remote node (ssh://, backend/remote); nil on the
	// node itself. With it, Address and the endpoints' paths are sockets on
	// that node, dialed through it.
	Transport Transport
}

// DefaultHostRoot is where `kubectl debug node/NAME` mounts the node's root
// filesystem in its debug container; ctui looks for the node's sockets
// under it when none exists at its own /.
const DefaultHostRoot = "/host"

// HostPath is the path at which ctui reads p, a path on the node's
// filesystem as the runtime reports it (a CRI log path, a task's log file):
// p itself on the node, p under HostRoot in a debug container.
func (c Config) HostPath(p string) string { return HostPath(c.HostRoot, p) }

// HostLogURI is a task's log URI as ctui reads it: a file:// URI's path
// under root (see HostPath); fifos and binary:// loggers are left as they are.
func HostLogURI(root, uri string) string {
	if p, ok := strings.CutPrefix(uri, "file:///"); ok {
		return "file://" + HostPath(root, "/"+p)
	}
	return uri
}

// HostPath is p, an absolute path on the node, as seen from where the
// node's root is mounted at root ("" or / for the node itself).
func HostPath(root, p string) string {
	if root == "" || root == "/" || !filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// Transport carries ctui's connections to a node it does not run on, and
// runs commands there (backend/remote implements it over SSH).
type Transport interface {
	// DialSocket connects to a unix socket on the node.
	DialSocket(ctx context.Context, path string) (net.Conn, error)
	// DialTCP connects to host:port as the node sees it (its loopback, for
	// CRI's exec stream server).
	DialTCP(ctx context.Context, addr string) (net.Conn, error)
	// Command prepares argv to run on the node (with a terminal when tty).
	Command(ctx context.Context, tty bool, argv ...string) *exec.Cmd
	// Where names a socket on the node for sentences and the header
	// (ssh://user@host/run/containerd/containerd.sock).
	Where(path string) string
	// Node names the node (ssh://user@host:port).
	Node() string
	Close() error
}

// Where names socket path for sentences: the path itself on the node, or
// where it is when the node is remote.
func (c Config) Where(path string) string {
	if c.Transport != nil {
		return c.Transport.Where(path)
	}
	return path
}

// WhereEndpoint names a CRI endpoint for sentences: as configured (URL
// form) on the node itself, and a unix socket of a remote node as Where
// names it, with the node.
func (c Config) WhereEndpoint(ep string) string {
	if p, ok := SocketPath(ep); ok && c.Transport != nil {
		return c.Where(p)
	}
	return ep
}

// RemoteWindow is the HTTP/2 flow-control window (per stream and per
// connection) of a gRPC connection carried by a Transport. gRPC starts at
// 64 KiB and grows it by measuring, a doubling per round trip: over a link
// with 100 ms round trips a 3 MB answer (10,000 image records) then takes
// a dozen round trips instead of one and the transfer. A window this size
// lets any answer up to it come in one round trip; memory is spent only as
// data arrives.
const RemoteWindow = 16 << 20

// DefaultTimeout is used when no timeout is configured: ctr's connect timeout.
const DefaultTimeout = 10 * time.Second

// DefaultNamespace is ctr's default namespace.
const DefaultNamespace = "default"

// CRINamespace is where containerd's CRI plugin keeps everything.
const CRINamespace = "k8s.io"

// NormalizeEndpoint returns a CRI endpoint in URL form: a bare path becomes
// unix://path, as crictl takes it.
func NormalizeEndpoint(ep string) (string, error) {
	ep = strings.TrimSpace(ep)
	switch {
	case ep == "":
		return "", nil
	case strings.HasPrefix(ep, "/"):
		return "unix://" + ep, nil
	case strings.HasPrefix(ep, "unix://"), strings.HasPrefix(ep, "tcp://"):
		return ep, nil
	case strings.HasPrefix(ep, "npipe://"):
		return "", Errorf(ErrInvalid, "endpoint %q: named pipes exist only on Windows", ep)
	}
	return "", Errorf(ErrInvalid, "endpoint %q: use unix:///path/to/socket, tcp://host:port or an absolute socket path", ep)
}

// SocketPath returns the file path of a unix endpoint (with or without the
// unix:// prefix) and false for any other endpoint.
func SocketPath(ep string) (string, bool) {
	switch {
	case strings.HasPrefix(ep, "unix://"):
		return strings.TrimPrefix(ep, "unix://"), true
	case strings.HasPrefix(ep, "/"):
		return ep, true
	}
	return "", false
}

// KnownSocket is a runtime socket ctui looks for when nothing names one.
type KnownSocket struct {
	Path string
	What string // who serves it, for the "why this socket" sentence
	// Containerd is true when the socket serves containerd's native API
	// as well as CRI; false for CRI-only runtimes.
	Containerd bool
}

// KnownSockets is the autodetection order: upstream containerd, then the
// containerd that k3s, RKE2 and microk8s embed, Docker's, then CRI-only
// runtimes.
var KnownSockets = []KnownSocket{
	{"/run/containerd/containerd.sock", "containerd", true},
	{"/run/k3s/containerd/containerd.sock", "k3s/RKE2's embedded containerd", true},
	{"/var/snap/microk8s/common/run/containerd.sock", "microk8s's containerd", true},
	{"/var/run/docker/containerd/containerd.sock", "Docker's containerd", true},
	{"/run/crio/crio.sock", "CRI-O (CRI only)", false},
	{"/var/run/cri-dockerd.sock", "cri-dockerd (CRI only)", false},
}

// KnownSocketPaths lists the paths of KnownSockets, on the node and under
// DefaultHostRoot, for error hints.
func KnownSocketPaths() []string {
	out := make([]string, 0, 2*len(KnownSockets))
	for _, root := range []string{"", DefaultHostRoot} {
		for _, k := range KnownSockets {
			out = append(out, root+k.Path)
		}
	}
	return out
}

// Setting is one configured value and where it came from ("flag --address",
// "env CONTAINERD_ADDRESS", "/etc/crictl.yaml").
type Setting struct {
	Value  string
	Source string
}

// Endpoints are the raw endpoint settings, each already reduced to the
// winner of flag > env > config file.
type Endpoints struct {
	Address         Setting
	RuntimeEndpoint Setting
	ImageEndpoint   Setting
	// HostRoot is the node's root as ctui sees it (--host-root); empty
	// lets autodetection decide: / when a known socket exists there, else
	// DefaultHostRoot when one exists under it.
	HostRoot Setting
}

// ResolveEndpoints fills in what was not configured, as ctr and crictl would
// agree: one containerd socket serves both APIs, so a missing address is the
// runtime endpoint's socket and the reverse; with neither, the first of
// KnownSockets that exists (isSocket says which do), on the node's root: /,
// else DefaultHostRoot, where a `kubectl debug node` container sees the
// node; a configured host root is the only place looked at. The image
// endpoint falls back to the runtime endpoint.
func ResolveEndpoints(in Endpoints, isSocket func(string) bool) (Config, error) {
	var c Config
	rt, err := NormalizeEndpoint(in.RuntimeEndpoint.Value)
	if err != nil {
		return c, fmt.Errorf("runtime endpoint from %s: %w", in.RuntimeEndpoint.Source, err)
	}
	img, err := NormalizeEndpoint(in.ImageEndpoint.Value)
	if err != nil {
		return c, fmt.Errorf("image endpoint from %s: %w", in.ImageEndpoint.Source, err)
	}
	addr := strings.TrimPrefix(strings.TrimSpace(in.Address.Value), "unix://")
	c.Address, c.AddressSource = addr, in.Address.Source
	c.RuntimeEndpoint, c.RuntimeSource = rt, in.RuntimeEndpoint.Source
	if root := strings.TrimSpace(in.HostRoot.Value); root != "" {
		if !filepath.IsAbs(root) {
			return c, Errorf(ErrInvalid, "host root %q from %s: want an absolute directory such as %s", root, in.HostRoot.Source, DefaultHostRoot)
		}
		if root = filepath.Clean(root); root != "/" {
			c.HostRoot = root
		}
		c.HostRootSource = in.HostRoot.Source
	}

	switch {
	case addr == "" && rt == "":
		roots := []string{c.HostRoot}
		if in.HostRoot.Value == "" {
			roots = append(roots, DefaultHostRoot)
		}
		detected := false
	search:
		for _, root := range roots {
			for _, k := range KnownSockets {
				p := root + k.Path
				if !isSocket(p) {
					continue
				}
				why := "autodetected: " + k.What + " at " + p
				if root != c.HostRoot {
					c.HostRoot, c.HostRootSource = root, "autodetected: the node's runtime socket is under "+root+" (as in kubectl debug node)"
				}
				if k.Containerd {
					c.Address, c.AddressSource = p, why
				} else {
					c.AddressSource = "none: " + k.What + " serves no containerd API"
				}
				c.RuntimeEndpoint, c.RuntimeSource = "unix://"+p, why
				detected = true
				break search
			}
		}
		if !detected {
			def := c.HostRoot + KnownSockets[0].Path
			why := "default (none of the known runtime sockets exists)"
			c.Address, c.AddressSource = def, why
			c.RuntimeEndpoint, c.RuntimeSource = "unix://"+def, why
		}
	case rt == "":
		c.RuntimeEndpoint, c.RuntimeSource = "unix://"+addr, "same socket as the containerd address ("+in.Address.Source+")"
	case addr == "":
		if p, ok := SocketPath(rt); ok {
			c.Address, c.AddressSource = p, "same socket as the runtime endpoint ("+in.RuntimeEndpoint.Source+")"
		} else {
			c.AddressSource = "none: the runtime endpoint " + rt + " is not a unix socket"
		}
	}
	c.ImageEndpoint, c.ImageSource = img, in.ImageEndpoint.Source
	if img == "" {
		c.ImageEndpoint, c.ImageSource = c.RuntimeEndpoint, "same as the runtime endpoint"
	}
	return c, nil
}
