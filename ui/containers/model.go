// Package containers is the containers page: a namespace's containers
// joined with their tasks (status, pid, exit status) and, in k8s.io, the pod
// container each one is.
package containers

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
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
}

// Model is the containers page.
type Model struct {
	cfg     Config
	ns      string
	gen     uint64
	keys    KeyMap
	table   table.Model
	count   int
	loading bool
	err     error
	width   int
	height  int
}

var _ page.Page = Model{}

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, ns: cfg.Namespace, keys: DefaultKeyMap(), table: table.New(Columns(cfg.Namespace), cfg.Styles)}
	return m, m.reload()
}

// reload starts a new generation and lists again; older replies are dropped.
func (m *Model) reload() tea.Cmd {
	m.gen++
	if m.cfg.Lister == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
	return page.Tag{Page: m.cfg.ID, Gen: m.gen}.Wrap(loadCmd(m.cfg.Ctx, m.cfg.Lister, m.ns, m.cfg.Timeout, m.gen))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			m.err = msg.err
			return m, page.Report(msg.err)
		}
		m.err, m.count = nil, len(msg.ctrs)
		withPod := m.ns == backend.CRINamespace
		rows := make([]table.Row, len(msg.ctrs))
		for i, c := range msg.ctrs {
			rows[i] = row(c, withPod, msg.at)
		}
		m.table.SetRows(rows)
		return m, func() tea.Msg { return page.OKMsg{} }
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
		// k8s.io has two more columns: a new table rather than a patched one.
		m.ns, m.count = msg.Namespace, 0
		m.table = table.New(Columns(m.ns), m.cfg.Styles)
		m.table.SetSize(m.width, m.height)
		return m, m.reload()
	case page.ReconnectedMsg:
		return m, m.reload()
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
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(msg)
		return m, cmd
	}
	return m, nil
}

// View implements page.Page.
func (m Model) View() string {
	switch {
	case m.err != nil && m.count == 0:
		return page.Fit(m.cfg.Styles.Bad.Render("containers of "+m.ns+": ")+m.err.Error(), m.width, m.height)
	case m.loading && m.count == 0:
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
