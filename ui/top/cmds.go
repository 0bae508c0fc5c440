package top

import (
	"context"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// Item is one running container and the namespace it lives in.
type Item struct {
	Namespace string
	backend.Container
}

// Key is the row's id: namespace and container id, since ids repeat
// across namespaces.
func (it Item) Key() string { return it.Namespace + "/" + it.ID }

// Lister is what :top lists with: namespaces and their containers joined
// with their tasks (backend.Native has both).
type Lister interface {
	backend.NamespaceLister
	backend.ContainerLister
}

// PodsOf is the CRI side's pod lister for Config.Pods; nil when the side
// is unavailable or cannot say.
func PodsOf(cri any) backend.PodRefLister {
	p, _ := cri.(backend.PodRefLister)
	return p
}

// load lists the running containers of every namespace (all) or of ns:
// one namespace list, then one container list and one bulk task list per
// namespace. In k8s.io each container's pod is its sandbox's, as CRI
// records it (pods, when not nil: one ListPodSandbox and one
// ListContainers per list, not per row), so a pod made without kubelet's
// labels (crictl runp) is named too; CRI not answering leaves the labels.
func load(ctx context.Context, l Lister, pods backend.PodRefLister, ns string, all bool) ([]Item, error) {
	names := []string{ns}
	if all {
		nss, err := l.Namespaces(ctx)
		if err != nil {
			return nil, err
		}
		names = names[:0]
		for _, n := range nss {
			names = append(names, n.Name)
		}
	}
	var out []Item
	for _, n := range names {
		ctrs, err := l.Containers(ctx, n)
		if err != nil {
			return out, err
		}
		if n == backend.CRINamespace && pods != nil {
			if refs, perr := pods.PodRefs(ctx); perr == nil {
				backend.JoinPods(ctrs, refs)
			}
		}
		for _, c := range ctrs {
			if c.Status() == backend.TaskRunning {
				out = append(out, Item{Namespace: n, Container: c})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

// nodeMsg answers nodeCmd.
type nodeMsg struct {
	sample backend.NodeSample
	err    error
}

// nodeCmd reads the node's totals from procDir ("" when ctui does not run
// on the node: then there are none).
func nodeCmd(procDir string, now func() time.Time) tea.Cmd {
	if procDir == "" {
		return nil
	}
	return func() tea.Msg {
		s, err := backend.ReadNode(procDir, now())
		return nodeMsg{sample: s, err: err}
	}
}
