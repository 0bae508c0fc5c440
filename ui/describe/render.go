package describe

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/theme"
)

// match is one occurrence of the search: a line and a byte offset in it.
type match struct{ line, col int }

// findMatches lists every occurrence of q (ASCII-lowercased) in lower, in
// reading order; overlapping occurrences count once.
func findMatches(lower []string, q string) []match {
	if q == "" {
		return nil
	}
	var out []match
	for i, l := range lower {
		for from := 0; ; {
			j := strings.Index(l[from:], q)
			if j < 0 {
				break
			}
			out = append(out, match{i, from + j})
			from += j + len(q)
		}
	}
	return out
}

// frame is everything the body is drawn from.
type frame struct {
	t             text
	offset, xoff  int // first line and first cell shown
	width, height int
	query         string // ASCII-lowercased; "" for no search
	cur           match  // the current match, when hasCur
	hasCur        bool
	matchStyle    lipgloss.Style
	currentStyle  lipgloss.Style
	moreStyle     lipgloss.Style
}

// newFrame takes the match styles from the theme: the current match as the
// table's cursor, the others as marked rows, underlined so that they stand
// out without colour too.
func newFrame(st *theme.Styles) frame {
	return frame{matchStyle: st.Marked.Underline(true), currentStyle: st.Cursor, moreStyle: st.Dim}
}

// renderBody draws the lines on screen, only those, each cut to the window
// [xoff, xoff+width) with ‹ and › where a line goes on beyond the window.
// No line is wider than width and there are at most height lines.
func renderBody(f frame) string {
	if f.width <= 0 || f.height <= 0 {
		return ""
	}
	end := min(f.offset+f.height, len(f.t.lines))
	var b strings.Builder
	for i := max(f.offset, 0); i < end; i++ {
		if i > f.offset {
			b.WriteByte('\n')
		}
		b.WriteString(f.line(i))
	}
	return b.String()
}

// line draws line i of the window.
func (f frame) line(i int) string {
	plain := f.t.lines[i]
	curCol := -1
	if f.hasCur && f.cur.line == i {
		curCol = f.cur.col
	}
	styled := highlight(plain, f.t.lower[i], f.query, curCol, f.matchStyle, f.currentStyle)
	w := ansi.StringWidth(plain)
	if w <= f.width && f.xoff == 0 {
		return styled
	}
	left, right := f.xoff, f.xoff+f.width
	moreLeft, moreRight := f.xoff > 0 && w > 0, w > right
	if f.width < 3 {
		moreLeft, moreRight = false, false
	}
	var pre, post string
	if moreLeft {
		left++
		pre = f.moreStyle.Render("‹")
	}
	if moreRight {
		right--
		post = f.moreStyle.Render("›")
	}
	return pre + ansi.Cut(styled, left, right) + post
}

// highlight styles every occurrence of q in line (found in its lowered
// twin); the one at byte curCol gets cur instead of hit.
func highlight(line, lower, q string, curCol int, hit, cur lipgloss.Style) string {
	if q == "" || !strings.Contains(lower, q) {
		return line
	}
	var b strings.Builder
	last := 0
	for from := 0; ; {
		j := strings.Index(lower[from:], q)
		if j < 0 {
			break
		}
		j += from
		b.WriteString(line[last:j])
		st := hit
		if j == curCol {
			st = cur
		}
		b.WriteString(st.Render(line[j : j+len(q)]))
		last = j + len(q)
		from = last
	}
	b.WriteString(line[last:])
	return b.String()
}
