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
	"github.com/ctui/ctui/ui/listpage"
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
	Styles      *theme.Styles
}

// Model is the namespaces page, on the list-page base (ui/listpage); it
// keeps its counts, its own re-list on namespace events and the current
// namespace's mark.
type Model struct {
	listpage.List[backend.Namespace]
	cfg    Config
	keys   KeyMap
	counts map[string]counts // by namespace, once counted
	failed map[string]bool   // namespaces whose count failed
	live   live
}

var _ page.Page = Model{}

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	lc := listpage.Config[backend.Namespace]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles,
		Title: "namespaces", Type: page.TypeNamespaces, Global: true, Keys: PageBindings(),
		Columns:     func(string) []table.Column { return Columns() },
		Unavailable: cfg.Unavailable,
		Failed:      func(string) string { return "namespaces: " },
		Loading:     func(string) string { return "listing namespaces…" },
	}
	if l := cfg.Lister; l != nil {
		lc.Load = func(ctx context.Context, _ string) ([]backend.Namespace, error) { return l.Namespaces(ctx) }
	}
	m := Model{List: listpage.New(lc), cfg: cfg, keys: DefaultKeyMap()}
	return m, m.reload()
}

// reload starts a new generation: the list and every count again.
func (m *Model) reload() tea.Cmd {
	m.live = newLive()
	m.counts, m.failed = map[string]counts{}, map[string]bool{}
	return m.Reload()
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

func (m *Model) setRows() { m.SetItems(m.Items(), time.Time{}, m.rowAt) }

// rowAt renders a row for the list (ages play no part).
func (m Model) rowAt(ns backend.Namespace, _ time.Time) table.Row { return m.row(ns) }

// patch redraws the row of namespace name.
func (m *Model) patch(name string) {
	if i, ok := m.index(name); ok {
		m.Table.UpdateRows(m.row(m.Items()[i]))
	}
}

// index finds a namespace by name.
func (m Model) index(name string) (int, bool) {
	i := slices.IndexFunc(m.Items(), func(ns backend.Namespace) bool { return ns.Name == name })
	return i, i >= 0
}

// remove drops the row of a deleted namespace.
func (m *Model) remove(name string) {
	i, ok := m.index(name)
	if !ok {
		return
	}
	delete(m.counts, name)
	delete(m.live.due, name)
	m.SetItems(slices.Delete(slices.Clone(m.Items()), i, i+1), time.Time{}, m.rowAt)
}

// loaded takes the namespace list and counts every namespace not counted
// yet (all of them on a reload; a new one after a create event).
func (m Model) loaded(msg listpage.Loaded[backend.Namespace]) (page.Page, tea.Cmd) {
	cmd, took := m.Take(msg, m.rowAt)
	if !took {
		return m, cmd
	}
	for _, ns := range m.Items() {
		if _, ok := m.counts[ns.Name]; !ok {
			m.live.due[ns.Name] = true
		}
	}
	return m, tea.Batch(cmd, m.count())
}

// resync lists and counts everything again, keeping the rows until the
// answers come.
func (m *Model) resync() tea.Cmd {
	if m.cfg.Lister == nil {
		return nil
	}
	for _, ns := range m.Items() {
		m.live.due[ns.Name] = true
	}
	return tea.Batch(m.Resync(), m.count())
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case listpage.Loaded[backend.Namespace]:
		return m.loaded(msg)
	case countedMsg:
		if msg.gen == m.Gen() {
			return m.counted(msg)
		}
		return m, nil
	case flushMsg:
		if msg.gen == m.Gen() {
			return m.flush()
		}
		return m, nil
	case page.EventsMsg:
		return m.events(msg.Events)
	case page.ResyncMsg:
		return m, m.resync()
	case page.NamespaceMsg:
		m.cfg.Current = msg.Namespace
		if len(m.Items()) > 0 {
			m.setRows()
		}
		return m, nil
	case page.ReconnectedMsg:
		return m, m.reload()
	case tea.KeyPressMsg:
		if m.Refreshes(msg) {
			return m, m.reload()
		}
		if !m.Table.Typing() && key.Matches(msg, m.keys.Switch) {
			if id, ok := m.Table.SelectedID(); ok {
				return m, func() tea.Msg { return page.SwitchNamespaceMsg{Namespace: id} }
			}
			return m, nil
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// Selected implements page.Selector: d describes the namespace under the
// cursor (its labels).
func (m Model) Selected() (page.Object, bool) {
	name, ok := m.Table.SelectedID()
	return page.Object{Kind: page.KindNamespace, ID: name}, ok
}
