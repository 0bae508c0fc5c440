package namespaces

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// Counter is what the page counts with: the image list and the container
// list (joined with one bulk task list), the cheapest calls that give the
// three numbers. backend.Native has both.
type Counter interface {
	Images(ctx context.Context, namespace string) ([]backend.Image, error)
	Containers(ctx context.Context, namespace string) ([]backend.Container, error)
}

// maxCounting bounds the namespaces counted at once: a namespace with
// 10,000 images takes a moment, and the daemon serves other clients too.
const maxCounting = 2

// countCoalesce is how long events gather before a namespace is counted
// again: counts need a whole list, and nobody reads a count to the second.
const countCoalesce = 2 * time.Second

// counts are the numbers shown for one namespace.
type counts struct {
	images, containers, running int
}

// countedMsg answers countCmd.
type countedMsg struct {
	gen uint64
	ns  string
	c   counts
	err error
}

// flushMsg ends a coalescing window.
type flushMsg struct{ gen uint64 }

// countCmd counts the images, containers and running tasks of ns.
func countCmd(parent context.Context, l Counter, ns string, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		imgs, err := l.Images(ctx, ns)
		if err != nil {
			return countedMsg{gen: gen, ns: ns, err: err}
		}
		ctrs, err := l.Containers(ctx, ns)
		if err != nil {
			return countedMsg{gen: gen, ns: ns, err: err}
		}
		c := counts{images: len(imgs), containers: len(ctrs)}
		for _, ctr := range ctrs {
			if ctr.Status() == backend.TaskRunning {
				c.running++
			}
		}
		return countedMsg{gen: gen, ns: ns, c: c}
	}
}

// live is the page's event state: which namespaces to count again, and
// whether the list itself is stale.
type live struct {
	due    map[string]bool // namespaces to count
	busy   map[string]bool // namespaces being counted
	relist bool            // a namespace was created or changed
	armed  bool
}

func newLive() live { return live{due: map[string]bool{}, busy: map[string]bool{}} }

// events notes what a batch changes: a namespace created or updated lists
// the namespaces again, a deleted one goes at once, and events that change
// what a namespace holds count it again.
func (m Model) events(evs []backend.Event) (page.Page, tea.Cmd) {
	for _, ev := range evs {
		switch {
		case ev.Topic == backend.TopicNamespaceDelete:
			m.remove(ev.ID)
		case strings.HasPrefix(ev.Topic, "/namespaces/"):
			m.live.relist = true
		case countsChange(ev.Topic):
			if _, ok := m.index(ev.Namespace); ok {
				m.live.due[ev.Namespace] = true
			}
		}
	}
	return m, m.arm()
}

// countsChange reports whether an event of this topic can change a count.
func countsChange(topic string) bool {
	switch topic {
	case backend.TopicImageCreate, backend.TopicImageDelete,
		backend.TopicContainerCreate, backend.TopicContainerDelete,
		backend.TopicTaskStart, backend.TopicTaskExit, backend.TopicTaskDelete:
		return true
	}
	return false
}

func (m *Model) arm() tea.Cmd {
	if m.live.armed || (!m.live.relist && len(m.live.due) == 0) {
		return nil
	}
	m.live.armed = true
	return m.Tag().After(countCoalesce, flushMsg{gen: m.Gen()})
}

// flush lists the namespaces again if needed and counts the due ones.
func (m Model) flush() (page.Page, tea.Cmd) {
	m.live.armed = false
	var cmd tea.Cmd
	if m.live.relist {
		m.live.relist = false
		cmd = m.Resync()
	}
	return m, tea.Batch(cmd, m.count())
}

// count starts counting due namespaces, up to maxCounting at once. One
// that is being counted and is due again waits for its answer.
func (m *Model) count() tea.Cmd {
	if m.cfg.Counter == nil {
		clear(m.live.due)
		return nil
	}
	var cmds []tea.Cmd
	for _, ns := range m.Items() {
		if len(m.live.busy) >= maxCounting {
			break
		}
		if !m.live.due[ns.Name] || m.live.busy[ns.Name] {
			continue
		}
		delete(m.live.due, ns.Name)
		m.live.busy[ns.Name] = true
		cmds = append(cmds, m.Tag().Wrap(countCmd(m.cfg.Ctx, m.cfg.Counter, ns.Name, m.cfg.Timeout, m.Gen())))
	}
	return tea.Batch(cmds...)
}

// counted takes one namespace's counts and starts the next.
func (m Model) counted(msg countedMsg) (page.Page, tea.Cmd) {
	delete(m.live.busy, msg.ns)
	if msg.err != nil {
		if page.ConnectionLost(msg.err) {
			clear(m.live.due)
			return m, page.Report(msg.err)
		}
		m.failed[msg.ns] = true
	} else {
		m.counts[msg.ns] = msg.c
		delete(m.failed, msg.ns)
	}
	m.patch(msg.ns)
	return m, tea.Batch(m.count(), m.arm())
}
