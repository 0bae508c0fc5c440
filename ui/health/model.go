// Package health is the node health page (:health, :node): containerd's
// version, server and plugins (failures first), the CRI runtime's
// conditions and the settings that decide whether pods start, and how full
// the image filesystem is, under a one-line verdict (OK, WARN, ERROR and
// why). Everything is asked in the background with a timeout per call; the
// page is a scrollable text that draws only the lines on screen.
package health

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
	ID  page.ID
	Ctx context.Context
	// Namespace decides the snapshotter shown (its label may pick one).
	Namespace string
	// Native and CRI are the two sides; either is nil when unavailable,
	// and NativeErr or CRIErr says why.
	Native    backend.Native
	NativeErr error
	CRI       backend.Runtime
	CRIErr    error
	// LocalFS is true when the CRI runtime runs on this machine, so that
	// the image filesystem's free space can be read with statfs.
	LocalFS bool
	Timeout time.Duration
	Styles  *theme.Styles
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
}

// Model is the health page.
type Model struct {
	cfg  Config
	gen  uint64
	keys KeyMap

	r       report
	loaded  bool
	loading bool
	raw     bool

	level   Level
	reasons []string
	lines   []string // the body for the current width and mode

	offset        int
	width, height int
}

var _ page.Page = Model{}

// New returns the page and the command that asks both sides.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap()}
	return m, m.reload()
}

// reload asks again under a new generation; the last answer stays on
// screen until the new one comes.
func (m *Model) reload() tea.Cmd {
	m.gen++
	m.loading = true
	src := source{
		native: m.cfg.Native, nativeErr: m.cfg.NativeErr, cri: m.cfg.CRI, criErr: m.cfg.CRIErr,
		namespace: m.cfg.Namespace, localFS: m.cfg.LocalFS,
	}
	return page.Tag{Page: m.cfg.ID, Gen: m.gen}.Wrap(loadCmd(m.cfg.Ctx, src, m.cfg.Clock, m.cfg.Timeout, m.gen))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.loading, m.loaded, m.r = false, true, msg.r
		m.level, m.reasons = Assess(m.r)
		m.layout()
		if err := m.r.lost(page.ConnectionLost); err != nil {
			return m, page.Report(err)
		}
		return m, func() tea.Msg { return page.OKMsg{} }
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.layout()
	case page.NamespaceMsg:
		m.cfg.Namespace = msg.Namespace
		return m, m.reload()
	case page.ReconnectedMsg, page.ResyncMsg:
		return m, m.reload()
	case page.EventsMsg:
		// Only a label on the namespace can change what the page shows
		// (its snapshotter); conditions have no events, and the header's
		// and the root's slow refreshes cover them.
		for _, e := range msg.Events {
			if e.Topic == backend.TopicNamespaceUpdate && e.ID == m.cfg.Namespace {
				return m, m.reload()
			}
		}
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.Top):
		m.offset = 0
	case key.Matches(msg, k.Bottom):
		m.offset = len(m.lines)
		m.clamp()
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.Refresh):
		return m, m.reload()
	case key.Matches(msg, k.Raw):
		m.raw = !m.raw
		m.offset = 0
		m.layout()
	}
	return m, nil
}

// layout renders the body for the current width, mode and report; the
// scroll position is kept where it can be.
func (m *Model) layout() {
	switch {
	case !m.loaded:
		m.lines = nil
	case m.raw:
		m.lines = RenderRaw(m.r)
	default:
		m.lines = Render(m.cfg.Styles, m.r, m.cfg.Namespace, m.width)
	}
	m.clamp()
}

func (m *Model) scroll(d int) {
	m.offset += d
	m.clamp()
}

func (m *Model) clamp() {
	m.offset = max(min(m.offset, len(m.lines)-m.bodyHeight()), 0)
}

// bodyHeight is the lines under the summary line.
func (m Model) bodyHeight() int { return max(m.height-1, 0) }

// View implements page.Page: the summary line, then the visible lines.
func (m Model) View() string {
	st := m.cfg.Styles
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if !m.loaded {
		return page.Fit(st.Dim.Render("asking containerd and CRI…"), m.width, m.height)
	}
	var b strings.Builder
	b.WriteString(SummaryLine(st, m.level, m.reasons, m.width))
	end := min(m.offset+m.bodyHeight(), len(m.lines))
	for _, l := range m.lines[m.offset:end] {
		b.WriteByte('\n')
		b.WriteString(ansi.Truncate(l, m.width, "…"))
	}
	return b.String()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return m.keys.Bindings() }

// Level is the verdict of the last answer, for tests and the root.
func (m Model) Level() Level { return m.level }

// State implements page.Page. The title is the command's name, so :health
// goes back to an open page rather than stacking another.
func (m Model) State() page.State {
	info := ""
	if m.loaded {
		info = m.level.String()
		if m.raw {
			info += " raw"
		}
		if n := len(m.lines); n > 0 {
			info += " " + strconv.Itoa(m.offset+1) + "-" + strconv.Itoa(min(m.offset+m.bodyHeight(), n)) + "/" + strconv.Itoa(n)
		}
	}
	if m.loading {
		info = strings.TrimSpace(info + " asking…")
	}
	return page.State{Type: page.TypeHealth, Title: "health", Info: info}
}
