package backend

import (
	"fmt"
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
	Debug    bool
}

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

// KnownSocketPaths lists the paths of KnownSockets, for error hints.
func KnownSocketPaths() []string {
	out := make([]string, len(KnownSockets))
	for i, k := range KnownSockets {
		out[i] = k.Path
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
}

// ResolveEndpoints fills in what was not configured, as ctr and crictl would
// agree: one containerd socket serves both APIs, so a missing address is the
// runtime endpoint's socket and the reverse; with neither, the first of
// KnownSockets that exists (isSocket says which do). The image endpoint falls
// back to the runtime endpoint.
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

	switch {
	case addr == "" && rt == "":
		detected := false
		for _, k := range KnownSockets {
			if !isSocket(k.Path) {
				continue
			}
			why := "autodetected: " + k.What + " at " + k.Path
			if k.Containerd {
				c.Address, c.AddressSource = k.Path, why
			} else {
				c.AddressSource = "none: " + k.What + " serves no containerd API"
			}
			c.RuntimeEndpoint, c.RuntimeSource = "unix://"+k.Path, why
			detected = true
			break
		}
		if !detected {
			def := KnownSockets[0].Path
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
