// Package namespaces is the namespaces page: containerd's namespaces, the
// current one marked; enter makes the one under the cursor current.
package namespaces

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
)

// KeyMap is the page's own bindings.
type KeyMap struct {
	Switch, Refresh key.Binding
}

// DefaultKeyMap binds enter to switch, as k9s does.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Switch:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "switch to this namespace")),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh the list")),
	}
}

// Columns are the namespaces table's columns.
func Columns() []table.Column {
	return []table.Column{
		{Title: "NAME", Key: 'n', Flex: 1, Min: 16},
		{Title: "LABELS", Key: 'l', Flex: 3, Min: 10},
	}
}

// PageBindings are the keys only this page has.
func PageBindings() []key.Binding {
	k := DefaultKeyMap()
	return append([]key.Binding{k.Switch, k.Refresh}, table.SortBindings(Columns())...)
}

// Config is what the page is built from.
type Config struct {
	ID          page.ID
	Ctx         context.Context
	Lister      backend.NamespaceLister // nil when containerd is unavailable
	Unavailable error
	Current     string
	Timeout     time.Duration
	Styles      theme.Styles
}

// Model is the namespaces page.
type Model struct {
	cfg     Config
	gen     uint64
	keys    KeyMap
	table   table.Model
	nss     []backend.Namespace
	loading bool
	err     error
	width   int
	height  int
}

var _ page.Page = Model{}

type loadedMsg struct {
	gen uint64
	nss []backend.Namespace
	err error
}

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap(), table: table.New(Columns(), cfg.Styles)}
	return m, m.reload()
}

func (m *Model) reload() tea.Cmd {
	m.gen++
	if m.cfg.Lister == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
	l, parent, timeout, gen := m.cfg.Lister, m.cfg.Ctx, m.cfg.Timeout, m.gen
	return page.Tag{Page: m.cfg.ID, Gen: gen}.Wrap(func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		nss, err := l.Namespaces(ctx)
		return loadedMsg{gen: gen, nss: nss, err: err}
	})
}

// row renders a namespace; the current one carries a "(current)" suffix so
// that it reads without colour.
func row(ns backend.Namespace, current string) table.Row {
	name := ns.Name
	if name == current {
		name += " (current)"
	}
	labels := make([]string, 0, len(ns.Labels))
	for k, v := range ns.Labels {
		labels = append(labels, k+"="+v)
	}
	slices.Sort(labels)
	l := strings.Join(labels, ",")
	if l == "" {
		l = "-"
	}
	return table.Row{ID: ns.Name, Cells: []string{name, l}, Labels: ns.Labels}
}

func (m *Model) setRows() {
	rows := make([]table.Row, len(m.nss))
	for i, ns := range m.nss {
		rows[i] = row(ns, m.cfg.Current)
	}
	m.table.SetRows(rows)
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
		m.err, m.nss = nil, msg.nss
		m.setRows()
		return m, func() tea.Msg { return page.OKMsg{} }
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.table.SetSize(msg.Width, msg.Height)
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.table.SetStyles(msg.Styles)
	case page.NamespaceMsg:
		m.cfg.Current = msg.Namespace
		m.setRows()
	case page.ReconnectedMsg:
		return m, m.reload()
	case tea.KeyPressMsg:
		if !m.table.Typing() {
			switch {
			case key.Matches(msg, m.keys.Switch):
				if id, ok := m.table.SelectedID(); ok {
					return m, func() tea.Msg { return page.SwitchNamespaceMsg{Namespace: id} }
				}
				return m, nil
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
	case m.err != nil && len(m.nss) == 0:
		return page.Fit(m.cfg.Styles.Bad.Render("namespaces: ")+m.err.Error(), m.width, m.height)
	case m.loading && len(m.nss) == 0:
		return page.Fit(m.cfg.Styles.Dim.Render("listing namespaces…"), m.width, m.height)
	}
	return m.table.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding {
	return append(PageBindings(), table.DefaultKeyMap().Bindings()...)
}

// State implements page.Page.
func (m Model) State() page.State {
	return page.State{Title: "namespaces", Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}
