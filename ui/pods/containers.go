package pods

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// ContainersModel is the page of one pod's CRI containers, every attempt,
// newest first: enter on the pods page opens it.
type ContainersModel struct {
	cfg   Config
	pod   backend.Pod
	gen   uint64
	keys  KeyMap
	table table.Model
	byID  map[string]backend.PodContainer
	at    time.Time
	usage usage.Tracker

	loaded bool
	armed  bool
	err    error
	width  int
	height int
}

var (
	_ page.Page     = ContainersModel{}
	_ page.Selector = ContainersModel{}
)

// NewContainers returns the page of pod's containers, showing seed (what
// the pods page listed) at once, and the command that lists them afresh.
func NewContainers(cfg Config, pod backend.Pod, seed []backend.PodContainer) (ContainersModel, tea.Cmd) {
	m := ContainersModel{cfg: cfg, pod: pod, keys: DefaultKeyMap(), usage: usage.NewTracker(cfg.Clock.Now, false)}
	m.table = table.New(m.columns(), cfg.Styles)
	m.table.SortBy(ccCreated, true)
	if seed != nil {
		m.setRows(seed, cfg.Clock.Now())
	}
	return m, m.reload()
}

func (m ContainersModel) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

func (m *ContainersModel) reload() tea.Cmd {
	m.gen++
	m.armed = false
	if m.cfg.Runtime == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	return m.tag().Wrap(containersCmd(m.cfg.Ctx, m.cfg.Runtime, m.cfg.Clock, m.pod.ID, m.cfg.Timeout, m.gen))
}

func (m *ContainersModel) setRows(ctrs []backend.PodContainer, now time.Time) {
	rows := make([]table.Row, len(ctrs))
	m.byID, m.at = make(map[string]backend.PodContainer, len(ctrs)), now
	for i, c := range ctrs {
		m.byID[c.ID] = c
		rows[i] = m.row(c, now)
	}
	m.table.SetRows(rows)
	m.loaded = true
}

// Update implements page.Page.
func (m ContainersModel) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case containersMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			m.err = msg.err
			return m, page.Report(msg.err)
		}
		m.err = nil
		m.setRows(msg.ctrs, msg.at)
		return m, tea.Batch(func() tea.Msg { return page.OKMsg{} }, m.sample())
	case usage.SampledMsg:
		return m.sampled(msg)
	case page.StatsTickMsg:
		return m, m.sample()
	case flushMsg:
		if msg.gen != m.gen || !m.armed {
			return m, nil
		}
		return m, m.reload()
	case page.EventsMsg:
		if m.armed || m.cfg.Runtime == nil {
			return m, nil
		}
		for _, ev := range msg.Events {
			if touchesCRI(ev) {
				m.armed = true
				return m, m.tag().After(page.Coalesce, flushMsg{gen: m.gen})
			}
		}
	case page.ResyncMsg, page.ReconnectedMsg:
		return m, m.reload()
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.table.SetSize(msg.Width, msg.Height)
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.table.SetStyles(msg.Styles)
	case tea.KeyPressMsg:
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
	case tea.MouseWheelMsg, tea.PasteMsg: // a paste reaches the filter only while it is typing
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(msg)
		return m, cmd
	}
	return m, nil
}

// Selected implements page.Selector: d describes the container's CRI
// status.
func (m ContainersModel) Selected() (page.Object, bool) {
	id, ok := m.table.SelectedID()
	if !ok {
		return page.Object{}, false
	}
	return page.Object{Kind: page.KindPodContainer, ID: id, Name: shortID(id)}, true
}

// View implements page.Page.
func (m ContainersModel) View() string {
	st := m.cfg.Styles
	switch {
	case m.err != nil && !m.loaded:
		return page.Fit(st.Bad.Render("containers of pod "+podName(m.pod)+": ")+m.err.Error(), m.width, m.height)
	case !m.loaded:
		return page.Fit(st.Dim.Render("listing the containers of pod "+podName(m.pod)+"…"), m.width, m.height)
	}
	return m.table.View()
}

// Keys implements page.Page.
func (m ContainersModel) Keys() []key.Binding {
	return append(ContainerBindings(), table.DefaultKeyMap().Bindings()...)
}

// State implements page.Page.
func (m ContainersModel) State() page.State {
	return page.State{Title: "pod " + podName(m.pod), Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}
