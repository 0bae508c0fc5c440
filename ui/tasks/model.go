// Package tasks is the tasks page: the running and stopped tasks of the
// namespace, as `ctr tasks ls` lists them, with the exit status and, in
// k8s.io, the pod container each one runs. containerd's task events keep it
// current: a burst of them costs one list.
package tasks

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
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
	// and then Unavailable says why.
	Lister      backend.ContainerLister
	Unavailable error
	Namespace   string
	Timeout     time.Duration
	Styles      theme.Styles
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
	// Stats are the sources of CPU and memory; none when stats are off.
	// CPUs is the node's core count for NODE% (0: unknown).
	Stats usage.Sources
	CPUs  int
}

// Model is the tasks page.
type Model struct {
	cfg     Config
	ns      string
	gen     uint64
	keys    KeyMap
	table   table.Model
	byID    map[string]backend.Container // the listed tasks, for stats
	at      time.Time                    // when they were listed
	usage   usage.Tracker
	oom     map[string]bool // tasks OOM-killed since ctui started
	loaded  bool
	loading bool
	armed   bool // a flush is scheduled for gathered events
	err     error
	width   int
	height  int
}

var (
	_ page.Page     = Model{}
	_ page.Selector = Model{}
)

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, ns: cfg.Namespace, keys: DefaultKeyMap(), usage: usage.NewTracker(cfg.Clock.Now, false), oom: map[string]bool{}}
	m.table = table.New(m.columns(), cfg.Styles)
	return m, m.reload()
}

func (m Model) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

// reload lists again under a new generation; older replies are dropped.
// The rows stay on screen until the answer replaces them.
func (m *Model) reload() tea.Cmd {
	m.gen++
	m.armed = false
	if m.cfg.Lister == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
	return m.tag().Wrap(loadCmd(m.cfg.Ctx, m.cfg.Lister, m.cfg.Clock, m.ns, m.cfg.Timeout, m.gen))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		return m.loadedList(msg)
	case usage.SampledMsg:
		return m.sampled(msg)
	case page.StatsTickMsg:
		return m, m.sample()
	case page.OOMMsg:
		return m.oomKilled(msg)
	case flushMsg:
		if msg.gen != m.gen || !m.armed {
			return m, nil
		}
		return m, m.reload()
	case page.EventsMsg:
		return m, m.gather(msg.Events)
	case page.ResyncMsg, page.ReconnectedMsg:
		return m, m.reload()
	case page.NamespaceMsg:
		if msg.Namespace == m.ns {
			return m, nil
		}
		// k8s.io has two more columns: a new table rather than a patched one.
		m.ns, m.loaded = msg.Namespace, false
		m.table = table.New(m.columns(), m.cfg.Styles)
		m.table.SetSize(m.width, m.height)
		return m, m.reload()
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.table.SetSize(msg.Width, msg.Height)
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.table.SetStyles(msg.Styles)
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	case tea.MouseWheelMsg, tea.PasteMsg: // a paste reaches the filter only while it is typing
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(msg)
		return m, cmd
	}
	return m, nil
}

// gather waits out a Coalesce window after the first task event of the
// namespace, then lists once.
func (m *Model) gather(evs []backend.Event) tea.Cmd {
	if m.armed || m.cfg.Lister == nil {
		return nil
	}
	for _, ev := range evs {
		if isTaskEvent(ev, m.ns) {
			m.armed = true
			return m.tag().After(page.Coalesce, flushMsg{gen: m.gen})
		}
	}
	return nil
}

func (m Model) loadedList(msg loadedMsg) (page.Page, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.loading = false
	if msg.err != nil {
		m.err = msg.err
		return m, page.Report(msg.err)
	}
	m.err, m.loaded = nil, true
	rows := make([]table.Row, len(msg.ctrs))
	m.byID, m.at = make(map[string]backend.Container, len(msg.ctrs)), msg.at
	for i, c := range msg.ctrs {
		m.byID[c.ID] = c
		rows[i] = m.row(c, msg.at)
	}
	m.table.SetRows(rows)
	m.usage.Forget(func(id string) bool { _, ok := m.byID[id]; return ok })
	return m, tea.Batch(func() tea.Msg { return page.OKMsg{} }, m.sample())
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	if !m.table.Typing() {
		switch {
		case key.Matches(msg, m.keys.Refresh):
			return m, m.reload()
		case msg.Code == tea.KeyEscape:
			m.table.ClearFilter()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.table, cmd = m.table.Update(msg)
	return m, cmd
}

// Selected implements page.Selector: a task is described as its container
// (the record, the spec and the task's state together).
func (m Model) Selected() (page.Object, bool) {
	id, ok := m.table.SelectedID()
	if !ok {
		return page.Object{}, false
	}
	return page.Object{Kind: page.KindContainer, Namespace: m.ns, ID: id}, true
}

// View implements page.Page.
func (m Model) View() string {
	st := m.cfg.Styles
	switch {
	case m.err != nil && !m.loaded:
		return page.Fit(st.Bad.Render("tasks of "+m.ns+": ")+m.err.Error(), m.width, m.height)
	case !m.loaded:
		return page.Fit(st.Dim.Render("listing the tasks of namespace "+m.ns+"…"), m.width, m.height)
	}
	return m.table.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding {
	return append(PageBindings(), table.DefaultKeyMap().Bindings()...)
}

// State implements page.Page.
func (m Model) State() page.State {
	return page.State{Title: "tasks", Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}
