package containers

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// loadedMsg answers loadCmd. sent is the page's event sequence when the
// list was asked for: rows that events changed after it keep what the
// events said.
type loadedMsg struct {
	gen, sent uint64
	ctrs      []backend.Container
	err       error
	at        time.Time
}

// lookedUpMsg answers lookupCmd: the containers found, and the ids that no
// longer exist.
type lookedUpMsg struct {
	gen, sent uint64
	found     []backend.Container
	gone      []string
	err       error
}

// criMsg answers criCmd.
type criMsg struct {
	gen  uint64
	pcs  []backend.PodContainer
	refs map[string]backend.PodRef // nil when the lister has none
	err  error
}

// flushMsg ends a Coalesce window: time for the calls the events asked for.
type flushMsg struct{ gen uint64 }

// loadCmd lists the containers of ns joined with their tasks (one container
// list, one bulk task list in the adapter). Built from values only.
func loadCmd(parent context.Context, l backend.ContainerLister, clock backend.Clock, ns string, timeout time.Duration, gen, sent uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		ctrs, err := l.Containers(ctx, ns)
		return loadedMsg{gen: gen, sent: sent, ctrs: ctrs, err: err, at: clock.Now()}
	}
}

// lookupCmd looks up a few containers one by one (a container record and a
// task each): for a handful of new containers that is cheaper than listing
// thousands.
func lookupCmd(parent context.Context, g backend.ContainerGetter, ns string, ids []string, timeout time.Duration, gen, sent uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		msg := lookedUpMsg{gen: gen, sent: sent}
		for _, id := range ids {
			c, err := g.Container(ctx, ns, id)
			switch {
			case err == nil:
				msg.found = append(msg.found, c)
			case errors.Is(err, backend.ErrNotFound):
				msg.gone = append(msg.gone, id)
			default:
				msg.err = err
				return msg
			}
		}
		return msg
	}
}

// criCmd asks CRI for its containers, for ATTEMPT and the pod of each row.
func criCmd(parent context.Context, l backend.PodContainerLister, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		pcs, err := l.PodContainers(ctx)
		msg := criMsg{gen: gen, pcs: pcs, err: err}
		if r, ok := l.(backend.PodRefLister); ok && err == nil {
			// The pod of every container and sandbox by its sandbox's
			// metadata (two bulk calls): a pod made without kubelet's
			// labels (crictl runp) is named too, its sandbox row
			// included. Without it the columns keep what they had.
			msg.refs, _ = r.PodRefs(ctx)
		}
		return msg
	}
}
