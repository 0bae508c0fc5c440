// Package namespaces is the namespaces page: containerd's namespaces with
// how many images, containers and running tasks each holds (counted in the
// background, again when events say a count changed), the current one
// marked; enter makes the one under the cursor current.
package namespaces

import (
	"context"
	"slices"
	"strconv"
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

// Columns are the namespaces table's columns: the name, what it holds
// (counted in the background, shown when ready) and its labels.
func Columns() []table.Column {
	return []table.Column{
		{Title: "NAME", Key: 'n', Flex: 1, Min: 16},
		{Title: "IMAGES", Key: 'i', Width: 7, Align: table.AlignRight, Numeric: true},
		{Title: "CONTAINERS", Key: 'c', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "RUNNING", Key: 'r', Width: 7, Align: table.AlignRight, Numeric: true},
		{Title: "LABELS", Key: 'l', Flex: 3, Min: 10, Drop: 1},
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
	Counter     Counter                 // nil: no counts
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
	counts  map[string]counts // by namespace, once counted
	failed  map[string]bool   // namespaces whose count failed
	live    live
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

func (m Model) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

// reload starts a new generation: the list and every count again.
func (m *Model) reload() tea.Cmd {
	m.gen++
	m.live = newLive()
	m.counts, m.failed = map[string]counts{}, map[string]bool{}
	if m.cfg.Lister == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
	return m.list()
}

// list asks for the namespaces; every one of them is counted when they
// come.
func (m Model) list() tea.Cmd {
	l, parent, timeout, gen := m.cfg.Lister, m.cfg.Ctx, m.cfg.Timeout, m.gen
	return m.tag().Wrap(func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		nss, err := l.Namespaces(ctx)
		return loadedMsg{gen: gen, nss: nss, err: err}
	})
}

// row renders a namespace; the current one carries a "(current)" suffix so
// that it reads without colour. c is nil until the namespace is counted;
// failed says its count could not be made.
func row(ns backend.Namespace, current string, c *counts, failed bool) table.Row {
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
	imgs, ctrs, running := "…", "…", "…"
	num := []int64{0, -1, -1, -1, 0}
	switch {
	case c != nil:
		imgs, ctrs, running = strconv.Itoa(c.images), strconv.Itoa(c.containers), strconv.Itoa(c.running)
		num[1], num[2], num[3] = int64(c.images), int64(c.containers), int64(c.running)
	case failed:
		imgs, ctrs, running = "?", "?", "?"
	}
	return table.Row{ID: ns.Name, Cells: []string{name, imgs, ctrs, running, l}, Labels: ns.Labels, Num: num}
}

func (m Model) row(ns backend.Namespace) table.Row {
	var c *counts
	if x, ok := m.counts[ns.Name]; ok {
		c = &x
	}
	return row(ns, m.cfg.Current, c, m.failed[ns.Name])
}

func (m *Model) setRows() {
	rows := make([]table.Row, len(m.nss))
	for i, ns := range m.nss {
		rows[i] = m.row(ns)
	}
	m.table.SetRows(rows)
}

// patch redraws the row of namespace name.
func (m *Model) patch(name string) {
	if i, ok := m.index(name); ok {
		m.table.UpdateRows(m.row(m.nss[i]))
	}
}

// index finds a namespace by name.
func (m Model) index(name string) (int, bool) {
	i := slices.IndexFunc(m.nss, func(ns backend.Namespace) bool { return ns.Name == name })
	return i, i >= 0
}

// remove drops the row of a deleted namespace.
func (m *Model) remove(name string) {
	i, ok := m.index(name)
	if !ok {
		return
	}
	m.nss = slices.Delete(slices.Clone(m.nss), i, i+1)
	delete(m.counts, name)
	delete(m.live.due, name)
	m.setRows()
}

// loaded takes the namespace list and counts every namespace not counted
// yet (all of them on a reload; a new one after a create event).
func (m Model) loaded(msg loadedMsg) (page.Page, tea.Cmd) {
	m.loading = false
	if msg.err != nil {
		m.err = msg.err
		return m, page.Report(msg.err)
	}
	m.err, m.nss = nil, msg.nss
	for _, ns := range m.nss {
		if _, ok := m.counts[ns.Name]; !ok {
			m.live.due[ns.Name] = true
		}
	}
	m.setRows()
	return m, tea.Batch(func() tea.Msg { return page.OKMsg{} }, m.count())
}

// resync lists and counts everything again, keeping the rows until the
// answers come.
func (m *Model) resync() tea.Cmd {
	if m.cfg.Lister == nil {
		return nil
	}
	for _, ns := range m.nss {
		m.live.due[ns.Name] = true
	}
	return tea.Batch(m.list(), m.count())
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg, countedMsg, flushMsg:
		return m.reply(msg)
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
		m.cfg.Current = msg.Namespace
		m.setRows()
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

// reply routes the answers of the page's calls, dropping those of an older
// generation.
func (m Model) reply(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen == m.gen {
			return m.loaded(msg)
		}
	case countedMsg:
		if msg.gen == m.gen {
			return m.counted(msg)
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
	return page.State{Type: page.TypeNamespaces, Title: "namespaces", Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}

// Selected implements page.Selector: d describes the namespace under the
// cursor (its labels).
func (m Model) Selected() (page.Object, bool) {
	name, ok := m.table.SelectedID()
	return page.Object{Kind: page.KindNamespace, ID: name}, ok
}
