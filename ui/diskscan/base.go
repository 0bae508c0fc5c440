package diskscan

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// BaseConfig is what a store page (:snapshots, :content, :leases) is built
// from.
type BaseConfig struct {
	ID        page.ID
	Ctx       context.Context
	Namespace string
	Disk      backend.DiskReader
	DiskErr   error
	Timeout   time.Duration
	Styles    theme.Styles
	Clock     backend.Clock
	Title     string
	// Type is what the page is, for the root's routing (page.State).
	Type    page.Type
	Columns []table.Column
	// Measure is true for pages that show snapshot usage.
	Measure bool
	// Rows renders the report; Summary is the line above the table.
	Rows    func(rep backend.DiskReport, now time.Time) []table.Row
	Summary func(rep backend.DiskReport) string
}

// Base is the plumbing the store pages share: the scan, the table, size,
// styles, filter, refresh and namespace switches. A page embeds it and
// handles its own keys first.
type Base struct {
	cfg     BaseConfig
	Scan    Scan
	Report  backend.DiskReport
	Table   table.Model
	err     error
	measErr error
	refresh key.Binding
	width   int
	height  int
}

// NewBase returns the base and its first load.
func NewBase(cfg BaseConfig) (Base, tea.Cmd) {
	b := Base{cfg: cfg, Table: table.New(cfg.Columns, cfg.Styles),
		refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "list the stores again"))}
	b.Scan = Scan{Disk: cfg.Disk, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Clock: cfg.Clock, NS: cfg.Namespace, Measure: cfg.Measure}
	return b, b.Reload()
}

// Styles are the page's current styles.
func (b Base) Styles() theme.Styles { return b.cfg.Styles }

// Namespace is the namespace shown.
func (b Base) Namespace() string { return b.Scan.NS }

// Reload lists again under a new generation.
func (b *Base) Reload() tea.Cmd {
	b.err, b.measErr = nil, nil
	cmd := b.Scan.Inventory()
	if cmd == nil {
		b.err = b.cfg.DiskErr
		if b.err == nil {
			b.err = backend.Errorf(backend.ErrUnsupported, "this backend cannot list containerd's stores")
		}
		return nil
	}
	return page.Tag{Page: b.cfg.ID}.Wrap(cmd)
}

// Update handles the base's share of msg; handled is false for the page's
// own messages.
func (b *Base) Update(msg tea.Msg) (tea.Cmd, bool) {
	tag := page.Tag{Page: b.cfg.ID}
	switch msg := msg.(type) {
	case InventoryMsg:
		cmd, ok := b.Scan.Take(msg)
		if !ok {
			return nil, true
		}
		if msg.Err != nil {
			b.err = msg.Err
			return page.Report(msg.Err), true
		}
		b.render()
		return tea.Batch(tag.Wrap(cmd), func() tea.Msg { return page.OKMsg{} }), true
	case MeasuredMsg:
		cmd, ok := b.Scan.Merge(msg)
		if !ok {
			return nil, true
		}
		if !b.Scan.Measuring() || msg.Err != nil {
			b.render()
		}
		if msg.Err != nil {
			b.measErr = msg.Err
			return page.Report(msg.Err), true
		}
		return tag.Wrap(cmd), true
	case page.SizeMsg:
		b.width, b.height = msg.Width, msg.Height
		b.Table.SetSize(b.width, max(b.height-2, 1))
		return nil, true
	case page.StylesMsg:
		b.cfg.Styles = msg.Styles
		b.Table.SetStyles(msg.Styles)
		return nil, true
	case page.NamespaceMsg:
		if msg.Namespace == b.Scan.NS {
			return nil, true
		}
		b.Scan = Scan{Disk: b.cfg.Disk, Ctx: b.cfg.Ctx, Timeout: b.cfg.Timeout, Clock: b.cfg.Clock, NS: msg.Namespace, Measure: b.cfg.Measure}
		b.Report = backend.DiskReport{}
		b.Table.SetRows(nil)
		return b.Reload(), true
	case page.ReconnectedMsg, page.ResyncMsg:
		return b.Reload(), true
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		b.Table, cmd = b.Table.Update(msg)
		return cmd, true
	case tea.KeyPressMsg:
		if !b.Table.Typing() {
			switch {
			case key.Matches(msg, b.refresh):
				return b.Reload(), true
			case msg.Code == tea.KeyEscape:
				b.Table.ClearFilter()
				return nil, true
			}
		}
		var cmd tea.Cmd
		b.Table, cmd = b.Table.Update(msg)
		return cmd, true
	}
	return nil, false
}

func (b *Base) render() {
	b.Report = b.Scan.Report(backend.DefaultStaleAge)
	b.Table.SetRows(b.cfg.Rows(b.Report, b.cfg.Clock.Now()))
}

// View renders the summary, the progress of the measuring and the table.
func (b Base) View() string {
	st := b.cfg.Styles
	switch {
	case b.err != nil:
		return page.Fit(st.Bad.Render(b.cfg.Title+" of "+b.Scan.NS+": ")+b.err.Error(), b.width, b.height)
	case !b.Scan.Loaded:
		return page.Fit(st.Dim.Render("listing the "+b.cfg.Title+" of namespace "+b.Scan.NS+"…"), b.width, b.height)
	}
	line := b.cfg.Summary(b.Report)
	if b.Scan.Measuring() {
		done, total := b.Scan.Progress()
		line += "; measuring " + strconv.Itoa(done) + " of " + strconv.Itoa(total) + " snapshots…"
	}
	if b.measErr != nil {
		line += "; measuring stopped: " + b.measErr.Error()
	}
	var s strings.Builder
	s.WriteString(st.Title.Render(ansi.Truncate(line, b.width, "…")) + "\n\n")
	s.WriteString(b.Table.View())
	return page.Fit(s.String(), b.width, b.height)
}

// Keys are the refresh key and the table's.
func (b Base) Keys() []key.Binding { return append([]key.Binding{b.refresh}, b.Table.Keys()...) }

// State is the page's title and the table's state.
func (b Base) State() page.State {
	return page.State{Type: b.cfg.Type, Title: b.cfg.Title, Typing: b.Table.Typing(), Filtered: b.Table.Filter() != "", Info: b.Table.Info()}
}

// RefreshBinding is the base's key, for docs.
func RefreshBinding() key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "list the stores again"))
}

// Size is the page's area.
func (b Base) Size() (width, height int) { return b.width, b.height }
