// Package top is the :top page: every running container of every
// namespace (or of the current one), busiest first, with what each costs
// now (CPU% of a core and of the node, working set, share of the memory
// limit), its CPU over the last minute as a sparkline, and the node's
// totals from /proc on top, so it reads like top for containers. Enter
// goes to the container's row on the containers page; l, s and d work on
// the row as on every container list.
package top

import (
	"context"
	"sort"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

// headerLines is the height of the node's and the containers' totals.
const headerLines = 2

// Config is what the page is built from.
type Config struct {
	ID      page.ID
	Ctx     context.Context
	Timeout time.Duration
	Styles  *theme.Styles
	Clock   backend.Clock
	// Namespace is the current namespace; All starts with every one.
	Namespace string
	All       bool
	// Lister is containerd's API; nil when it is unavailable, and then
	// Unavailable says why.
	Lister      Lister
	Unavailable error
	// Pods names the pod of each k8s.io container by its sandbox (CRI);
	// nil: by the labels alone.
	Pods backend.PodRefLister
	// Stats are the sources to sample; CRI is used for the containers CRI
	// manages in k8s.io. CPUs is the node's core count (0: unknown).
	Stats usage.Sources
	CPUs  int
	// ProcDir is where the node's totals are read ("/proc"); "" when
	// ctui does not run on the node.
	ProcDir string
	// OOMs is how many OOM kills ctui has seen before the page opened.
	OOMs int
}

// Model is the :top page.
type Model struct {
	listpage.List[Item]
	cfg   Config
	keys  KeyMap
	all   bool
	items map[string]Item // by Key
	usage usage.Tracker

	node, prevNode backend.NodeSample
	nodeCPU        float64
	haveNode       bool
	nodeErr        string
	nodeBusy       bool
	ooms           int
	ticks          int // stats ticks since the list was loaded
	width, height  int
}

// sweepEvery is how many ticks apart :top samples its whole list; in
// between it samples the rows on screen. Each sample costs the daemon a
// call to every task's shim, so at 200 tasks a sweep every tick is a
// quarter of a core; every fifth keeps the order of the rows off screen
// within ten seconds at the default interval for a third of that.
const sweepEvery = 5

var (
	_ page.Page     = Model{}
	_ page.Selector = Model{}
)

// loadedMsg answers the page's own list.
type loadedMsg struct {
	gen   uint64
	items []Item
	err   error
}

// New returns the page and the commands that list the running containers
// and read the node's totals.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap(), all: cfg.All, usage: usage.NewTracker(cfg.Clock.Now, true), nodeCPU: -1, ooms: cfg.OOMs}
	m.List = m.newList()
	return m, tea.Batch(m.reload(), nodeCmd(cfg.ProcDir, cfg.Clock.Now))
}

func (m Model) newList() listpage.List[Item] {
	l := listpage.New(listpage.Config[Item]{
		ID: m.cfg.ID, Ctx: m.cfg.Ctx, Timeout: m.cfg.Timeout, Styles: m.cfg.Styles,
		Title: "top", Type: page.TypeTop, Namespace: m.cfg.Namespace, Global: m.all,
		Columns:     func(string) []table.Column { return Columns() },
		Unavailable: m.cfg.Unavailable,
		Keys:        []key.Binding{m.keys.Goto, m.keys.All},
		Loading:     func(string) string { return "listing the running containers…" },
		Failed:      func(string) string { return "running containers: " },
		Clock:       m.cfg.Clock,
	})
	l.Table.SortBy(colCPU, true)
	return l
}

// reload lists the running containers under a new generation.
func (m *Model) reload() tea.Cmd {
	gen := m.NextGen()
	if m.cfg.Lister == nil {
		m.Unavailable(m.cfg.Unavailable)
		return nil
	}
	m.Begin()
	l, pods, parent, timeout, ns, all := m.cfg.Lister, m.cfg.Pods, m.cfg.Ctx, m.cfg.Timeout, m.Namespace(), m.all
	return m.Tag().Wrap(func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		items, err := load(ctx, l, pods, ns, all)
		return loadedMsg{gen: gen, items: items, err: err}
	})
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.Gen() {
			return m, nil
		}
		return m.loaded(msg)
	case usage.SampledMsg:
		changed, cmd := m.usage.Apply(msg)
		m.redraw(changed)
		return m, cmd
	case nodeMsg:
		m.nodeBusy = false
		if msg.err != nil {
			m.nodeErr = msg.err.Error()
			return m, nil
		}
		m.prevNode, m.node, m.haveNode = m.node, msg.sample, true
		m.nodeCPU = backend.NodeCPU(m.prevNode, m.node)
		return m, nil
	case page.StatsTickMsg:
		m.ticks++
		return m, m.sample()
	case page.OOMMsg:
		m.ooms = msg.Total
		return m, nil
	case page.ResyncMsg, page.ReconnectedMsg:
		return m, m.reload()
	case page.NamespaceMsg:
		if m.all || msg.Namespace == m.Namespace() {
			return m, nil
		}
		m.SetNamespace(msg.Namespace)
		m.List.Table.SortBy(colCPU, true)
		return m, m.reload()
	case page.EventsMsg:
		for _, ev := range msg.Events {
			switch ev.Topic {
			case backend.TopicTaskStart, backend.TopicTaskExit, backend.TopicTaskDelete:
				if m.all || ev.Namespace == m.Namespace() {
					return m, m.Tag().After(page.Coalesce, page.ResyncMsg{})
				}
			}
		}
		return m, nil
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		cmd, _ := m.List.Update(page.SizeMsg{Width: msg.Width, Height: max(msg.Height-headerLines, 0)})
		return m, cmd
	case tea.KeyPressMsg:
		if !m.List.Table.Typing() {
			switch {
			case m.Refreshes(msg):
				return m, m.reload()
			case key.Matches(msg, m.keys.All):
				return m.toggleAll()
			case key.Matches(msg, m.keys.Goto):
				if it, ok := m.selected(); ok {
					return m, page.Goto(it.Namespace, it.ID)
				}
				return m, nil
			}
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// toggleAll switches between every namespace and the current one.
func (m Model) toggleAll() (page.Page, tea.Cmd) {
	m.all = !m.all
	sortCol, desc := m.List.Table.Sort()
	m.List = m.newList()
	m.List.Table.SortBy(sortCol, desc)
	m.List.Update(page.SizeMsg{Width: m.width, Height: max(m.height-headerLines, 0)})
	return m, m.reload()
}

// loaded shows the running containers and samples them at once.
func (m Model) loaded(msg loadedMsg) (page.Page, tea.Cmd) {
	if msg.err != nil && msg.items == nil {
		return m, m.Answered(msg.err)
	}
	m.items = make(map[string]Item, len(msg.items))
	rows := make([]table.Row, len(msg.items))
	for i, it := range msg.items {
		m.items[it.Key()] = it
		rows[i] = m.row(it)
	}
	m.List.Table.SetRows(rows)
	m.usage.Forget(func(k string) bool { _, ok := m.items[k]; return ok })
	m.ticks = 0
	cmd := m.Answered(nil)
	if msg.err != nil {
		cmd = tea.Batch(cmd, page.Report(msg.err))
	}
	return m, tea.Batch(cmd, m.sample())
}

// sample asks for the use of the rows on screen, and every sweepEvery
// ticks (and after a list) of every listed container, since the list is
// sorted by it: one call per source and namespace. It reads the node's
// totals too.
func (m *Model) sample() tea.Cmd {
	items := m.items
	if m.ticks%sweepEvery != 0 {
		items = map[string]Item{}
		for _, k := range m.List.Table.Near(0, nil) {
			if it, ok := m.items[k]; ok {
				items[k] = it
			}
		}
	}
	byNS := map[string]*usage.Request{}
	var order []string
	for _, it := range items {
		r := byNS[it.Namespace]
		if r == nil {
			r = &usage.Request{Namespace: it.Namespace}
			byNS[it.Namespace] = r
			order = append(order, it.Namespace)
		}
		r.AddRunning(it.Container, m.cfg.Stats)
	}
	sort.Strings(order)
	out := make([]usage.Request, 0, len(order))
	for _, ns := range order {
		out = append(out, *byNS[ns])
	}
	cmds := []tea.Cmd{m.usage.SampleAll(m.Tag(), m.cfg.Ctx, m.cfg.Timeout, m.cfg.Stats, out)}
	if !m.nodeBusy {
		if c := nodeCmd(m.cfg.ProcDir, m.cfg.Clock.Now); c != nil {
			m.nodeBusy = true
			cmds = append(cmds, m.Tag().Wrap(c))
		}
	}
	return tea.Batch(cmds...)
}

// WantsStats implements page.StatsWanter: :top samples while it lists a
// running container, and reads the node's totals on the node.
func (m Model) WantsStats() bool {
	return m.cfg.Stats.On() && len(m.items) > 0 || m.cfg.ProcDir != ""
}

// redraw renders the rows of keys again (the table keeps CPU order).
func (m *Model) redraw(keys []string) {
	rows := make([]table.Row, 0, len(keys))
	for _, k := range keys {
		if it, ok := m.items[k]; ok {
			rows = append(rows, m.row(it))
		}
	}
	m.List.Table.UpdateRows(rows...)
}

func (m Model) row(it Item) table.Row {
	s, ok := m.usage.Get(it.Key())
	return row(it, s, ok, m.usage.History(it.Key()).Values(), m.cfg.CPUs)
}

func (m Model) selected() (Item, bool) {
	k, ok := m.List.Table.SelectedID()
	if !ok {
		return Item{}, false
	}
	it, ok := m.items[k]
	return it, ok
}

// Selected implements page.Selector: the container under the cursor, in
// its own namespace, for describe, logs, shell and the lifecycle keys.
func (m Model) Selected() (page.Object, bool) {
	it, ok := m.selected()
	if !ok {
		return page.Object{}, false
	}
	return page.Object{Kind: page.KindContainer, Namespace: it.Namespace, ID: it.ID}, true
}

// View implements page.Page: the node's totals, then the list.
func (m Model) View() string {
	t := Totals{Node: m.node, CPU: m.nodeCPU, HaveNode: m.haveNode, NodeErr: m.nodeErr, Running: len(m.items),
		All: m.all, Ns: m.Namespace(), OOMs: m.ooms}
	h := header(t)
	return page.Fit(m.cfg.Styles.Dim.Render(h[0]), m.width, 1) + "\n" + page.Fit(m.cfg.Styles.Dim.Render(h[1]), m.width, 1) +
		"\n" + m.List.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return m.List.Keys() }

// State implements page.Page.
func (m Model) State() page.State {
	st := m.List.State()
	st.Caps = page.CanLifecycle
	return st
}
