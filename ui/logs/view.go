package logs

import (
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// The rows of the view are the kept lines, or those the stream and filter
// match. Row i is addressed by index here; the page remembers positions by
// Seq, which survives the ring dropping old lines.

func (m Model) count() int {
	if m.view == nil {
		return m.ring.Len()
	}
	return len(m.rows)
}

func (m Model) at(i int) backend.LogLine {
	if m.view == nil {
		return m.ring.At(i)
	}
	l, _ := m.ring.Get(m.rows[i])
	return l
}

// indexOf is the first row whose Seq is seq or later (count() if none).
func (m Model) indexOf(seq uint64) int {
	if m.view != nil {
		return sort.Search(len(m.rows), func(i int) bool { return m.rows[i] >= seq })
	}
	first := m.ring.FirstSeq()
	if m.ring.Len() == 0 || seq <= first {
		return 0
	}
	return int(min(seq-first, uint64(m.ring.Len())))
}

// bodyHeight is the screen lines for log lines: the page less its header
// line and, while asking, the prompt line.
func (m Model) bodyHeight() int {
	h := m.height - 1
	if m.prompt != promptNone {
		h--
	}
	return max(h, 0)
}

func (m Model) lineOpts() lineOpts {
	return lineOpts{width: m.width, xoff: m.xoff, wrap: m.wrap, timestamps: m.timestamps, search: m.search, st: m.cfg.Styles}
}

// window is the first row on screen and how many of its screen lines are
// above the screen (a wrapped line cut at the top when following).
func (m Model) window() (start, skip int) {
	n := m.count()
	if n == 0 {
		return 0, 0
	}
	bs, bskip := m.bottom()
	if m.follow {
		return bs, bskip
	}
	start = m.indexOf(m.top)
	if start > bs {
		return bs, bskip
	}
	return start, 0
}

// bottom is the window that ends with the newest row. It measures only the
// rows that fit, from the end backwards.
func (m Model) bottom() (start, skip int) {
	h := m.bodyHeight()
	o := m.lineOpts()
	used := 0
	for i := m.count() - 1; i >= 0; i-- {
		used += lineHeight(m.at(i), o)
		if used >= h {
			return i, used - h
		}
	}
	return 0, 0
}

// scroll moves by d rows. Going up holds the view; reaching the bottom
// going down follows again, as less +F and k9s do.
func (m *Model) scroll(d int) {
	n := m.count()
	if n == 0 || d == 0 {
		return
	}
	start, _ := m.window()
	bs, _ := m.bottom()
	i := min(max(start+d, 0), n-1)
	if d > 0 && i >= bs {
		m.follow = true
		return
	}
	m.follow, m.top = false, m.at(min(i, bs)).Seq
}

// shown is how many rows from start are at least partly on screen.
func (m Model) shown(start, skip int) int {
	h, o, rows := m.bodyHeight()+skip, m.lineOpts(), 0
	for i := start; i < m.count() && h > 0; i++ {
		h -= lineHeight(m.at(i), o)
		rows++
	}
	return rows
}

// step goes to the next (n) or previous (N) line the search matches among
// those shown, wrapping around the kept lines.
func (m *Model) step(forward bool) tea.Cmd {
	if m.search == nil {
		return nil
	}
	from := m.hit
	if from == 0 || m.ring.Len() == 0 {
		start, _ := m.window()
		if m.count() > 0 {
			from = m.at(start).Seq
			if forward {
				from-- // the line at the top is a candidate
			} else {
				from++
			}
		}
	}
	seq, ok := m.find(from, forward)
	if !ok {
		m.hit = 0
		return page.Flash("no kept line matches /" + m.searchText)
	}
	m.hit = seq
	m.reveal(seq)
	return nil
}

// find is the next match from (exclusive) among the rows of the view;
// past the end it starts again at the other end.
func (m Model) find(from uint64, forward bool) (uint64, bool) {
	if seq, ok := m.findFrom(from, forward); ok {
		return seq, true
	}
	if forward {
		return m.findFrom(0, true)
	}
	return m.findFrom(m.ring.LastSeq()+1, false)
}

func (m Model) findFrom(from uint64, forward bool) (uint64, bool) {
	for {
		seq, ok := m.ring.Search(m.search, from, forward)
		if !ok {
			return 0, false
		}
		if l, _ := m.ring.Get(seq); m.view.Match(l) {
			return seq, true
		}
		from = seq
	}
}

// reveal scrolls a row into view, a third of the way down when it was off
// screen.
func (m *Model) reveal(seq uint64) {
	i := m.indexOf(seq)
	start, skip := m.window()
	if i >= start && i < start+m.shown(start, skip)-1 || i == start && skip == 0 {
		return
	}
	m.follow = false
	m.top = m.at(max(i-m.bodyHeight()/3, 0)).Seq
}

// View implements page.Page: a header line, the log, and the prompt while
// asking. No line is wider than the page.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.headerLine())
	lines = append(lines, m.body()...)
	if m.prompt != promptNone {
		for len(lines) < m.height-1 {
			lines = append(lines, "")
		}
		lines = append(lines, m.promptLine())
	}
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

// body is the log lines on screen, or the sentence that stands for them.
func (m Model) body() []string {
	h := m.bodyHeight()
	if h <= 0 {
		return nil
	}
	if msg := m.emptyMessage(); msg != "" {
		return strings.Split(page.Fit(msg, m.width, h), "\n")
	}
	start, skip := m.window()
	o := m.lineOpts()
	out := make([]string, 0, h)
	for i := start; i < m.count() && len(out) < h; i++ {
		l := m.at(i)
		o.current = m.hit != 0 && l.Seq == m.hit
		sl := renderLine(l, o)
		if i == start {
			sl = sl[min(skip, len(sl)):]
		}
		out = append(out, sl[:min(len(sl), h-len(out))]...)
	}
	return out
}

// emptyMessage says why there are no lines to show, or "" when there are.
func (m Model) emptyMessage() string {
	st := m.cfg.Styles
	switch {
	case m.err != nil:
		return st.Bad.Render("no log for "+m.name()+": ") + m.err.Error()
	case m.count() > 0:
		return ""
	case m.opening:
		return st.Dim.Render("opening the log of " + m.name() + "…")
	case m.ring.Len() > 0:
		return st.Dim.Render("none of the " + strconv.Itoa(m.ring.Len()) + " kept lines matches " + m.filterLabel() + " (esc clears)")
	case m.readErr != nil:
		return st.Bad.Render("reading stopped: ") + m.readErr.Error()
	case m.reading:
		return st.Dim.Render("no lines yet: new ones appear here as " + m.name() + " writes them")
	}
	return st.Dim.Render("the log of " + m.name() + " is empty")
}

// headerLine is the page's own status: the log, reading state, what
// changes the view, and the reader's latest notice.
func (m Model) headerLine() string {
	st := m.cfg.Styles
	parts := []string{st.Title.Render(m.name())}
	switch {
	case m.opening:
		parts = append(parts, st.Dim.Render("opening"))
	case m.reading && m.follow && m.atEnd:
		parts = append(parts, st.OK.Render("following"))
	case m.reading && m.atEnd:
		parts = append(parts, st.Warn.Render("held (s or G follows)"))
	case m.reading:
		parts = append(parts, st.Dim.Render("loading"))
	case m.err == nil:
		parts = append(parts, st.Dim.Render("end of log"))
	}
	if m.previous {
		parts = append(parts, st.Warn.Render("previous attempt"))
	}
	if o := m.ctr.Others; len(o) > 0 {
		parts = append(parts, st.Dim.Render("pod also runs "+strings.Join(o, ", ")))
	}
	if d := sinceSteps()[m.since]; d > 0 {
		parts = append(parts, "since "+age(d))
	}
	if f := m.filterLabel(); f != "" {
		parts = append(parts, f)
	}
	if m.searchText != "" {
		parts = append(parts, "/"+m.searchText)
	}
	if m.wrap {
		parts = append(parts, "wrap")
	}
	if m.readErr != nil && m.count() > 0 {
		parts = append(parts, st.Bad.Render(m.readErr.Error()))
	}
	if m.notice != "" {
		parts = append(parts, st.Warn.Render(m.notice))
	}
	return ansi.Truncate(strings.Join(parts, st.Dim.Render(" · ")), m.width, "…")
}

// filterLabel describes the stream and text filters.
func (m Model) filterLabel() string {
	var p []string
	if m.stream != "" {
		p = append(p, m.stream+" only")
	}
	if m.filter != "" {
		p = append(p, "&"+m.filter)
	}
	return strings.Join(p, " ")
}

func (m Model) promptLine() string {
	if m.prompt == promptOverwrite {
		q := "overwrite the existing file? y/N  " + m.savePath
		return m.cfg.Styles.Warn.Render(ansi.Truncate(q, m.width, "…"))
	}
	s := m.input.View()
	if m.inputErr != "" {
		s += "  " + m.cfg.Styles.Bad.Render(m.inputErr)
	}
	return ansi.Truncate(s, m.width, "…")
}
