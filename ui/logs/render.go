package logs

import (
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/theme"
)

// lineOpts say how renderLine draws a log line.
type lineOpts struct {
	width int
	xoff  int // first cell shown when not wrapping
	wrap  bool
	// timestamps prefixes each line with its time, in UTC to the
	// millisecond so the column keeps one width.
	timestamps bool
	search     *logio.Matcher // nil: no highlight
	current    bool           // the line holds the current search hit
	st         *theme.Styles
}

// stampLayout is the timestamp column: fixed width, UTC.
const stampLayout = "2006-01-02T15:04:05.000Z"

// span is a run of sanitized text drawn in one style.
type span struct {
	text   string
	style  lipgloss.Style
	styled bool // false: the terminal's default, drawn as is
}

// renderLine draws one log line as screen lines, none wider than width: one
// line cut to the window [xoff, xoff+width) with ‹ and › where the text goes
// on, or as many as wrapping needs. stderr is drawn in the warning style
// (bold without colour), search matches marked, the current hit's line
// with the cursor style.
func renderLine(l backend.LogLine, o lineOpts) []string {
	if o.width <= 0 {
		return []string{""}
	}
	sp, total := spans(l, o)
	if o.wrap {
		n := max((total+o.width-1)/o.width, 1)
		out := make([]string, n)
		for k := range out {
			out[k] = draw(sp, k*o.width, (k+1)*o.width)
		}
		return out
	}
	from, to := o.xoff, o.xoff+o.width
	var pre, post string
	if o.width >= 3 && from > 0 && total > 0 {
		pre, from = o.st.Dim.Render("‹"), from+1
	}
	if o.width >= 3 && total > to {
		post, to = o.st.Dim.Render("›"), to-1
	}
	return []string{pre + draw(sp, from, to) + post}
}

// lineHeight is how many screen lines renderLine gives l.
func lineHeight(l backend.LogLine, o lineOpts) int {
	if !o.wrap || o.width <= 0 {
		return 1
	}
	w := ansi.StringWidth(sanitize(l.Text))
	if o.timestamps {
		w += len(stampLayout) + 1
	}
	return max((w+o.width-1)/o.width, 1)
}

// spans splits the line into styled runs and returns its width in cells.
func spans(l backend.LogLine, o lineOpts) ([]span, int) {
	var out []span
	if o.timestamps {
		ts := strings.Repeat(" ", len(stampLayout))
		if !l.Time.IsZero() {
			ts = l.Time.UTC().Format(stampLayout)
		}
		out = append(out, span{text: ts + " ", style: o.st.Dim, styled: true})
	}
	text := sanitize(l.Text)
	base := span{}
	if l.Stream == backend.StreamStderr {
		base = span{style: o.st.Warn, styled: true}
	}
	hit := o.st.Marked.Underline(true)
	if o.current {
		hit = o.st.Cursor
	}
	last := 0
	for _, r := range o.search.Find(text) {
		if r[0] > last {
			out = append(out, span{text: text[last:r[0]], style: base.style, styled: base.styled})
		}
		out = append(out, span{text: text[r[0]:r[1]], style: hit, styled: true})
		last = r[1]
	}
	if last < len(text) || len(out) == 0 {
		out = append(out, span{text: text[last:], style: base.style, styled: base.styled})
	}
	total := 0
	for _, s := range out {
		total += ansi.StringWidth(s.text)
	}
	return out, total
}

// draw renders the cells [from, to) of the spans.
func draw(sp []span, from, to int) string {
	var b strings.Builder
	off := 0
	for _, s := range sp {
		if off >= to {
			break
		}
		w := ansi.StringWidth(s.text)
		a, z := max(from-off, 0), min(to-off, w)
		off += w
		if a >= z {
			continue
		}
		part := s.text
		if a > 0 || z < w {
			part = ansi.Cut(part, a, z)
		}
		if s.styled {
			part = s.style.Render(part)
		}
		b.WriteString(part)
	}
	return b.String()
}

// sanitize makes a log line safe to draw: escape sequences (a coloured or
// cursor-moving program's output) removed, tabs expanded to 8-column stops,
// other control characters shown as ^X as less does, invalid UTF-8
// replaced. Without it one line could move the cursor or change the width
// the frame was laid out for.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansi.Strip(s)
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch {
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20 || r == 0x7f:
			b.WriteByte('^')
			b.WriteByte(byte(r) ^ 0x40)
			col += 2
		case r >= 0x80 && r < 0xa0: // C1 controls
			b.WriteString("\uFFFD")
			col++
		default:
			b.WriteRune(r)
			col += ansi.StringWidth(string(r))
		}
	}
	return b.String()
}

// age says how long ago t was, for the since window in the header.
func age(d time.Duration) string {
	switch {
	case d <= 0:
		return "all"
	case d%time.Hour == 0:
		return strings.TrimSuffix(d.String(), "0m0s")
	case d%time.Minute == 0:
		return strings.TrimSuffix(d.String(), "0s")
	}
	return d.String()
}
