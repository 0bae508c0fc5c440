// Package theme is the only place ctui's colours live. A palette (dark,
// light or none) becomes one Styles that the root model builds and hands to
// every page explicitly, so that a change of terminal background or a
// --no-color flag is one rebuild rather than a hunt through render code.
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Options choose the palette.
type Options struct {
	// NoColor gives a monochrome screen: emphasis by bold, reverse and
	// underline only. Set it from --no-color or NoColorEnv.
	NoColor bool
	// Light selects the palette for a light terminal background. The root
	// model sets it from tea.BackgroundColorMsg; dark is the safer guess
	// until the terminal answers, as most operator terminals are dark.
	Light bool
}

// NoColorEnv reports whether the environment asks for no colour, following
// https://no-color.org: NO_COLOR present and not empty. lookup is
// os.LookupEnv in cmd and a map in tests.
func NoColorEnv(lookup func(string) (string, bool)) bool {
	v, ok := lookup("NO_COLOR")
	return ok && v != ""
}

// palette is the handful of colours everything else is derived from; nil
// means the terminal's default.
type palette struct {
	accent, dim, ok, warn, bad, selBg, selFg, markFg color.Color
}

func darkPalette() palette {
	return palette{
		accent: lipgloss.Color("#7AA2F7"),
		dim:    lipgloss.Color("#7F849C"),
		ok:     lipgloss.Color("#9ECE6A"),
		warn:   lipgloss.Color("#E0AF68"),
		bad:    lipgloss.Color("#F7768E"),
		selBg:  lipgloss.Color("#2E3C64"),
		selFg:  lipgloss.Color("#E6E9F5"),
		markFg: lipgloss.Color("#BB9AF7"),
	}
}

func lightPalette() palette {
	return palette{
		accent: lipgloss.Color("#2959AA"),
		dim:    lipgloss.Color("#6A6F87"),
		ok:     lipgloss.Color("#33635C"),
		warn:   lipgloss.Color("#8F5E15"),
		bad:    lipgloss.Color("#B1253B"),
		selBg:  lipgloss.Color("#C4D0F2"),
		selFg:  lipgloss.Color("#1A1B26"),
		markFg: lipgloss.Color("#7847BD"),
	}
}

// Styles is every style ctui renders with. It is shared by pointer and never
// changed once New returns it: some 18 KB, it would otherwise be copied with
// every model that holds it on every update (bubbletea models are values).
// A change of background is a new Styles from WithLight, handed to the pages
// in a page.StylesMsg; nothing reads a global.
type Styles struct {
	opts Options

	// Header line: the app name, labels and values, and the READONLY badge.
	Title, Label, Value, Badge lipgloss.Style
	// Warn flags a degraded node (NetworkReady=false); Bad an error.
	OK, Warn, Bad lipgloss.Style
	// Dim is for secondary text: hints, placeholders, counts.
	Dim lipgloss.Style

	// Table parts.
	ColumnHeader, SortedHeader, Cell, Cursor, Marked, CursorMarked lipgloss.Style

	// Flash line for transient messages and errors.
	FlashInfo, FlashErr lipgloss.Style
	// Panel frames the connection-lost notice.
	Panel lipgloss.Style

	// Help overlay.
	HelpKey, HelpDesc, HelpSection lipgloss.Style

	// Input styles the filter and command line editors.
	Input textinput.Styles
}

// New builds the Styles for opts.
func New(opts Options) *Styles {
	if opts.NoColor {
		s := mono(opts)
		return &s
	}
	p := darkPalette()
	if opts.Light {
		p = lightPalette()
	}
	s := base(opts)
	s.Title = s.Title.Foreground(p.accent)
	s.Label = s.Label.Foreground(p.dim)
	s.Badge = s.Badge.Foreground(p.warn)
	s.OK = s.OK.Foreground(p.ok)
	s.Warn = s.Warn.Foreground(p.warn)
	s.Bad = s.Bad.Foreground(p.bad)
	s.Dim = s.Dim.Foreground(p.dim)
	s.ColumnHeader = s.ColumnHeader.Foreground(p.accent)
	s.SortedHeader = s.SortedHeader.Foreground(p.accent)
	s.Cursor = lipgloss.NewStyle().Background(p.selBg).Foreground(p.selFg)
	s.Marked = s.Marked.Foreground(p.markFg)
	s.CursorMarked = s.Cursor.Foreground(p.markFg).Bold(true)
	s.FlashInfo = s.FlashInfo.Foreground(p.ok)
	s.FlashErr = s.FlashErr.Foreground(p.bad)
	s.Panel = s.Panel.BorderForeground(p.bad)
	s.HelpKey = s.HelpKey.Foreground(p.accent)
	s.HelpDesc = s.HelpDesc.Foreground(p.dim)
	s.HelpSection = s.HelpSection.Foreground(p.warn)
	s.Input = inputStyles(p.accent, p.dim)
	return &s
}

// base is the shape shared by every palette: emphasis that still reads
// without colour.
func base(opts Options) Styles {
	n := lipgloss.NewStyle
	return Styles{
		opts:         opts,
		Title:        n().Bold(true),
		Label:        n(),
		Value:        n(),
		Badge:        n().Bold(true),
		OK:           n(),
		Warn:         n().Bold(true),
		Bad:          n().Bold(true),
		Dim:          n(),
		ColumnHeader: n().Bold(true),
		SortedHeader: n().Bold(true).Underline(true),
		Cell:         n(),
		Cursor:       n().Reverse(true),
		Marked:       n().Bold(true),
		CursorMarked: n().Reverse(true).Bold(true),
		FlashInfo:    n(),
		FlashErr:     n().Bold(true),
		Panel:        n().Border(lipgloss.NormalBorder()).Padding(0, 1),
		HelpKey:      n().Bold(true),
		HelpDesc:     n(),
		HelpSection:  n().Bold(true).Underline(true),
		Input:        inputStyles(nil, nil),
	}
}

func mono(opts Options) Styles { return base(opts) }

// inputStyles styles bubbles' textinput from the palette; the cursor does
// not blink, because a blinking cursor is a timer firing forever on an
// otherwise idle screen.
func inputStyles(accent, dim color.Color) textinput.Styles {
	st := textinput.StyleState{
		Placeholder: lipgloss.NewStyle().Foreground(dim),
		Suggestion:  lipgloss.NewStyle().Foreground(dim),
		Prompt:      lipgloss.NewStyle().Foreground(accent).Bold(true),
		Text:        lipgloss.NewStyle(),
	}
	return textinput.Styles{
		Focused: st,
		Blurred: st,
		Cursor:  textinput.CursorStyle{Color: accent, Shape: tea.CursorBlock, Blink: false},
	}
}

// Options returns the options the Styles were built from.
func (s *Styles) Options() Options { return s.opts }

// WithLight rebuilds the Styles for a light (true) or dark terminal
// background, keeping the other options, as a new Styles (s is left as it
// is, for whoever still holds it). Monochrome stays monochrome.
func (s *Styles) WithLight(light bool) *Styles {
	o := s.opts
	o.Light = light
	return New(o)
}
