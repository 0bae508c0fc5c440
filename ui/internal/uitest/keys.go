// Package uitest builds the messages a terminal would send and runs the
// commands models return, so that model tests drive pages the way
// bubbletea does.
package uitest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// named is the code of a special key by bubbletea's name for it.
func named(s string) (rune, bool) {
	switch s {
	case "enter":
		return tea.KeyEnter, true
	case "esc":
		return tea.KeyEscape, true
	case "tab":
		return tea.KeyTab, true
	case "backspace":
		return tea.KeyBackspace, true
	case "up":
		return tea.KeyUp, true
	case "down":
		return tea.KeyDown, true
	case "left":
		return tea.KeyLeft, true
	case "right":
		return tea.KeyRight, true
	case "home":
		return tea.KeyHome, true
	case "end":
		return tea.KeyEnd, true
	case "pgup":
		return tea.KeyPgUp, true
	case "pgdown":
		return tea.KeyPgDown, true
	case "space":
		return tea.KeySpace, true
	}
	return 0, false
}

// Press returns the message for one key as bubbletea names it: "j", "G",
// "enter", "ctrl+r", "space".
func Press(s string) tea.KeyPressMsg {
	if c, ok := named(s); ok {
		return tea.KeyPressMsg{Code: c}
	}
	if rest, ok := strings.CutPrefix(s, "ctrl+"); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}
	}
	r, _ := utf8.DecodeRuneInString(s)
	if unicode.IsUpper(r) {
		return tea.KeyPressMsg{Code: unicode.ToLower(r), ShiftedCode: r, Text: s, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r, Text: s}
}

// Type returns one message per rune of s, as typing it would.
func Type(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, Press(string(r)))
	}
	return out
}

// Read returns the messages bubbletea makes of b arriving in one read from
// the terminal, decoded by the same parser: "\x1b:" in one read is alt+:,
// as an operator's esc and : typed quickly over SSH arrive.
func Read(b []byte) []tea.Msg {
	var d uv.EventDecoder
	var out []tea.Msg
	for len(b) > 0 {
		n, ev := d.Decode(b)
		if n <= 0 {
			break
		}
		if k, ok := ev.(uv.KeyPressEvent); ok {
			out = append(out, tea.KeyPressMsg(k))
		}
		b = b[n:]
	}
	return out
}
