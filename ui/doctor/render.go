package doctor

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	checks "github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/ui/theme"
)

// statusStyle colours a verdict as the CLI does: FAIL bad, WARN warn, OK
// ok, SKIP dim.
func statusStyle(st *theme.Styles, s checks.Status) lipgloss.Style {
	switch s {
	case checks.FAIL:
		return st.Bad
	case checks.WARN:
		return st.Warn
	case checks.OK:
		return st.OK
	}
	return st.Dim
}

// SummaryLine is the line over the list: the counts, when it ran, the keys.
func SummaryLine(st *theme.Styles, r RanMsg, running bool, width int) string {
	s := st.Label.Render("doctor ") + st.Value.Render(checks.Summary(r.Findings))
	if !r.At.IsZero() {
		s += st.Dim.Render("  ran " + r.At.Format("15:04:05"))
	}
	if running {
		s += st.Dim.Render("  running…")
	}
	s += st.Dim.Render("  enter: evidence and fix  ctrl+r: again")
	return ansi.Truncate(s, width, "…")
}

// RenderDetail is one check in full: verdict and name, the finding wrapped
// to width, then its evidence and its fix, line for line as the CLI prints
// them (fix lines are config and commands: cut, never wrapped).
func RenderDetail(st *theme.Styles, f checks.Finding, width int) []string {
	w := max(width, 20)
	out := []string{statusStyle(st, f.Status).Render(string(f.Status)) + "  " + st.Title.Render(f.Check)}
	for _, l := range strings.Split(ansi.Wordwrap(f.Finding, w, " "), "\n") {
		out = append(out, l)
	}
	if len(f.Evidence) > 0 {
		out = append(out, "", st.Label.Render("Evidence"))
		for _, e := range f.Evidence {
			for i, l := range strings.Split(ansi.Hardwrap(e, w-2, true), "\n") {
				lead := "  "
				if i > 0 {
					lead = "    "
				}
				out = append(out, lead+l)
			}
		}
	}
	if f.Fix != "" {
		out = append(out, "", st.Label.Render("Fix"))
		for _, l := range strings.Split(f.Fix, "\n") {
			out = append(out, "  "+st.Value.Render(l))
		}
	}
	if f.Status == checks.OK || f.Status == checks.SKIP {
		if len(f.Evidence) == 0 && f.Fix == "" {
			out = append(out, "", st.Dim.Render("Nothing to do here."))
		}
	}
	return out
}
