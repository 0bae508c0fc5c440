package du

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the page is built from.
type Config struct {
	ID        page.ID
	Ctx       context.Context
	Namespace string
	Source    Source
	Timeout   time.Duration
	Styles    *theme.Styles
	// Clock is what lease ages are measured against; the zero Clock is
	// the wall clock.
	Clock backend.Clock
}

// Model is the disk usage page: the filesystems (its own part) above the
// store scan and its table (ui/diskscan's base, on the list-page base).
type Model struct {
	diskscan.Base
	cfg      Config
	fs       FS
	fsGen    uint64
	fsLoaded bool
}

var _ page.Page = Model{}

// New returns the page and the commands that ask for the filesystems and the
// inventory at once.
func New(cfg Config) (Model, tea.Cmd) {
	b, inv := diskscan.NewBase(diskscan.BaseConfig{
		ID: cfg.ID, Ctx: cfg.Ctx, Namespace: cfg.Namespace, Disk: cfg.Source.Disk, DiskErr: cfg.Source.DiskErr,
		Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Title: "du", Type: page.TypeDu, Columns: Columns(),
		Measure: true, Rows: rows, Refresh: DefaultKeyMap().Refresh,
		Failed: func(ns string) string { return "stores of " + ns + ": " },
		Loading: func(ns string) string {
			return "listing the stores of namespace " + ns + " (content, snapshots, leases)…"
		},
	})
	m := Model{Base: b, cfg: cfg}
	return m, tea.Batch(m.fsReload(), inv)
}

func rows(rep backend.DiskReport, _ time.Time) []table.Row {
	items := Items(rep)
	out := make([]table.Row, len(items))
	for i, it := range items {
		out[i] = Row(it)
	}
	return out
}

func (m *Model) fsReload() tea.Cmd {
	m.fsGen++
	return page.Tag{Page: m.cfg.ID}.Wrap(fsCmd(m.cfg.Ctx, m.cfg.Source, m.cfg.Timeout, m.fsGen, m.cfg.Clock))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case fsMsg:
		if msg.gen == m.fsGen {
			m.fs, m.fsLoaded = msg.fs, true
		}
	case page.ReconnectedMsg, page.ResyncMsg:
		cmd = tea.Batch(m.fsReload(), m.Base.Reload())
	case tea.KeyPressMsg:
		if m.List.Refreshes(msg) {
			cmd = tea.Batch(m.fsReload(), m.Base.Reload())
			break
		}
		cmd, _ = m.Base.Update(msg)
	default:
		cmd, _ = m.Base.Update(msg)
	}
	m.Reserve(len(m.header()) + 1)
	return m, cmd
}

// Report is the last analysis, for the root's tests and the prune previews.
func (m Model) Report() backend.DiskReport { return m.Base.Report }

// header is the filesystem part and the progress line (or, until the
// stores are listed, what stands in for them).
func (m Model) header() []string {
	lines := FSLines(m.fs, m.fsLoaded)
	if !m.Scan.Loaded {
		return append(lines, strings.TrimRight(m.List.View(), "\n "))
	}
	done, total := m.Scan.Progress()
	return append(lines, ProgressLine(done, total, m.Scan.Measuring(), m.MeasureErr()))
}

// View implements page.Page.
func (m Model) View() string {
	st := m.List.Styles()
	width, height := m.Size()
	var b strings.Builder
	head := m.header()
	for i, l := range head {
		l = ansi.Truncate(l, width, "…")
		switch {
		case i == len(head)-1:
			b.WriteString(st.Dim.Render(l))
		case strings.HasPrefix(l, "  "):
			b.WriteString(l)
		default:
			b.WriteString(st.Title.Render(l))
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	if m.Scan.Loaded {
		b.WriteString(m.List.View())
	}
	return page.Fit(b.String(), width, height)
}

// PageBindings are the page's keys for docs/keybindings.md.
func PageBindings() []key.Binding {
	return append(DefaultKeyMap().Bindings(), table.DefaultKeyMap().Bindings()...)
}
