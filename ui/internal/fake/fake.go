// Package fake is an in-memory backend for UI model tests: it answers
// instantly from maps and records what was asked, so tests can assert on
// both the model's state and the calls its commands made.
package fake

import (
	"context"
	"slices"
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

	// CtrListCalls and CtrLookups record Containers (by namespace) and
	// Container (by id) calls, so tests can tell a patch from a re-list.
	CtrListCalls []string
	CtrLookups   []string

	subs []*sub // open event streams, see events.go
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
	n.mu.Lock()
	out := slices.Clone(n.ImagesByNS[ns])
	n.mu.Unlock()
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
	n.mu.Lock()
	defer n.mu.Unlock()
	n.CtrListCalls = append(n.CtrListCalls, ns)
	if n.Err != nil {
		return nil, n.Err
	}
	return slices.Clone(n.Ctrs[ns]), nil
}

// Container looks one container up, as backend/containerd's Client does;
// a missing one is backend.ErrNotFound.
func (n *Native) Container(ctx context.Context, ns, id string) (backend.Container, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.CtrLookups = append(n.CtrLookups, id)
	if n.Err != nil {
		return backend.Container{}, n.Err
	}
	for _, c := range n.Ctrs[ns] {
		if c.ID == id {
			return c, nil
		}
	}
	return backend.Container{}, backend.Errorf(backend.ErrNotFound, "container %s not found in namespace %s", id, ns)
}

// SetContainers replaces the containers of ns, safely while commands run.
func (n *Native) SetContainers(ns string, ctrs []backend.Container) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.Ctrs == nil {
		n.Ctrs = map[string][]backend.Container{}
	}
	n.Ctrs[ns] = ctrs
}

// SetImages replaces the images of ns, safely while commands run.
func (n *Native) SetImages(ns string, imgs []backend.Image) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ImagesByNS == nil {
		n.ImagesByNS = map[string][]backend.Image{}
	}
	n.ImagesByNS[ns] = imgs
}

// Calls returns copies of the call records, safely while commands run.
func (n *Native) Calls() (imageLists, ctrLists, lookups []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.ListCalls), slices.Clone(n.CtrListCalls), slices.Clone(n.CtrLookups)
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

	PodList []backend.Pod          // what Pods answers
	PodCtrs []backend.PodContainer // what PodContainers answers
	Imgs    []backend.CRIImage     // what Images answers
	Calls   map[string]int         // calls by method name
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
func (r *Runtime) Pods(ctx context.Context) ([]backend.Pod, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count("Pods")
	return slices.Clone(r.PodList), r.Err
}

// PodContainers implements backend.Runtime.
func (r *Runtime) PodContainers(ctx context.Context) ([]backend.PodContainer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count("PodContainers")
	return slices.Clone(r.PodCtrs), r.Err
}

// PodRefs implements backend.PodRefLister from PodList and PodCtrs: each
// pod container by its PodID's pod, each pod by its own id.
func (r *Runtime) PodRefs(ctx context.Context) (map[string]backend.PodRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count("PodRefs")
	return r.refs(), r.Err
}

// PodOf implements backend.PodFinder.
func (r *Runtime) PodOf(ctx context.Context, id string) (backend.PodRef, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count("PodOf")
	ref, ok := r.refs()[id]
	return ref, ok, r.Err
}

func (r *Runtime) refs() map[string]backend.PodRef {
	out := map[string]backend.PodRef{}
	for _, p := range r.PodList {
		out[p.ID] = backend.PodRef{SandboxID: p.ID, Name: p.Name, Namespace: p.Namespace, UID: p.UID}
	}
	for _, pc := range r.PodCtrs {
		if ref, ok := out[pc.PodID]; ok {
			ref.Container = pc.Name
			out[pc.ID] = ref
		}
	}
	return out
}

// Images implements backend.Runtime.
func (r *Runtime) Images(ctx context.Context) ([]backend.CRIImage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count("Images")
	return slices.Clone(r.Imgs), r.Err
}

// Count returns how often method was called, safely while commands run.
func (r *Runtime) Count(method string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Calls[method]
}

// SetPodContainers replaces what PodContainers answers.
func (r *Runtime) SetPodContainers(pcs []backend.PodContainer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.PodCtrs = pcs
}

func (r *Runtime) count(method string) {
	if r.Calls == nil {
		r.Calls = map[string]int{}
	}
	r.Calls[method]++
}

// ImageFsInfo implements backend.Runtime.
func (r *Runtime) ImageFsInfo(ctx context.Context) ([]backend.FilesystemUsage, error) {
	return nil, r.err()
}

// Close implements backend.Runtime.
func (r *Runtime) Close() error { return nil }
