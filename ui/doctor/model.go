// Package doctor is the :doctor page: the same checks as `ctui doctor`
// (backend/doctor), one row each, failures first; enter shows a check's
// evidence and fix, ctrl+r runs them again. Each run also goes to the root,
// whose header shows "doctor: N FAIL" while the last run found failures.
package doctor

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
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the page is built from.
type Config struct {
	ID     page.ID
	Ctx    context.Context
	Source Source
	// Timeout bounds a whole run (each call inside has Source's own).
	Timeout time.Duration
	Styles  theme.Styles
	Clock   backend.Clock
	// Last is the root's last run (the background one at start, or an
	// earlier visit's): the page opens on it instead of gathering the
	// node's facts again; ctrl+r runs anew. Zero means no run yet.
	Last RanMsg
}

// Model is the doctor page.
type Model struct {
	cfg  Config
	gen  uint64
	keys KeyMap

	ran     RanMsg
	loaded  bool
	running bool

	cursor, offset int
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
	m := Model{cfg: cfg, keys: DefaultKeyMap()}
	if !cfg.Last.At.IsZero() && cfg.Source.Unavailable == nil {
		m.ran, m.loaded = cfg.Last, true
		return m, nil
	}
	return m, m.rerun()
}

// rerun starts a run under a new generation; the last findings stay on
// screen until it answers.
func (m *Model) rerun() tea.Cmd {
	if m.cfg.Source.Unavailable != nil {
		return nil
	}
	m.gen++
	m.running = true
	gen, ctx, src, clock := m.gen, m.cfg.Ctx, m.cfg.Source, m.cfg.Clock
	timeout := m.cfg.Timeout
	run := func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return loadedMsg{gen: gen, ran: RunCmd(cctx, src, clock.Now)().(RanMsg)}
	}
	return page.Tag{Page: m.cfg.ID, Gen: m.gen}.Wrap(run)
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.running, m.loaded, m.ran = false, true, msg.ran
		m.cursor = min(m.cursor, max(len(m.ran.Findings)-1, 0))
		m.clamp()
		if m.detail {
			m.layoutDetail()
		}
		ran := msg.ran
		return m, func() tea.Msg { return ran }
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clamp()
		if m.detail {
			m.layoutDetail()
		}
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		if m.detail {
			m.layoutDetail()
		}
	case page.ReconnectedMsg:
		return m, m.rerun()
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Rerun):
		return m, m.rerun()
	case m.detail && key.Matches(msg, k.Open, k.Close):
		m.detail, m.lines = false, nil
	case m.detail:
		m.scrollDetail(msg)
	case key.Matches(msg, k.Open):
		if m.cursor < len(m.ran.Findings) {
			m.detail, m.dOffset = true, 0
			m.layoutDetail()
		}
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.move(-len(m.ran.Findings))
	case key.Matches(msg, k.Bottom):
		m.move(len(m.ran.Findings))
	case key.Matches(msg, k.PageUp):
		m.move(-max(m.listHeight()-1, 1))
	case key.Matches(msg, k.PageDown):
		m.move(max(m.listHeight()-1, 1))
	}
	return m, nil
}

func (m *Model) scrollDetail(msg tea.KeyPressMsg) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.dOffset--
	case key.Matches(msg, k.Down):
		m.dOffset++
	case key.Matches(msg, k.Top):
		m.dOffset = 0
	case key.Matches(msg, k.Bottom):
		m.dOffset = len(m.lines)
	case key.Matches(msg, k.PageUp):
		m.dOffset -= max(m.height-1, 1)
	case key.Matches(msg, k.PageDown):
		m.dOffset += max(m.height-1, 1)
	}
	m.dOffset = max(min(m.dOffset, len(m.lines)-m.height), 0)
}

func (m *Model) move(d int) {
	m.cursor = max(min(m.cursor+d, len(m.ran.Findings)-1), 0)
	m.clamp()
}

// clamp keeps the cursor's row on screen.
func (m *Model) clamp() {
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if h > 0 && m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, len(m.ran.Findings)-h), 0)
}

func (m *Model) layoutDetail() {
	if m.cursor >= len(m.ran.Findings) {
		m.detail, m.lines = false, nil
		return
	}
	m.lines = RenderDetail(m.cfg.Styles, m.ran.Findings[m.cursor], m.width)
	m.dOffset = max(min(m.dOffset, len(m.lines)-m.height), 0)
}

// listHeight is the rows under the summary line.
func (m Model) listHeight() int { return max(m.height-1, 0) }

// View implements page.Page: the summary line and the checks, or one
// check's evidence and fix.
func (m Model) View() string {
	st := m.cfg.Styles
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if err := m.cfg.Source.Unavailable; err != nil {
		return page.Fit(st.Warn.Render(err.Error()), m.width, m.height)
	}
	if !m.loaded {
		return page.Fit(st.Dim.Render("running the doctor's checks…"), m.width, m.height)
	}
	var b strings.Builder
	if m.detail {
		end := min(m.dOffset+m.height, len(m.lines))
		for i, l := range m.lines[m.dOffset:end] {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(ansi.Truncate(l, m.width, "…"))
		}
		return b.String()
	}
	b.WriteString(SummaryLine(st, m.ran, m.running, m.width))
	nameWidth := 0
	for _, f := range m.ran.Findings {
		nameWidth = max(nameWidth, len(f.Check))
	}
	end := min(m.offset+m.listHeight(), len(m.ran.Findings))
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(RenderRow(st, m.ran.Findings[i], nameWidth, m.width, i == m.cursor))
	}
	return b.String()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return m.keys.Bindings() }

// Findings are the last run's, worst first, for tests.
func (m Model) Findings() RanMsg { return m.ran }

// State implements page.Page. While a check is open the page counts as
// filtered, so esc closes the check before it leaves the page.
func (m Model) State() page.State {
	info := ""
	if m.loaded && len(m.ran.Findings) > 0 {
		info = strconv.Itoa(m.cursor+1) + "/" + strconv.Itoa(len(m.ran.Findings))
		if m.detail {
			info = m.ran.Findings[m.cursor].Check
		}
	}
	if m.running {
		info = strings.TrimSpace(info + " running…")
	}
	return page.State{Type: page.TypeDoctor, Title: "doctor", Filtered: m.detail, Info: info}
}
