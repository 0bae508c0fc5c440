// Package containers is the containers page: a namespace's containers
// joined with their tasks (status, pid, exit status) and, in k8s.io, the pod
// container each one is. Native-only and CRI-managed containers are one
// list; containerd events keep it current (see live.go).
package containers

import (
	"context"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

// Config is what the page is built from.
type Config struct {
	ID  page.ID
	Ctx context.Context
	// Lister is containerd's container API; nil when it is unavailable,
	// and then Unavailable says why. When it is also a
	// backend.ContainerGetter, events about a few containers cost a lookup
	// each instead of a list.
	Lister      backend.ContainerLister
	Unavailable error
	// CRI gives ATTEMPT in k8s.io; nil when CRI is unavailable.
	CRI       backend.PodContainerLister
	Namespace string
	Timeout   time.Duration
	Styles    *theme.Styles
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
	// Stats are the sources of CPU and memory; none when stats are off
	// (then the page has no stats columns). CPUs is the node's core count
	// for NODE% (0: unknown).
	Stats usage.Sources
	CPUs  int
	// Select is the container the cursor starts on once listed (enter on
	// :top); "" for the first row.
	Select string
}

// Model is the containers page.
type Model struct {
	listpage.List[backend.Container]
	cfg Config

	ctrs  []backend.Container // sorted by id
	index map[string]int      // id -> index in ctrs
	pods  map[string]backend.PodContainer
	refs  map[string]backend.PodRef // CRI's pod of each container and sandbox id
	live  live
	usage usage.Tracker
	oom   map[string]bool // containers OOM-killed since ctui started
}

var (
	_ page.Page     = Model{}
	_ page.Selector = Model{}
)

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, usage: usage.NewTracker(cfg.Clock.Now, false), oom: map[string]bool{}, List: listpage.New(listpage.Config[backend.Container]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Namespace: cfg.Namespace,
		Title: "containers", Type: page.TypeContainers, Caps: page.CanLifecycle,
		Columns: func(ns string) []table.Column { return columns(ns, statsOn(cfg)) }, Keys: PageBindings(),
	})}
	return m, m.reload()
}

// reload starts a new generation and lists again (and asks CRI, in
// k8s.io); replies of older generations are dropped.
func (m *Model) reload() tea.Cmd {
	m.NextGen()
	m.live = newLive()
	if m.cfg.Lister == nil {
		m.List.Unavailable(m.cfg.Unavailable)
		return nil
	}
	m.Begin()
	m.live.relist, m.live.criDue = true, m.withCRI()
	return tea.Batch(m.fetch(), m.fetchCRI())
}

// resync lists again without a new generation: the rows stay until the
// answer replaces them (the safety net, a re-opened event stream).
func (m *Model) resync() tea.Cmd {
	if m.cfg.Lister == nil {
		return nil
	}
	m.live.relist, m.live.criDue = true, m.withCRI()
	return tea.Batch(m.fetch(), m.fetchCRI())
}

// withCRI reports whether the page shows CRI's view: in k8s.io, with CRI.
func (m Model) withCRI() bool { return m.Namespace() == backend.CRINamespace && m.cfg.CRI != nil }

// Update implements page.Page: events patch rows and the page loads in
// its own way (lookups, CRI); the rest is the list's.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg, lookedUpMsg, criMsg, flushMsg:
		return m.reply(msg)
	case usage.SampledMsg:
		return m.sampled(msg)
	case page.StatsTickMsg:
		return m, m.sample()
	case page.OOMMsg:
		return m.oomKilled(msg)
	case page.EventsMsg:
		return m.events(msg.Events)
	case page.ResyncMsg:
		return m, m.resync()
	case page.NamespaceMsg:
		if !m.SetNamespace(msg.Namespace) {
			return m, nil
		}
		m.ctrs, m.index, m.pods = nil, nil, nil
		return m, m.reload()
	case page.ReconnectedMsg:
		return m, m.reload()
	case tea.KeyPressMsg:
		if m.Refreshes(msg) {
			return m, m.reload()
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// reply routes the answers of the page's own commands, dropping those of
// an older generation.
func (m Model) reply(msg tea.Msg) (page.Page, tea.Cmd) {
	gen := m.Gen()
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen == gen {
			return m.loaded(msg)
		}
	case lookedUpMsg:
		if msg.gen == gen {
			return m.lookedUp(msg)
		}
	case criMsg:
		if msg.gen == gen {
			return m.cri(msg)
		}
	case flushMsg:
		if msg.gen == gen {
			return m.flush()
		}
	}
	return m, nil
}

// setAll makes ctrs the page's containers and redraws every row.
func (m *Model) setAll(ctrs []backend.Container, now time.Time) {
	slices.SortFunc(ctrs, func(a, b backend.Container) int { return strings.Compare(a.ID, b.ID) })
	m.ctrs = ctrs
	m.index = make(map[string]int, len(ctrs))
	rows := make([]table.Row, len(ctrs))
	for i, c := range ctrs {
		m.index[c.ID] = i
		rows[i] = m.row(c, now)
	}
	m.Table.SetRows(rows)
}

// remove drops the row of container id.
func (m *Model) remove(id string) {
	if _, ok := m.index[id]; !ok {
		return
	}
	m.setAll(slices.DeleteFunc(slices.Clone(m.ctrs), func(c backend.Container) bool { return c.ID == id }), m.cfg.Clock.Now())
}

// row renders c with what CRI says of it: its pod by the sandbox's
// metadata (over the labels, which a crictl runp pod lacks).
func (m Model) row(c backend.Container, now time.Time) table.Row {
	var pc *backend.PodContainer
	if p, ok := m.pods[c.ID]; ok {
		pc = &p
	}
	if r, ok := m.refs[c.ID]; ok {
		one := []backend.Container{c}
		backend.JoinPods(one, map[string]backend.PodRef{c.ID: r})
		c = one[0]
	}
	return m.withStats(row(c, pc, m.Namespace() == backend.CRINamespace, now), c, pc)
}

// Selected implements page.Selector: d describes the container under the
// cursor (spec, labels and task).
func (m Model) Selected() (page.Object, bool) {
	id, ok := m.Table.SelectedID()
	return page.Object{Kind: page.KindContainer, Namespace: m.Namespace(), ID: id}, ok
}
