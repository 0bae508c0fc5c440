// Package doctor is the :doctor page: the same checks as `ctui doctor`
// (backend/doctor), one row each, failures first, on the list-page base;
// enter shows a check's evidence and fix, ctrl+r runs them again. Each run
// also goes to the root, whose header shows "doctor: N FAIL" while the
// last run found failures, and which opens the page on that run.
package doctor

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	checks "github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the page is built from.
type Config struct {
	ID     page.ID
	Ctx    context.Context
	Source Source
	// Timeout bounds a whole run (each call inside has Source's own).
	Timeout time.Duration
	Styles  *theme.Styles
	Clock   backend.Clock
	// Last is the root's last run (the background one at start, or an
	// earlier visit's): the page opens on it instead of gathering the
	// node's facts again; ctrl+r runs anew. Zero means no run yet.
	Last RanMsg
}

// Model is the doctor page: the checks as a list, and one check's evidence
// and fix over it while open.
type Model struct {
	listpage.List[checks.Finding]
	cfg  Config
	keys KeyMap
	ran  RanMsg

	// detail is true while one check's evidence and fix are shown;
	// lines is that text and dOffset its scroll.
	detail  bool
	lines   []string
	dOffset int

	width, height int
}

var _ page.Page = Model{}

// New returns the page on the last run, or with the command that runs the
// checks when there was none.
func New(cfg Config) (Model, tea.Cmd) {
	src, now := cfg.Source, cfg.Clock.Now
	lc := listpage.Config[checks.Finding]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock,
		Title: "doctor", Type: page.TypeDoctor, Global: true, Keys: DefaultKeyMap().Bindings(),
		Columns:     func(string) []table.Column { return Columns },
		Row:         func(f checks.Finding, _ string, _ time.Time) table.Row { return row(f) },
		Unavailable: src.Unavailable,
		Loading:     func(string) string { return "running the doctor's checks…" },
		Failed:      func(string) string { return "doctor: " },
	}
	if src.Unavailable == nil {
		lc.Load = func(ctx context.Context, _ string) ([]checks.Finding, error) {
			return RunCmd(ctx, src, now)().(RanMsg).Findings, nil
		}
	}
	m := Model{List: listpage.New(lc), cfg: cfg, keys: DefaultKeyMap()}
	if src.Unavailable != nil {
		m.List.Unavailable(src.Unavailable)
		return m, nil
	}
	if !cfg.Last.At.IsZero() {
		m.ran = cfg.Last
		m.List.SetItems(cfg.Last.Findings, cfg.Last.At, nil)
		return m, nil
	}
	return m, m.List.Reload()
}

// row is one check: verdict, name, finding.
func row(f checks.Finding) table.Row {
	return table.Row{ID: f.Check, Cells: []string{string(f.Status), f.Check, f.Finding}}
}

// Update implements page.Page: a run's answer becomes the list and goes on
// to the root; enter and esc open and close a check; the rest is the
// list's.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case listpage.Loaded[checks.Finding]:
		cmd, took := m.List.Take(msg, nil)
		if !took {
			return m, cmd
		}
		m.ran = RanMsg{Findings: m.List.Items(), At: msg.At}
		if m.detail {
			m.layoutDetail()
		}
		ran := m.ran
		return m, tea.Batch(cmd, func() tea.Msg { return ran })
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		cmd, _ := m.List.Update(page.SizeMsg{Width: msg.Width, Height: max(msg.Height-1, 0)})
		if m.detail {
			m.layoutDetail()
		}
		return m, cmd
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		cmd, _ := m.List.Update(msg)
		if m.detail {
			m.layoutDetail()
		}
		return m, cmd
	case tea.KeyPressMsg:
		if m.cfg.Source.Unavailable != nil {
			return m, nil
		}
		switch {
		case m.detail && key.Matches(msg, m.keys.Open, m.keys.Close):
			m.detail, m.lines = false, nil
			return m, nil
		case m.detail && !key.Matches(msg, m.keys.Rerun):
			m.scrollDetail(msg)
			return m, nil
		case !m.detail && key.Matches(msg, m.keys.Open) && !m.List.Table.Typing():
			if _, ok := m.selected(); ok {
				m.detail, m.dOffset = true, 0
				m.layoutDetail()
			}
			return m, nil
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// selected is the check under the cursor.
func (m Model) selected() (checks.Finding, bool) {
	id, ok := m.List.Table.SelectedID()
	if !ok {
		return checks.Finding{}, false
	}
	for _, f := range m.ran.Findings {
		if f.Check == id {
			return f, true
		}
	}
	return checks.Finding{}, false
}

func (m *Model) scrollDetail(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "k", "up":
		m.dOffset--
	case "j", "down":
		m.dOffset++
	case "g", "home":
		m.dOffset = 0
	case "G", "end":
		m.dOffset = len(m.lines)
	case "pgup", "ctrl+b":
		m.dOffset -= max(m.height-1, 1)
	case "pgdown", "ctrl+f", "space":
		m.dOffset += max(m.height-1, 1)
	}
	m.dOffset = max(min(m.dOffset, len(m.lines)-m.height), 0)
}

func (m *Model) layoutDetail() {
	f, ok := m.selected()
	if !ok {
		m.detail, m.lines = false, nil
		return
	}
	m.lines = RenderDetail(m.cfg.Styles, f, m.width)
	m.dOffset = max(min(m.dOffset, len(m.lines)-m.height), 0)
}

// View implements page.Page: the summary line over the list, or one
// check's evidence and fix.
func (m Model) View() string {
	st := m.cfg.Styles
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if err := m.cfg.Source.Unavailable; err != nil {
		return page.Fit(st.Warn.Render(err.Error()), m.width, m.height)
	}
	if m.ran.At.IsZero() {
		return page.Fit(m.List.View(), m.width, m.height)
	}
	if m.detail {
		var b strings.Builder
		end := min(m.dOffset+m.height, len(m.lines))
		for i, l := range m.lines[m.dOffset:end] {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(ansi.Truncate(l, m.width, "…"))
		}
		return b.String()
	}
	return SummaryLine(st, m.ran, m.List.Loading(), m.width) + "\n" + m.List.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return m.List.Keys() }

// Findings are the last run's, worst first, for tests.
func (m Model) Findings() RanMsg { return m.ran }

// State implements page.Page. While a check is open the page counts as
// filtered, so esc closes the check before it leaves the page.
func (m Model) State() page.State {
	st := m.List.State()
	if f, ok := m.selected(); ok && m.detail {
		st.Filtered, st.Info = true, f.Check
	}
	if m.List.Loading() {
		st.Info = strings.TrimSpace(st.Info + " running…")
	}
	return st
}
