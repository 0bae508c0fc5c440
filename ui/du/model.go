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
	Styles    theme.Styles
	// Clock is what lease ages are measured against; the zero Clock is
	// the wall clock.
	Clock backend.Clock
}

// analyzeEvery is how many measured batches pass between two re-renders of
// the table while measuring: the analysis of a node at 5,000 containers
// costs a tenth of a second, so it is not redone for every batch.
const analyzeEvery = 4

// Model is the disk usage page.
type Model struct {
	cfg  Config
	keys KeyMap

	scan     diskscan.Scan
	batches  int
	fs       FS
	fsGen    uint64
	fsLoaded bool
	err      error // the inventory's failure
	measErr  error // why measuring stopped
	report   backend.DiskReport

	table         table.Model
	width, height int
}

var _ page.Page = Model{}

// New returns the page and the commands that ask for the filesystems and the
// inventory at once.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap(), table: table.New(Columns(), cfg.Styles)}
	m.scan = diskscan.Scan{Disk: cfg.Source.Disk, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Clock: cfg.Clock, NS: cfg.Namespace, Measure: true}
	return m, m.reload()
}

func (m *Model) tag(gen uint64) page.Tag { return page.Tag{Page: m.cfg.ID, Gen: gen} }

// reload asks for everything again; what is on screen stays until the
// answers replace it.
func (m *Model) reload() tea.Cmd {
	m.fsGen++
	m.err, m.measErr, m.batches = nil, nil, 0
	fs := m.tag(0).Wrap(fsCmd(m.cfg.Ctx, m.cfg.Source, m.cfg.Timeout, m.fsGen, m.cfg.Clock))
	inv := m.scan.Inventory()
	if inv == nil {
		m.err = m.cfg.Source.DiskErr
		if m.err == nil {
			m.err = backend.Errorf(backend.ErrUnsupported, "this backend cannot list containerd's stores")
		}
		return fs
	}
	return tea.Batch(fs, m.tag(0).Wrap(inv))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case fsMsg:
		if msg.gen == m.fsGen {
			m.fs, m.fsLoaded = msg.fs, true
			m.layout()
		}
		return m, nil
	case diskscan.InventoryMsg:
		cmd, ok := m.scan.Take(msg)
		if !ok {
			return m, nil
		}
		if msg.Err != nil {
			m.err = msg.Err
			return m, page.Report(msg.Err)
		}
		m.analyze()
		return m, tea.Batch(m.tag(0).Wrap(unwrap(cmd)), func() tea.Msg { return page.OKMsg{} })
	case diskscan.MeasuredMsg:
		cmd, ok := m.scan.Merge(msg)
		if !ok {
			return m, nil
		}
		m.batches++
		if msg.Err != nil {
			m.measErr = msg.Err
		}
		if !m.scan.Measuring() || m.batches%analyzeEvery == 0 {
			m.analyze()
		}
		if msg.Err != nil {
			return m, page.Report(msg.Err)
		}
		return m, m.tag(0).Wrap(unwrap(cmd))
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.table.SetStyles(msg.Styles)
	case page.NamespaceMsg:
		if msg.Namespace != m.scan.NS {
			m.scan = diskscan.Scan{Disk: m.cfg.Source.Disk, Ctx: m.cfg.Ctx, Timeout: m.cfg.Timeout, Clock: m.cfg.Clock, NS: msg.Namespace, Measure: true}
			m.cfg.Namespace = msg.Namespace
			m.report = backend.DiskReport{}
			m.table.SetRows(nil)
			return m, m.reload()
		}
	case page.ReconnectedMsg, page.ResyncMsg:
		return m, m.reload()
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(msg)
		return m, cmd
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
	}
	return m, nil
}

// unwrap turns a tea.Cmd into the func a Tag wraps.
func unwrap(cmd tea.Cmd) func() tea.Msg {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return cmd() }
}

// analyze joins the inventory with the usages known and redraws the rows.
func (m *Model) analyze() {
	m.report = m.scan.Report(backend.DefaultStaleAge)
	items := Items(m.report)
	rows := make([]table.Row, len(items))
	for i, it := range items {
		rows[i] = Row(it)
	}
	m.table.SetRows(rows)
}

// Report is the last analysis, for the root's tests and the prune previews.
func (m Model) Report() backend.DiskReport { return m.report }

// header is the filesystem part and the progress line.
func (m Model) header() []string {
	lines := FSLines(m.fs, m.fsLoaded)
	switch {
	case m.err != nil:
		lines = append(lines, "stores of "+m.scan.NS+": "+m.err.Error())
	case !m.scan.Loaded:
		lines = append(lines, "listing the stores of namespace "+m.scan.NS+" (content, snapshots, leases)…")
	default:
		done, total := m.scan.Progress()
		lines = append(lines, ProgressLine(done, total, m.scan.Measuring(), m.measErr))
	}
	return lines
}

func (m *Model) layout() {
	m.table.SetSize(m.width, max(m.height-len(m.header())-1, 1))
}

// View implements page.Page.
func (m Model) View() string {
	st := m.cfg.Styles
	var b strings.Builder
	head := m.header()
	for i, l := range head {
		l = ansi.Truncate(l, m.width, "…")
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
	if m.scan.Loaded {
		b.WriteString(m.table.View())
	}
	return page.Fit(b.String(), m.width, m.height)
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding {
	return append(m.keys.Bindings(), m.table.Keys()...)
}

// State implements page.Page.
func (m Model) State() page.State {
	return page.State{Type: page.TypeDu, Title: "du", Typing: m.table.Typing(), Filtered: m.table.Filter() != "", Info: m.table.Info()}
}

// PageBindings are the page's keys for docs/keybindings.md.
func PageBindings() []key.Binding {
	return append(DefaultKeyMap().Bindings(), table.DefaultKeyMap().Bindings()...)
}
