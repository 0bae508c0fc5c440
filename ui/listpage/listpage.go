// Package listpage is the plumbing every list page shares, so that a page
// keeps only what is its own (its columns, its rows, its extra keys and
// events). A list page embeds a List and forwards what it does not handle:
//
//	type Model struct{ listpage.List[backend.Snapshot] }
//
//	func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
//		cmd, _ := m.List.Update(msg)
//		return m, cmd
//	}
//
// List loads with Config.Load under a generation (a refresh, a namespace
// switch or a reconnect starts a new one; page.ResyncMsg lists again under
// the same one, keeping the rows until the answer replaces them), renders
// rows with Config.Row, re-lists once per page.Coalesce window on the events
// Config.Relist picks, and handles size, styles, mouse, filter (esc clears
// it), sort and marks through ui/table. View, Keys and State come with it.
package listpage

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

// Config is what a list is built from.
type Config[T any] struct {
	ID      page.ID
	Ctx     context.Context
	Timeout time.Duration
	Styles  *theme.Styles
	// Title names the page in the header and help; Type says what the
	// page is, for the root's routing (page.State).
	Title string
	Type  page.Type
	Caps  page.Caps
	// Namespace is the containerd namespace listed; Global pages (CRI's
	// pods) list the same in every namespace and ignore a switch.
	Namespace string
	Global    bool
	// Columns are the table's columns in namespace ns (k8s.io has more).
	Columns func(ns string) []table.Column
	// Load lists the items of namespace ns off the update loop, with a
	// deadline already in ctx. Items with an error show and report it (a
	// partial answer). Nil when the API is unavailable; Unavailable says
	// why.
	Load        func(ctx context.Context, ns string) ([]T, error)
	Unavailable error
	// Row renders one item of namespace ns; now is when the list was
	// answered, for ages.
	Row func(item T, ns string, now time.Time) table.Row
	// Relist picks the events of namespace ns that change the list: the
	// first starts a page.Coalesce window, after which the page lists once.
	// Nil: events do not concern the page.
	Relist func(ev backend.Event, ns string) bool
	// Keys are the page's own bindings for help, before the table's.
	Keys []key.Binding
	// Failed and Loading are what the page says instead of an empty table
	// (default: "<title> of <ns>: " before the error and "listing the
	// <title> of namespace <ns>…").
	Failed, Loading func(ns string) string
	// Clock is what ages in rows are measured against; the zero Clock is
	// the wall clock.
	Clock backend.Clock
}

// List is a list page's shared state; embed it in the page's model.
type List[T any] struct {
	cfg   Config[T]
	ns    string
	gen   uint64
	keys  KeyMap
	items []T
	// Table is the rows on screen, for the page's own row work (its
	// selection, patches from events).
	Table table.Model

	loaded  bool
	loading bool
	armed   bool // a relist is scheduled for gathered events
	err     error
	width   int
	height  int
}

// KeyMap is the bindings every list page has besides the table's.
type KeyMap struct {
	Refresh key.Binding
}

// DefaultKeyMap binds ctrl-r to refresh, as on every list.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh the list")),
	}
}

// New returns the list, not yet loaded: the page's constructor returns
// Reload() as its first command.
func New[T any](cfg Config[T]) List[T] {
	return List[T]{cfg: cfg, ns: cfg.Namespace, keys: DefaultKeyMap(), Table: table.New(cfg.Columns(cfg.Namespace), cfg.Styles)}
}

// Loaded answers the list's load. A page whose rows need its own state
// (stats cells, marks of its own) takes it first and hands it to Take with
// its row function; other pages leave it to Update.
type Loaded[T any] struct {
	gen   uint64
	Items []T
	Err   error
	At    time.Time // when the answer came, for ages
}

// flushMsg ends a Coalesce window of events.
type flushMsg struct{ gen uint64 }

// Tag is who the list's replies are for: the page and its generation.
func (l List[T]) Tag() page.Tag { return page.Tag{Page: l.cfg.ID, Gen: l.gen} }

// Gen is the current generation.
func (l List[T]) Gen() uint64 { return l.gen }

// Namespace is the namespace the list shows.
func (l List[T]) Namespace() string { return l.ns }

// Items are the items of the last answer, in the order Load gave them.
func (l List[T]) Items() []T { return l.items }

// Styles are the current styles.
func (l List[T]) Styles() *theme.Styles { return l.cfg.Styles }

// Clock is what the page measures ages against.
func (l List[T]) Clock() backend.Clock { return l.cfg.Clock }

// NextGen starts a new generation: replies of older ones are dropped. A
// page that loads in its own way calls it where Reload would.
func (l *List[T]) NextGen() uint64 {
	l.gen++
	l.armed = false
	return l.gen
}

// Reload lists again under a new generation. The rows stay on screen until
// the answer replaces them.
func (l *List[T]) Reload() tea.Cmd {
	l.NextGen()
	if l.cfg.Load == nil {
		l.err = l.cfg.Unavailable
		return nil
	}
	l.loading = true
	return l.fetch()
}

// Resync lists again quietly under the same generation (page.ResyncMsg).
func (l *List[T]) Resync() tea.Cmd {
	if l.cfg.Load == nil {
		return nil
	}
	return l.fetch()
}

func (l List[T]) fetch() tea.Cmd {
	load, parent, timeout, ns, gen, clock := l.cfg.Load, l.cfg.Ctx, l.cfg.Timeout, l.ns, l.gen, l.cfg.Clock
	return l.Tag().Wrap(func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		items, err := load(ctx, ns)
		return Loaded[T]{gen: gen, Items: items, Err: err, At: clock.Now()}
	})
}

// SetItems makes items the list's rows, rendered at now with row, or
// with Config.Row when row is nil.
func (l *List[T]) SetItems(items []T, now time.Time, row func(T, time.Time) table.Row) {
	if row == nil {
		row = func(it T, now time.Time) table.Row { return l.cfg.Row(it, l.ns, now) }
	}
	l.items = items
	rows := make([]table.Row, len(items))
	for i, it := range items {
		rows[i] = row(it, now)
	}
	l.Table.SetRows(rows)
	l.loaded = true
}

// Take applies a load's answer, rendering the rows with row (Config.Row
// when nil). took is false when there were no rows to take: an answer of
// an older generation (dropped), or a failure (shown and reported).
func (l *List[T]) Take(msg Loaded[T], row func(T, time.Time) table.Row) (cmd tea.Cmd, took bool) {
	if msg.gen != l.gen {
		return nil, false
	}
	if msg.Err != nil && msg.Items == nil {
		return l.Answered(msg.Err), false
	}
	l.SetItems(msg.Items, msg.At, row)
	ok := l.Answered(nil)
	if msg.Err != nil {
		return tea.Batch(ok, page.Report(msg.Err)), true
	}
	return ok, true
}

// Answered records the outcome of a load the page made itself: err shows
// in place of a list never loaded, and is reported; nil reports success
// (which closes a connection-lost panel).
func (l *List[T]) Answered(err error) tea.Cmd {
	l.loading = false
	if err != nil {
		l.err = err
		return page.Report(err)
	}
	l.err, l.loaded = nil, true
	return func() tea.Msg { return page.OKMsg{} }
}

// Err is the last load's failure (or why the API is unavailable); nil
// after an answer.
func (l List[T]) Err() error { return l.err }

// Loading is true from a Reload until its answer.
func (l List[T]) Loading() bool { return l.loading }

// Begin marks a load the page made itself as under way.
func (l *List[T]) Begin() { l.loading = true }

// Unavailable shows err in place of the list without reporting it: the
// API the page needs is not there (the header says so already).
func (l *List[T]) Unavailable(err error) { l.err = err }

// SetNamespace switches the list to ns with a fresh table (k8s.io has more
// columns), keeping the size; the caller reloads. False when ns is already
// shown.
func (l *List[T]) SetNamespace(ns string) bool {
	if ns == l.ns {
		return false
	}
	l.ns, l.loaded, l.items = ns, false, nil
	l.Table = table.New(l.cfg.Columns(ns), l.cfg.Styles)
	l.Table.SetSize(l.width, l.height)
	return true
}

// Refreshes reports whether msg is the refresh key (and no filter is being
// typed), for a page that refreshes in its own way.
func (l List[T]) Refreshes(msg tea.KeyPressMsg) bool {
	return !l.Table.Typing() && key.Matches(msg, l.keys.Refresh)
}

// Update handles the list's share of msg; handled is false for messages
// that are the page's own.
func (l *List[T]) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case Loaded[T]:
		cmd, _ := l.Take(msg, nil)
		return cmd, true
	case flushMsg:
		if msg.gen != l.gen || !l.armed {
			return nil, true
		}
		return l.Reload(), true
	case page.EventsMsg:
		return l.gather(msg.Events), l.cfg.Relist != nil
	case page.ResyncMsg:
		return l.Resync(), true
	case page.ReconnectedMsg:
		return l.Reload(), true
	case page.NamespaceMsg:
		if l.cfg.Global || !l.SetNamespace(msg.Namespace) {
			return nil, true
		}
		return l.Reload(), true
	case page.SizeMsg:
		l.width, l.height = msg.Width, msg.Height
		l.Table.SetSize(msg.Width, msg.Height)
		return nil, true
	case page.StylesMsg:
		l.cfg.Styles = msg.Styles
		l.Table.SetStyles(msg.Styles)
		return nil, true
	case tea.MouseWheelMsg, tea.PasteMsg: // a paste reaches the filter only while it is typing
		l.Table, cmd = l.Table.Update(msg)
		return cmd, true
	case tea.KeyPressMsg:
		return l.updateKey(msg), true
	}
	return nil, false
}

// gather waits out a Coalesce window after the first event Relist picks,
// then lists once: a burst costs one list.
func (l *List[T]) gather(evs []backend.Event) tea.Cmd {
	if l.armed || l.cfg.Load == nil || l.cfg.Relist == nil {
		return nil
	}
	for _, ev := range evs {
		if l.cfg.Relist(ev, l.ns) {
			l.armed = true
			return l.Tag().After(page.Coalesce, flushMsg{gen: l.gen})
		}
	}
	return nil
}

func (l *List[T]) updateKey(msg tea.KeyPressMsg) tea.Cmd {
	if !l.Table.Typing() {
		switch {
		case key.Matches(msg, l.keys.Refresh):
			return l.Reload()
		case msg.Code == tea.KeyEscape:
			l.Table.ClearFilter()
			return nil
		}
	}
	var cmd tea.Cmd
	l.Table, cmd = l.Table.Update(msg)
	return cmd
}

// View implements page.Page: the table, or what stands in for a list not
// loaded yet (the error, or that it is listing).
func (l List[T]) View() string {
	st := l.cfg.Styles
	switch {
	case l.err != nil && (!l.loaded || l.Table.Len() == 0):
		return page.Fit(st.Bad.Render(l.failed())+l.err.Error(), l.width, l.height)
	case !l.loaded:
		return page.Fit(st.Dim.Render(l.loadingText()), l.width, l.height)
	}
	return l.Table.View()
}

func (l List[T]) failed() string {
	if l.cfg.Failed != nil {
		return l.cfg.Failed(l.ns)
	}
	return l.cfg.Title + " of " + l.ns + ": "
}

func (l List[T]) loadingText() string {
	if l.cfg.Loading != nil {
		return l.cfg.Loading(l.ns)
	}
	return "listing the " + l.cfg.Title + " of namespace " + l.ns + "…"
}

// Keys implements page.Page: the page's own keys, then the table's.
func (l List[T]) Keys() []key.Binding {
	return append(append([]key.Binding(nil), l.cfg.Keys...), table.DefaultKeyMap().Bindings()...)
}

// State implements page.Page.
func (l List[T]) State() page.State {
	return page.State{
		Title: l.cfg.Title, Type: l.cfg.Type, Caps: l.cfg.Caps,
		Typing: l.Table.Typing(), Filtered: l.Table.Filter() != "", Info: l.Table.Info(),
	}
}

// SetTitle renames the page (a pod's containers are titled by the pod).
func (l *List[T]) SetTitle(title string) { l.cfg.Title = title }
