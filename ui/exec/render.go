package exec

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/theme"
)

// frame is everything the pane is drawn from.
type frame struct {
	cmd           []string
	target        Target
	running       bool
	err           error
	out           backend.ExecOutput
	lines         []outLine
	offset        int
	width, height int
	st            *theme.Styles
}

// render draws the pane: `$ CMD  in NAME via API`, the output lines from
// offset (stderr in the warning style), and the exit code last, so a
// glance at the bottom says how it went. At most height lines, none wider
// than width.
func render(f frame) []string {
	if f.width <= 0 || f.height <= 0 {
		return nil
	}
	st := f.st
	head := st.Title.Render("$ " + strings.Join(f.cmd, " "))
	if f.target.Name != "" {
		head += st.Dim.Render("  in " + f.target.Name + " via " + f.target.Via)
	}
	out := []string{ansi.Truncate(head, f.width, "…")}
	body := max(f.height-2, 0)
	switch {
	case f.running:
		out = append(out, st.Dim.Render(ansi.Truncate("running…", f.width, "")))
	case f.err != nil:
		for _, l := range strings.Split(wrapText(f.err.Error(), f.width), "\n") {
			out = append(out, st.Bad.Render(l))
		}
	case len(f.lines) == 0:
		out = append(out, st.Dim.Render(ansi.Truncate("(no output)", f.width, "")))
	default:
		end := min(f.offset+body, len(f.lines))
		for _, l := range f.lines[max(f.offset, 0):end] {
			s := ansi.Truncate(l.text, f.width, "›")
			if l.stderr {
				s = st.Warn.Render(s)
			}
			out = append(out, s)
		}
	}
	if len(out) > f.height-1 {
		out = out[:max(f.height-1, 1)]
	}
	if f.height < 2 {
		return out[:1]
	}
	for len(out) < f.height-1 {
		out = append(out, "")
	}
	return append(out, exitLine(f))
}

// exitLine is the pane's last line: the exit code, and what was cut.
func exitLine(f frame) string {
	st := f.st
	var s string
	switch {
	case f.running || f.err != nil:
		return ""
	case f.out.ExitCode == 0:
		s = st.OK.Render("exit code 0")
	default:
		s = st.Bad.Render("exit code " + strconv.Itoa(f.out.ExitCode))
	}
	if f.out.Truncated {
		s += st.Warn.Render("  output cut at " + strconv.Itoa(backend.MaxExecOutput>>20) + " MiB per stream")
	}
	if n := len(f.lines); n > f.height-2 && f.height > 2 {
		s += st.Dim.Render("  lines " + strconv.Itoa(f.offset+1) + "-" + strconv.Itoa(min(f.offset+f.height-2, n)) + "/" + strconv.Itoa(n))
	}
	return ansi.Truncate(s, f.width, "…")
}

// wrapText word-wraps a sentence to width, cutting what wrapping cannot.
func wrapText(s string, width int) string {
	lines := strings.Split(ansi.Wrap(s, width, " "), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "")
	}
	return strings.Join(lines, "\n")
}
