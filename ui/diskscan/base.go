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
	"github.com/ctui/ctui/ui/listpage"
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
	Styles    *theme.Styles
	Clock     backend.Clock
	Title     string
	// Type is what the page is, for the root's routing (page.State).
	Type    page.Type
	Caps    page.Caps
	Columns []table.Column
	// Keys are the page's own bindings, for help before the refresh key
	// and the table's.
	Keys []key.Binding
	// Measure is true for pages that show snapshot usage; MediaTypes for
	// pages that show what each blob is (ContentMediaTypes, a read of
	// every index and manifest).
	Measure    bool
	MediaTypes bool
	// Rows renders the report; Summary is the line above the table. A
	// page with a header of its own (:du's filesystems) leaves Summary nil
	// and draws it around Table (see Reserve).
	Rows    func(rep backend.DiskReport, now time.Time) []table.Row
	Summary func(rep backend.DiskReport) string
	// Refresh is the refresh key's binding as help shows it; the zero
	// value is RefreshBinding's.
	Refresh key.Binding
	// Failed and Loading are what stands in for the table while nothing
	// is listed (ui/listpage's defaults when nil).
	Failed, Loading func(ns string) string
}

// Base is what the store pages share on top of the list-page base
// (ui/listpage: table, size, styles, mouse, filter, esc, namespace switch,
// view, keys and state): the scan of the stores, its measuring in batches,
// the report and the summary line above the table. A page embeds it and
// handles its own keys first.
type Base struct {
	listpage.List[table.Row]
	cfg    BaseConfig
	Scan   Scan
	Report backend.DiskReport
	// analyzed is when the report was last made, on the page's clock.
	analyzed time.Time
	measErr  error
	width    int
	height   int
	reserve  int // lines above the table
}

// AnalyzeEvery is how often, at most, the report is made again while
// snapshots are measured (on the page's clock, when a batch comes in; no
// timer): an analysis and its rows cost some 20 ms at 5,000 containers and
// a batch of 256 can come in every 30 ms, so analysing per batch would take
// as much time as the measuring. The progress line moves with every batch;
// the last batch is always analysed.
const AnalyzeEvery = 500 * time.Millisecond

// NewBase returns the base and its first load.
func NewBase(cfg BaseConfig) (Base, tea.Cmd) {
	cols := cfg.Columns
	if len(cfg.Refresh.Keys()) == 0 {
		cfg.Refresh = RefreshBinding()
	}
	b := Base{cfg: cfg, reserve: 2, List: listpage.New(listpage.Config[table.Row]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock,
		Title: cfg.Title, Type: cfg.Type, Caps: cfg.Caps, Namespace: cfg.Namespace,
		Columns: func(string) []table.Column { return cols },
		Row:     func(r table.Row, _ string, _ time.Time) table.Row { return r },
		Failed:  cfg.Failed, Loading: cfg.Loading,
		Keys: append(append([]key.Binding(nil), cfg.Keys...), cfg.Refresh),
	})}
	b.Scan = b.newScan(cfg.Namespace)
	return b, b.Reload()
}

func (b Base) newScan(ns string) Scan {
	return Scan{Disk: b.cfg.Disk, Ctx: b.cfg.Ctx, Timeout: b.cfg.Timeout, Clock: b.cfg.Clock, NS: ns,
		Measure: b.cfg.Measure, MediaTypes: b.cfg.MediaTypes}
}

// Reload lists again under a new generation.
func (b *Base) Reload() tea.Cmd {
	b.measErr = nil
	b.List.NextGen()
	cmd := b.Scan.Inventory()
	if cmd == nil {
		err := b.cfg.DiskErr
		if err == nil {
			err = backend.Errorf(backend.ErrUnsupported, "this backend cannot list containerd's stores")
		}
		b.List.Unavailable(err)
		return nil
	}
	b.List.Begin()
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
			return b.List.Answered(msg.Err), true
		}
		b.render()
		return tea.Batch(tag.Wrap(cmd), b.List.Answered(nil)), true
	case MeasuredMsg:
		cmd, ok := b.Scan.Merge(msg)
		if !ok {
			return nil, true
		}
		if !b.Scan.Measuring() || msg.Err != nil || b.cfg.Clock.Since(b.analyzed) >= AnalyzeEvery {
			b.render()
		}
		if msg.Err != nil {
			b.measErr = msg.Err
			return page.Report(msg.Err), true
		}
		return tag.Wrap(cmd), true
	case page.SizeMsg:
		b.width, b.height = msg.Width, msg.Height
		return b.List.Update(page.SizeMsg{Width: msg.Width, Height: max(msg.Height-b.reserve, 1)})
	case page.NamespaceMsg:
		if !b.List.SetNamespace(msg.Namespace) {
			return nil, true
		}
		b.Scan = b.newScan(msg.Namespace)
		b.Report = backend.DiskReport{}
		return b.Reload(), true
	case page.ReconnectedMsg, page.ResyncMsg:
		return b.Reload(), true
	case tea.KeyPressMsg:
		if b.List.Refreshes(msg) {
			return b.Reload(), true
		}
	}
	return b.List.Update(msg)
}

// Reserve keeps n lines above the table for the page's own header (2 by
// default: the summary and a blank line).
func (b *Base) Reserve(n int) {
	if n == b.reserve {
		return
	}
	b.reserve = n
	b.List.Update(page.SizeMsg{Width: b.width, Height: max(b.height-n, 1)})
}

// MeasureErr is why measuring stopped, nil while it goes on or once done.
func (b Base) MeasureErr() error { return b.measErr }

// SetRows renders the rows with rows from now on (a page that shows its
// report in another shape: the snapshots as a tree), at once when listed.
func (b *Base) SetRows(rows func(rep backend.DiskReport, now time.Time) []table.Row) {
	b.cfg.Rows = rows
	if b.Scan.Loaded {
		b.render()
	}
}

func (b *Base) render() {
	b.Report = b.Scan.Report(backend.DefaultStaleAge)
	now := b.cfg.Clock.Now()
	b.analyzed = now
	b.List.SetItems(b.cfg.Rows(b.Report, now), now, nil)
}

// View renders the summary, the progress of the measuring and the table; or
// the list base's sentence while nothing is listed (listing, or why not).
func (b Base) View() string {
	st := b.List.Styles()
	if !b.Scan.Loaded {
		return page.Fit(b.List.View(), b.width, b.height)
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
	s.WriteString(b.List.View())
	return page.Fit(s.String(), b.width, b.height)
}

// RefreshBinding is the base's key, for help and docs.
func RefreshBinding() key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "list the stores again"))
}

// Size is the page's area.
func (b Base) Size() (width, height int) { return b.width, b.height }
