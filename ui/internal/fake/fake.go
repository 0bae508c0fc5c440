// Package fake is an in-memory backend for UI model tests: it answers
// instantly from maps and records what was asked, so tests can assert on
// both the model's state and the calls its commands made.
package fake

import (
	"context"
	"sync"

	"github.com/ctui/ctui/backend"
)

// Native is a fake containerd. Set the exported fields before use; Err, when
// set, is returned by every call (a lost connection, say).
type Native struct {
	mu          sync.Mutex
	NS          []backend.Namespace
	ImagesByNS  map[string][]backend.Image
	Details     map[string]backend.ImageDetails // by digest
	Ctrs        map[string][]backend.Container
	Ver         backend.ServerVersion
	Err         error
	DetailCalls []string // digests ImageDetails was asked for, in order
	ListCalls   []string // namespaces Images was asked for
}

var _ backend.Native = (*Native)(nil)

// SetErr sets or clears the error every call returns.
func (n *Native) SetErr(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Err = err
}

func (n *Native) err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.Err
}

// Namespaces implements backend.NamespaceLister.
func (n *Native) Namespaces(ctx context.Context) ([]backend.Namespace, error) {
	if err := n.err(); err != nil {
		return nil, err
	}
	return n.NS, nil
}

// Images implements backend.ImageLister.
func (n *Native) Images(ctx context.Context, ns string) ([]backend.Image, error) {
	n.mu.Lock()
	n.ListCalls = append(n.ListCalls, ns)
	n.mu.Unlock()
	if err := n.err(); err != nil {
		return nil, err
	}
	out := make([]backend.Image, len(n.ImagesByNS[ns]))
	copy(out, n.ImagesByNS[ns])
	for i := range out {
		out[i].Size, out[i].Platforms = backend.SizeUnknown, nil
	}
	return out, nil
}

// ImageDetails implements backend.ImageLister.
func (n *Native) ImageDetails(ctx context.Context, ns string, img backend.Image) (backend.ImageDetails, error) {
	n.mu.Lock()
	n.DetailCalls = append(n.DetailCalls, img.Digest)
	n.mu.Unlock()
	if err := n.err(); err != nil {
		return backend.ImageDetails{}, err
	}
	d, ok := n.Details[img.Digest]
	if !ok {
		return backend.ImageDetails{Size: backend.SizeUnknown}, nil
	}
	return d, nil
}

// Containers implements backend.ContainerLister.
func (n *Native) Containers(ctx context.Context, ns string) ([]backend.Container, error) {
	if err := n.err(); err != nil {
		return nil, err
	}
	return n.Ctrs[ns], nil
}

// Events implements backend.EventSource with a stream that ends with ctx.
func (n *Native) Events(ctx context.Context, ns string) (<-chan backend.Event, <-chan error) {
	ev, errc := make(chan backend.Event), make(chan error, 1)
	go func() {
		<-ctx.Done()
		close(ev)
		errc <- nil
	}()
	return ev, errc
}

// Version implements backend.Native.
func (n *Native) Version(ctx context.Context) (backend.ServerVersion, error) {
	if err := n.err(); err != nil {
		return backend.ServerVersion{}, err
	}
	return n.Ver, nil
}

// Close implements backend.Native.
func (n *Native) Close() error { return nil }

// Runtime is a fake CRI runtime.
type Runtime struct {
	mu   sync.Mutex
	Ver  backend.RuntimeVersion
	Stat backend.RuntimeStatus
	Err  error
}

var _ backend.Runtime = (*Runtime)(nil)

func (r *Runtime) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Err
}

// SetErr sets or clears the error every call returns.
func (r *Runtime) SetErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Err = err
}

// Version implements backend.Runtime.
func (r *Runtime) Version(ctx context.Context) (backend.RuntimeVersion, error) {
	if err := r.err(); err != nil {
		return backend.RuntimeVersion{}, err
	}
	return r.Ver, nil
}

// Status implements backend.Runtime.
func (r *Runtime) Status(ctx context.Context) (backend.RuntimeStatus, error) {
	if err := r.err(); err != nil {
		return backend.RuntimeStatus{}, err
	}
	return r.Stat, nil
}

// Pods implements backend.Runtime.
func (r *Runtime) Pods(ctx context.Context) ([]backend.Pod, error) { return nil, r.err() }

// PodContainers implements backend.Runtime.
func (r *Runtime) PodContainers(ctx context.Context) ([]backend.PodContainer, error) {
	return nil, r.err()
}

// Images implements backend.Runtime.
func (r *Runtime) Images(ctx context.Context) ([]backend.CRIImage, error) { return nil, r.err() }

// ImageFsInfo implements backend.Runtime.
func (r *Runtime) ImageFsInfo(ctx context.Context) ([]backend.FilesystemUsage, error) {
	return nil, r.err()
}

// Close implements backend.Runtime.
func (r *Runtime) Close() error { return nil }
