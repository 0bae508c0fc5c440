package frame

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/theme"
)

// PanelLines is the height of the connection panel.
const PanelLines = 4

// TooSmall replaces the frame when the terminal is below MinWidth x
// MinHeight: one short sentence, cut to whatever room there is.
func TooSmall(w, h, minWidth, minHeight int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	msg := []string{
		"ctui needs a bigger window:",
		fmt.Sprintf("%dx%d at least, this is %dx%d", minWidth, minHeight, w, h),
	}
	return Clip(msg, w, h)
}

// RenderPanel is the connection-lost notice in a frame: since when and that
// ctui keeps trying, then the operator sentence of the last error.
func RenderPanel(st *theme.Styles, since time.Time, err error, every time.Duration, now time.Time, width int) []string {
	inner := max(width-4, 1) // border and padding
	head := fmt.Sprintf("connection lost %s ago; retrying every %s", now.Sub(since).Round(time.Second), every)
	msg := "no answer"
	if err != nil {
		msg = err.Error()
	}
	text := st.Bad.Render(ansi.Truncate(head, inner, "…")) + "\n" + ansi.Truncate(msg, inner, "…")
	lines := strings.Split(st.Panel.Width(width).Render(text), "\n")
	if len(lines) > PanelLines {
		lines = lines[:PanelLines]
	}
	for len(lines) < PanelLines {
		lines = append(lines, "")
	}
	return lines
}

// Clip cuts lines to width and the list to height, and joins them.
func Clip(lines []string, width, height int) string {
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "")
		}
	}
	return strings.Join(lines, "\n")
}

// Section is a titled group of bindings, for help and docs.
type Section struct {
	Title string
	Keys  []key.Binding
}

// RenderHelp lays the sections out in as many columns as the height needs.
func RenderHelp(st *theme.Styles, secs []Section, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	type item struct{ k, d string }
	var items []item // a zero k with a title in d is a section heading
	for _, s := range secs {
		if len(items) > 0 {
			items = append(items, item{})
		}
		items = append(items, item{d: s.Title})
		for _, b := range s.Keys {
			if b.Enabled() {
				items = append(items, item{k: b.Help().Key, d: b.Help().Desc})
			}
		}
	}
	var cols [][]string
	for start := 0; start < len(items); start += height {
		chunk := items[start:min(start+height, len(items))]
		kw := 0
		for _, it := range chunk {
			kw = max(kw, ansi.StringWidth(it.k))
		}
		col := make([]string, len(chunk))
		for i, it := range chunk {
			switch {
			case it.k == "" && it.d != "":
				col[i] = st.HelpSection.Render(it.d)
			case it.k != "":
				col[i] = st.HelpKey.Render(it.k+strings.Repeat(" ", kw-ansi.StringWidth(it.k))) + "  " + st.HelpDesc.Render(it.d)
			}
		}
		cols = append(cols, col)
	}
	out := make([]string, min(height, len(items)))
	for _, col := range cols {
		cw := 0
		for _, l := range col {
			cw = max(cw, ansi.StringWidth(l))
		}
		for i := range out {
			l := ""
			if i < len(col) {
				l = col[i]
			}
			if out[i] != "" || i < len(col) {
				out[i] += l + strings.Repeat(" ", cw-ansi.StringWidth(l)) + "   "
			}
		}
	}
	return Clip(out, width, height)
}

// Overlay draws a dialog over the middle of the content lines, centred, in
// place of the page lines it covers: the page stays visible above and
// below it.
func Overlay(lines []string, box string, width int) {
	if box == "" {
		return
	}
	bl := strings.Split(box, "\n")
	top := max((len(lines)-len(bl))/2, 0)
	for i, l := range bl {
		if top+i >= len(lines) {
			break
		}
		pad := max((width-ansi.StringWidth(l))/2, 0)
		lines[top+i] = strings.Repeat(" ", pad) + l
	}
}
