// Package target finds the container behind a row, for the actions that
// work on one container (logs and exec) but are started from any list: a
// native container or task, a pod's container, or a whole pod. It learns
// both views of the container when the node has them, containerd's (the
// task, its log URI, whether it is paused) and CRI's (the log path, the
// attempt), because each action prefers a different one.
//
// Find makes backend calls: run it from a tea.Cmd, never from Update.
package target

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// Finder is the node as Find sees it. Either side may be nil, with the
// reason in NativeErr or CRIErr.
type Finder struct {
	Native    backend.ContainerGetter
	NativeErr error
	CRI       backend.PodContainerLister
	CRIErr    error
}

// Container is one container as the node knows it.
type Container struct {
	// Namespace is the containerd namespace of Native (k8s.io for a CRI
	// container), "" when containerd does not have it.
	Namespace string
	// ID is the container id, the same in containerd and CRI.
	ID string
	// Name is what the operator calls it: the pod and container name for
	// a pod's container, else the id.
	Name string
	// Native is containerd's record and task; nil when containerd does not
	// have the container (a CRI runtime that is not containerd).
	Native *backend.Container
	// CRI is CRI's view; nil for a container CRI does not manage.
	CRI *backend.PodContainer
	// Others names the pod's other containers when a pod was asked for and
	// one of several was picked, so the UI can say how to reach them.
	Others []string
}

// Supports reports whether Find can resolve objects of kind k: containers
// (and so tasks), pods and pod containers, not images or namespaces.
func Supports(k page.Kind) bool {
	return k == page.KindContainer || k == page.KindPodContainer || k == page.KindPod
}

// Find resolves obj to its container. A pod resolves to its newest running
// container (else its newest container).
func (f Finder) Find(ctx context.Context, obj page.Object) (Container, error) {
	switch obj.Kind {
	case page.KindContainer:
		return f.native(ctx, obj)
	case page.KindPodContainer:
		pcs, err := f.podContainers(ctx)
		if err != nil {
			return Container{}, err
		}
		i := slices.IndexFunc(pcs, func(c backend.PodContainer) bool { return c.ID == obj.ID })
		if i < 0 {
			return Container{}, backend.Errorf(backend.ErrNotFound, "container %s is gone: CRI no longer lists it", short(obj.ID))
		}
		return f.withNative(ctx, pcs[i], nil)
	case page.KindPod:
		pcs, err := f.podContainers(ctx)
		if err != nil {
			return Container{}, err
		}
		c, others, ok := Pick(pcs, obj.ID)
		if !ok {
			return Container{}, backend.Errorf(backend.ErrNotFound, "pod %s has no containers yet", cmp.Or(obj.Name, obj.ID))
		}
		return f.withNative(ctx, c, others)
	}
	return Container{}, backend.Errorf(backend.ErrUnsupported, "%s is not a container: logs and exec work on containers, tasks, pods and a pod's containers", obj.Title())
}

// native resolves a containerd container; in k8s.io the CRI view is added
// when CRI manages it, since that is where its log is.
func (f Finder) native(ctx context.Context, obj page.Object) (Container, error) {
	out := Container{Namespace: obj.Namespace, ID: obj.ID, Name: obj.ID}
	if f.Native == nil {
		return Container{}, unavailable("containerd", f.NativeErr)
	}
	c, err := f.Native.Container(ctx, obj.Namespace, obj.ID)
	if err != nil {
		return Container{}, err
	}
	out.Native = &c
	if obj.Namespace != backend.CRINamespace || f.CRI == nil || c.Kind == "sandbox" {
		return out, nil
	}
	pcs, err := f.CRI.PodContainers(ctx)
	if err != nil {
		return out, nil // the native view still serves exec and a file:// log
	}
	if i := slices.IndexFunc(pcs, func(p backend.PodContainer) bool { return p.ID == obj.ID }); i >= 0 {
		out.CRI = &pcs[i]
		out.Name = podName(pcs[i])
	}
	return out, nil
}

// withNative adds containerd's view of a CRI container, when the
// containerd ctui talks to is the one serving CRI.
func (f Finder) withNative(ctx context.Context, pc backend.PodContainer, others []string) (Container, error) {
	out := Container{ID: pc.ID, Name: podName(pc), CRI: &pc, Others: others}
	if f.Native == nil {
		return out, nil
	}
	c, err := f.Native.Container(ctx, backend.CRINamespace, pc.ID)
	switch {
	case err == nil:
		out.Native, out.Namespace = &c, backend.CRINamespace
	case errors.Is(err, backend.ErrNotFound):
		// A CRI runtime other than this containerd (CRI-O): CRI only.
	default:
		return Container{}, err
	}
	return out, nil
}

func (f Finder) podContainers(ctx context.Context) ([]backend.PodContainer, error) {
	if f.CRI == nil {
		return nil, unavailable("CRI", f.CRIErr)
	}
	return f.CRI.PodContainers(ctx)
}

// Pick chooses the container of pod podID an action on the whole pod
// means: the newest running one, else the newest. others are the names of
// the pod's other containers (each once), sorted.
func Pick(pcs []backend.PodContainer, podID string) (c backend.PodContainer, others []string, ok bool) {
	var mine []backend.PodContainer
	for _, p := range pcs {
		if p.PodID == podID {
			mine = append(mine, p)
		}
	}
	if len(mine) == 0 {
		return backend.PodContainer{}, nil, false
	}
	slices.SortStableFunc(mine, func(a, b backend.PodContainer) int {
		ra, rb := a.State == backend.ContainerRunning, b.State == backend.ContainerRunning
		if ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	c = mine[0]
	for _, p := range mine[1:] {
		if p.Name != c.Name && !slices.Contains(others, p.Name) {
			others = append(others, p.Name)
		}
	}
	slices.SortFunc(others, cmp.Compare)
	return c, others, true
}

// podName is namespace/pod/container, as an operator finds it in kubectl.
func podName(c backend.PodContainer) string {
	n := c.Name
	if n == "" {
		n = short(c.ID)
	}
	if c.PodName == "" {
		return n
	}
	p := c.PodName
	if c.PodNamespace != "" {
		p = c.PodNamespace + "/" + p
	}
	return p + "/" + n
}

func short(id string) string {
	if len(id) > 13 {
		return id[:13]
	}
	return id
}

func unavailable(side string, err error) error {
	if err != nil {
		return err
	}
	return backend.Errorf(backend.ErrUnsupported, "%s is not connected", side)
}
