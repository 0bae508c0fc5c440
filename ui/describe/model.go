// Package describe is the describe page: one object (container, image,
// namespace, pod, pod container) as the backend records it, as JSON or YAML,
// scrollable and searchable. Only the lines on screen are drawn, so a
// thousand-line OCI spec scrolls as fast as a short one.
package describe

import (
	"context"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/textfield"
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the page is built from.
type Config struct {
	ID     page.ID
	Ctx    context.Context
	Object page.Object
	// Native describes containerd's objects and Runtime CRI's; either is
	// nil when that side is unavailable, and NativeErr or CRIErr says why.
	Native    backend.NativeDescriber
	NativeErr error
	Runtime   backend.RuntimeDescriber
	CRIErr    error
	Timeout   time.Duration
	Styles    *theme.Styles
}

// Model is the describe page.
type Model struct {
	cfg  Config
	gen  uint64
	keys KeyMap

	json, yaml text
	asYAML     bool
	loading    bool
	loaded     bool
	err        error

	offset, xoff  int
	width, height int

	input   textfield.Field
	typing  bool
	query   string // ASCII-lowercased search; "" for none
	matches []match
	cur     int // index into matches
}

var _ page.Page = Model{}

// New returns the page and the command that reads the object.
func New(cfg Config) (Model, tea.Cmd) {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search"
	in.SetStyles(cfg.Styles.Input)
	m := Model{cfg: cfg, keys: DefaultKeyMap(), input: textfield.New(in)}
	return m, m.reload()
}

// reload reads the object again under a new generation; a reply to an
// older read is dropped.
func (m *Model) reload() tea.Cmd {
	m.gen++
	m.loading = true
	src := source{native: m.cfg.Native, nativeErr: m.cfg.NativeErr, runtime: m.cfg.Runtime, criErr: m.cfg.CRIErr}
	return page.Tag{Page: m.cfg.ID, Gen: m.gen}.Wrap(loadCmd(m.cfg.Ctx, src, m.cfg.Object, m.cfg.Timeout, m.gen))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		return m.loadedDoc(msg)
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.input.Edit().SetWidth(max(m.width-2, 1))
		m.clamp()
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.input.Edit().SetStyles(msg.Styles.Input)
	case page.ReconnectedMsg:
		if m.err != nil {
			return m, m.reload()
		}
	case tea.KeyPressMsg:
		if m.typing {
			return m.updateTyping(msg)
		}
		return m.updateKey(msg)
	case tea.PasteMsg:
		if m.typing {
			return m.editSearch(msg)
		}
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

// loadedDoc takes a reply to the current read. A re-read keeps the
// position and the search, so ctrl+r on a changing object is in place.
func (m Model) loadedDoc(msg loadedMsg) (page.Page, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.loading = false
	if msg.err != nil {
		m.err = msg.err
		return m, page.Report(msg.err)
	}
	m.err, m.loaded = nil, true
	m.json, m.yaml = msg.json, msg.yaml
	m.research(false)
	m.clamp()
	return m, func() tea.Msg { return page.OKMsg{} }
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
		m.offset = len(m.doc().lines)
		m.clamp()
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.Left):
		m.xoff = max(m.xoff-m.hstep(), 0)
	case key.Matches(msg, k.Right):
		m.xoff = min(m.xoff+m.hstep(), max(m.doc().width-m.width/2, 0))
	case key.Matches(msg, k.Format):
		m.asYAML = !m.asYAML
		m.offset, m.xoff = 0, 0
		m.research(true)
	case key.Matches(msg, k.Search):
		m.typing = true
		in := m.input.Edit()
		in.SetValue(m.query)
		in.CursorEnd()
		m.clamp()
		return m, in.Focus()
	case key.Matches(msg, k.Next):
		m.step(1)
	case key.Matches(msg, k.Prev):
		m.step(-1)
	case key.Matches(msg, k.Refresh):
		return m, m.reload()
	case msg.Code == tea.KeyEscape:
		m.clearSearch()
	}
	return m, nil
}

// updateTyping edits the search; every keystroke searches again and shows
// the first match from the top of the screen on, as less does.
func (m Model) updateTyping(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	switch {
	case msg.Code == tea.KeyEscape:
		m.clearSearch()
		return m, nil
	case key.Matches(msg, m.keys.ApplySearch):
		m.typing = false
		m.input.Edit().Blur()
		m.clamp()
		return m, nil
	}
	return m.editSearch(msg)
}

// editSearch gives the search input a key or a paste (all of which is
// text: a pasted line never acts as keys).
func (m Model) editSearch(msg tea.Msg) (page.Page, tea.Cmd) {
	cmd := m.input.Update(msg)
	if q := asciiLower(m.input.Value()); q != m.query {
		m.query = q
		m.research(true)
	}
	return m, cmd
}

func (m *Model) clearSearch() {
	m.typing = false
	in := m.input.Edit()
	in.Blur()
	in.Reset()
	m.query, m.matches, m.cur = "", nil, 0
	m.clamp()
}

// research finds the matches in the shown rendering. With jump, the
// current match becomes the first one at or below the top of the screen,
// and is brought into view; without, the current one stays by number.
func (m *Model) research(jump bool) {
	m.matches = findMatches(m.doc().lower, m.query)
	if !jump {
		m.cur = min(m.cur, max(len(m.matches)-1, 0))
		return
	}
	m.cur = 0
	for i, mt := range m.matches {
		if mt.line >= m.offset {
			m.cur = i
			break
		}
	}
	m.show()
}

// step moves to the next (1) or previous (-1) match, wrapping around.
func (m *Model) step(d int) {
	if n := len(m.matches); n > 0 {
		m.cur = (m.cur + d + n) % n
		m.show()
	}
}

// show scrolls so that the current match is on screen: a third of the way
// down when it was off screen, and horizontally within the window.
func (m *Model) show() {
	if len(m.matches) == 0 {
		return
	}
	mt := m.matches[m.cur]
	h := m.bodyHeight()
	if mt.line < m.offset || mt.line >= m.offset+h {
		m.offset = mt.line - h/3
	}
	line := m.doc().lines[mt.line]
	from := ansi.StringWidth(line[:mt.col])
	to := from + ansi.StringWidth(line[mt.col:mt.col+len(m.query)])
	if from < m.xoff || to > m.xoff+m.width-1 {
		m.xoff = max(from-m.width/3, 0)
	}
	m.clamp()
}

func (m *Model) scroll(d int) {
	m.offset += d
	m.clamp()
}

// hstep is how far left and right move: a quarter screen.
func (m Model) hstep() int { return max(m.width/4, 1) }

// clamp keeps the window within the document.
func (m *Model) clamp() {
	m.offset = max(min(m.offset, len(m.doc().lines)-m.bodyHeight()), 0)
}

// doc is the rendering on screen.
func (m Model) doc() text {
	if m.asYAML {
		return m.yaml
	}
	return m.json
}

// bodyHeight is the lines left for the document: the search line takes
// one while it shows.
func (m Model) bodyHeight() int {
	h := m.height
	if m.typing || m.query != "" {
		h--
	}
	return max(h, 0)
}

// View implements page.Page.
func (m Model) View() string {
	st := m.cfg.Styles
	switch {
	case m.err != nil && !m.loaded:
		return page.Fit(st.Bad.Render(m.cfg.Object.Title()+": ")+m.err.Error(), m.width, m.height)
	case !m.loaded:
		return page.Fit(st.Dim.Render("reading "+m.cfg.Object.Title()+"…"), m.width, m.height)
	}
	f := newFrame(st)
	f.t, f.offset, f.xoff, f.width, f.height = m.doc(), m.offset, m.xoff, m.width, m.bodyHeight()
	f.query = m.query
	if len(m.matches) > 0 {
		f.cur, f.hasCur = m.matches[m.cur], true
	}
	body := renderBody(f)
	switch {
	case m.height <= 0 || (!m.typing && m.query == ""):
		return body
	case body == "":
		return m.searchLine()
	}
	return body + "\n" + m.searchLine()
}

// searchLine is the search editor while typing, else the kept search with
// its match count.
func (m Model) searchLine() string {
	if m.typing {
		return ansi.Truncate(m.input.View(), m.width, "")
	}
	s := "/" + m.input.Value() + "  " + m.matchInfo() + "  (n/N next/previous, esc clears)"
	return m.cfg.Styles.Dim.Render(ansi.Truncate(s, m.width, "…"))
}

func (m Model) matchInfo() string {
	if len(m.matches) == 0 {
		return "no match"
	}
	return strconv.Itoa(m.cur+1) + "/" + strconv.Itoa(len(m.matches))
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return m.keys.Bindings() }

// State implements page.Page. The title names the object, so the command
// line's "already open" check never mistakes describe for a list.
func (m Model) State() page.State {
	format := "json"
	if m.asYAML {
		format = "yaml"
	}
	info := format
	if n := len(m.doc().lines); m.loaded && n > 0 {
		info += " " + strconv.Itoa(min(m.offset+1, n)) + "-" + strconv.Itoa(min(m.offset+m.bodyHeight(), n)) + "/" + strconv.Itoa(n)
	}
	if m.query != "" {
		info += " match " + m.matchInfo()
	}
	return page.State{Type: page.TypeDescribe, Title: "describe " + m.cfg.Object.Title(), Typing: m.typing, Filtered: m.query != "", Info: info}
}
