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
	// and then Unavailable says why. When it is also a Getter, events
	// about a few containers cost a lookup each instead of a list.
	Lister      backend.ContainerLister
	Unavailable error
	// CRI gives ATTEMPT in k8s.io; nil when CRI is unavailable.
	CRI       PodContainerLister
	Namespace string
	Timeout   time.Duration
	Styles    theme.Styles
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
	cfg   Config
	ns    string
	gen   uint64
	keys  KeyMap
	table table.Model

	ctrs  []backend.Container // sorted by id
	index map[string]int      // id -> index in ctrs
	pods  map[string]backend.PodContainer
	live  live
	usage usage.Tracker
	oom   map[string]bool // containers OOM-killed since ctui started

	loading bool
	err     error
	width   int
	height  int
}

var _ page.Page = Model{}

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, ns: cfg.Namespace, keys: DefaultKeyMap(), usage: usage.NewTracker(cfg.Clock.Now, false), oom: map[string]bool{}}
	m.table = table.New(m.columns(), cfg.Styles)
	return m, m.reload()
}

func (m Model) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

// reload starts a new generation and lists again (and asks CRI, in
// k8s.io); replies of older generations are dropped.
func (m *Model) reload() tea.Cmd {
	m.gen++
	m.live = newLive()
	if m.cfg.Lister == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
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
func (m Model) withCRI() bool { return m.ns == backend.CRINamespace && m.cfg.CRI != nil }

// Update implements page.Page.
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
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.table.SetSize(msg.Width, msg.Height)
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.table.SetStyles(msg.Styles)
	case page.NamespaceMsg:
		if msg.Namespace == m.ns {
			return m, nil
		}
		// k8s.io has more columns: a new table rather than a patched one.
		m.ns, m.ctrs, m.index, m.pods = msg.Namespace, nil, nil, nil
		m.table = table.New(m.columns(), m.cfg.Styles)
		m.table.SetSize(m.width, m.height)
		return m, m.reload()
	case page.ReconnectedMsg:
		return m, m.reload()
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	case tea.MouseWheelMsg, tea.PasteMsg: // a paste reaches the filter only while it is typing
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(msg)
		return m, cmd
	}
	return m, nil
}

// reply routes the answers of the page's own commands, dropping those of
// an older generation.
func (m Model) reply(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen == m.gen {
			return m.loaded(msg)
		}
	case lookedUpMsg:
		if msg.gen == m.gen {
			return m.lookedUp(msg)
		}
	case criMsg:
		if msg.gen == m.gen {
			return m.cri(msg)
		}
	case flushMsg:
		if msg.gen == m.gen {
			return m.flush()
		}
	}
	return m, nil
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
	m.table.SetRows(rows)
}

// remove drops the row of container id.
func (m *Model) remove(id string) {
	if _, ok := m.index[id]; !ok {
		return
	}
	m.setAll(slices.DeleteFunc(slices.Clone(m.ctrs), func(c backend.Container) bool { return c.ID == id }), m.cfg.Clock.Now())
}

// row renders c with what CRI says of it.
func (m Model) row(c backend.Container, now time.Time) table.Row {
	var pc *backend.PodContainer
	if p, ok := m.pods[c.ID]; ok {
		pc = &p
	}
	return m.withStats(row(c, pc, m.ns == backend.CRINamespace, now), c, pc)
}

// View implements page.Page.
func (m Model) View() string {
	switch {
	case m.err != nil && len(m.ctrs) == 0:
		return page.Fit(m.cfg.Styles.Bad.Render("containers of "+m.ns+": ")+m.err.Error(), m.width, m.height)
	case m.loading && len(m.ctrs) == 0:
		return page.Fit(m.cfg.Styles.Dim.Render("listing the containers of namespace "+m.ns+"…"), m.width, m.height)
	}
	return m.table.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return Bindings() }

// State implements page.Page.
func (m Model) State() page.State {
	return page.State{Title: "containers", Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}

// Selected implements page.Selector: d describes the container under the
// cursor (spec, labels and task).
func (m Model) Selected() (page.Object, bool) {
	id, ok := m.table.SelectedID()
	return page.Object{Kind: page.KindContainer, Namespace: m.ns, ID: id}, ok
}
