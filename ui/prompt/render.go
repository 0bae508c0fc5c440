package prompt

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// MaxWidth is the widest a dialog grows: wide enough for a long image
// reference, narrow enough to read as a dialog on a wide screen.
const MaxWidth = 96

// View draws the dialog in a frame at most width columns wide and height
// lines high (explanation lines are dropped first when it must shrink).
// Every line fits the width; nothing panics at any size.
func (m Model) View(width, height int) string {
	if width < 8 || height < 3 {
		return ""
	}
	w := min(width, MaxWidth)
	inner := w - 4 // border and padding
	for i := range m.fields {
		if m.fields[i].editable() {
			m.fields[i].input.SetWidth(max(inner-labelWidth(m.fields)-4, 1))
		}
	}
	head := []string{m.styles.Title.Render(cut(m.spec.Title, inner))}
	var body []string
	for _, l := range m.spec.Lines {
		body = append(body, cut(l, inner))
	}
	var tail []string
	if len(body) > 0 || len(m.fields) > 0 {
		tail = append(tail, "")
	}
	for i, f := range m.fields {
		tail = append(tail, m.fieldLine(i, f, inner))
	}
	if m.err != "" {
		tail = append(tail, wrap(m.styles.Bad.Render(m.err), inner)...)
	}
	if m.hint != "" {
		tail = append(tail, cut(m.styles.Dim.Render(m.hint), inner))
	}
	if m.buttons() > 0 {
		tail = append(tail, "", m.buttonLine(inner))
	}
	tail = append(tail, cut(m.styles.Dim.Render(m.hintLine()), inner))
	room := height - 2 - len(head) - len(tail) // 2: the frame
	if room < len(body) {
		body = body[:max(room, 0)]
		if room > 0 {
			body[room-1] = cut(m.styles.Dim.Render("…"), inner)
		}
	}
	lines := append(append(head, body...), tail...)
	frame := m.styles.Panel.BorderForeground(m.styles.Title.GetForeground())
	out := strings.Split(frame.Width(w).Render(strings.Join(lines, "\n")), "\n")
	if len(out) > height {
		out = out[:height]
	}
	for i, l := range out {
		out[i] = ansi.Truncate(l, width, "")
	}
	return strings.Join(out, "\n")
}

func labelWidth(fs []field) int {
	w := 0
	for _, f := range fs {
		if f.editable() || f.Kind == Choice {
			w = max(w, ansi.StringWidth(f.Label))
		}
	}
	return w
}

// fieldLine is one field: "label  input" for text and choices, "[x] label"
// for a toggle; the focused one is marked with › so it shows without colour.
func (m Model) fieldLine(i int, f field, inner int) string {
	mark := "  "
	if i == m.focus {
		mark = "› "
	}
	lw := labelWidth(m.fields)
	pad := func(s string) string { return s + strings.Repeat(" ", max(lw-ansi.StringWidth(s), 0)) }
	var s string
	switch f.Kind {
	case Toggle:
		box := "[ ]"
		if f.On {
			box = "[x]"
		}
		s = box + " " + f.Label
		if i == m.focus {
			s = m.styles.Cursor.Render(s)
		}
	case Choice:
		opt := ""
		if f.Selected >= 0 && f.Selected < len(f.Options) {
			opt = f.Options[f.Selected]
		}
		v := "‹ " + opt + " ›"
		if i == m.focus {
			v = m.styles.Cursor.Render(v)
		}
		s = m.styles.Label.Render(pad(f.Label)) + " " + v
	default:
		s = m.styles.Label.Render(pad(f.Label)) + " " + f.input.View()
	}
	return cut(mark+s, inner)
}

func (m Model) buttonLine(inner int) string {
	b := func(label string, focused bool) string {
		s := "[ " + label + " ]"
		if focused {
			return m.styles.Cursor.Render(s)
		}
		return s
	}
	n := len(m.fields)
	return cut(b("Cancel", m.focus == n)+"  "+b(m.spec.Confirm, m.focus == n+1), inner)
}

// hintLine names the keys that matter in this dialog.
func (m Model) hintLine() string {
	var parts []string
	switch {
	case m.buttons() > 0:
		parts = append(parts, "enter presses the button", "←/→ choose")
	case m.spec.Submit != "":
		parts = append(parts, "enter "+m.spec.Submit)
	default:
		parts = append(parts, "enter proceed")
	}
	parts = append(parts, "esc cancel")
	var path, toggle, many bool
	for _, f := range m.fields {
		path = path || f.Kind == Path
		toggle = toggle || f.Kind == Toggle || f.Kind == Choice
	}
	many = len(m.fields)+m.buttons() > 1
	if path {
		parts = append(parts, "tab complete")
	}
	if many {
		parts = append(parts, "↑/↓ move")
	}
	if toggle {
		parts = append(parts, "space toggle")
	}
	if m.hasInput() {
		parts = append(parts, "ctrl+u clear")
	}
	return strings.Join(parts, " · ")
}

func (m Model) hasInput() bool {
	for _, f := range m.fields {
		if f.editable() {
			return true
		}
	}
	return false
}

func cut(s string, w int) string { return ansi.Truncate(s, max(w, 0), "…") }

// wrap word-wraps a (styled) sentence to w columns.
func wrap(s string, w int) []string {
	return strings.Split(lipgloss.NewStyle().Width(max(w, 1)).Render(s), "\n")
}
