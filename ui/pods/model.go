// Package pods is the pods page: CRI's pod sandboxes as crictl pods lists
// them, with each pod's container count, and, on enter, a page of the pod's
// containers (every attempt, with exit code and reason, which is how a
// crash loop reads). CRI has no event stream ctui relies on, so containerd's
// events in k8s.io, where CRI keeps everything, trigger a re-list, once per
// burst.
package pods

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

// Config is what the pods page (and the containers pages it opens) are
// built from.
type Config struct {
	ID  page.ID
	Ctx context.Context
	// Runtime is the CRI runtime; nil when CRI is unavailable, and then
	// Unavailable says why.
	Runtime     backend.Runtime
	Unavailable error
	Timeout     time.Duration
	Styles      theme.Styles
	// Clock is what ages are measured against; the zero Clock is the
	// wall clock.
	Clock backend.Clock
	// Stats is CRI's stats (crictl stats, statsp); none when stats are
	// off, and then the pages have no stats columns. CPUs is the node's
	// core count for NODE% (0: unknown). OOMByPod is the OOM kills seen
	// so far, by pod UID (a copy).
	Stats    usage.Sources
	CPUs     int
	OOMByPod map[string]int
}

// Model is the pods page.
type Model struct {
	cfg   Config
	gen   uint64
	keys  KeyMap
	table table.Model

	pods    map[string]backend.Pod // by sandbox id
	ctrs    []backend.PodContainer
	counts  map[string]int // containers by sandbox id (-1: unknown)
	at      time.Time      // when the list was answered
	usage   usage.Tracker
	ooms    map[string]int // OOM kills by pod UID
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

// New returns the page, newest pod first, and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap(), usage: usage.NewTracker(cfg.Clock.Now, false), ooms: map[string]int{}}
	for uid, n := range cfg.OOMByPod {
		m.ooms[uid] = n
	}
	m.table = table.New(m.columns(), cfg.Styles)
	m.table.SortBy(colCreated, true)
	return m, m.reload()
}

func (m Model) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

// reload lists again under a new generation; older replies are dropped.
// The rows stay on screen until the answer replaces them.
func (m *Model) reload() tea.Cmd {
	m.gen++
	m.armed = false
	if m.cfg.Runtime == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
	return m.tag().Wrap(loadCmd(m.cfg.Ctx, m.cfg.Runtime, m.cfg.Clock, m.cfg.Timeout, m.gen))
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

// gather waits out a Coalesce window after the first event that can change
// a pod, then lists once: a pod starting is a dozen events.
func (m *Model) gather(evs []backend.Event) tea.Cmd {
	if m.armed || m.cfg.Runtime == nil {
		return nil
	}
	for _, ev := range evs {
		if touchesCRI(ev) {
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
	counts := make(map[string]int, len(msg.pods))
	for _, c := range msg.ctrs {
		counts[c.PodID]++
	}
	m.pods = make(map[string]backend.Pod, len(msg.pods))
	m.counts, m.at = make(map[string]int, len(msg.pods)), msg.at
	m.ctrs = msg.ctrs
	rows := make([]table.Row, len(msg.pods))
	for i, p := range msg.pods {
		m.pods[p.ID] = p
		n := counts[p.ID]
		if msg.ctrErr != nil {
			n = -1
		}
		m.counts[p.ID] = n
		rows[i] = m.row(p, n, msg.at)
	}
	m.table.SetRows(rows)
	m.usage.Forget(func(id string) bool { _, ok := m.pods[id]; return ok })
	ok := tea.Batch(func() tea.Msg { return page.OKMsg{} }, m.sample())
	if msg.ctrErr != nil {
		return m, tea.Batch(ok, page.Report(msg.ctrErr))
	}
	return m, ok
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	if !m.table.Typing() {
		switch {
		case key.Matches(msg, m.keys.Refresh):
			return m, m.reload()
		case key.Matches(msg, m.keys.Open):
			return m, m.open()
		case msg.Code == tea.KeyEscape:
			m.table.ClearFilter()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.table, cmd = m.table.Update(msg)
	return m, cmd
}

// open asks the root for a page of the selected pod's containers, seeded
// with the ones this page already has so that it shows at once.
func (m Model) open() tea.Cmd {
	id, ok := m.table.SelectedID()
	if !ok {
		return nil
	}
	cfg, pod, seed := m.cfg, m.pods[id], ofPod(m.ctrs, id)
	return page.Open(func(pid page.ID) (page.Page, tea.Cmd) {
		cfg.ID = pid
		return NewContainers(cfg, pod, seed)
	})
}

// Selected implements page.Selector: d describes the pod's sandbox status.
func (m Model) Selected() (page.Object, bool) {
	id, ok := m.table.SelectedID()
	if !ok {
		return page.Object{}, false
	}
	p := m.pods[id]
	return page.Object{Kind: page.KindPod, ID: id, Name: podName(p)}, true
}

// podName is how a pod is named in titles: namespace/name, as kubectl's
// users know it.
func podName(p backend.Pod) string {
	if p.Namespace == "" {
		return p.Name
	}
	return p.Namespace + "/" + p.Name
}

// View implements page.Page.
func (m Model) View() string {
	st := m.cfg.Styles
	switch {
	case m.cfg.Runtime == nil:
		return page.Fit(st.Bad.Render("pods need the CRI API: ")+errText(m.err), m.width, m.height)
	case m.err != nil && !m.loaded:
		return page.Fit(st.Bad.Render("pods: ")+m.err.Error(), m.width, m.height)
	case !m.loaded:
		return page.Fit(st.Dim.Render("listing pods…"), m.width, m.height)
	}
	return m.table.View()
}

func errText(err error) string {
	if err == nil {
		return "CRI is not connected"
	}
	return err.Error()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding {
	return append(PageBindings(), table.DefaultKeyMap().Bindings()...)
}

// State implements page.Page.
func (m Model) State() page.State {
	return page.State{Title: "pods", Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}
