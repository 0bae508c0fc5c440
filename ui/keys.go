package ui

import (
	"slices"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is the global bindings, active on every page unless the page is
// typing (a filter) or the command line is open. It is data: ? help and
// docs/keybindings.md are generated from it.
//
// p t i e P ctrl+d are the image actions (ActionKeyMap), bound at the
// root on images pages.
type KeyMap struct {
	Quit, ForceQuit, Help, Back, Command key.Binding
	// Describe opens the describe page for the row under the cursor, on
	// every page that says what that row is (page.Selector).
	Describe key.Binding
	// Logs and Shell work like Describe, on the container behind the row
	// (a pod's newest running one for a pod): its log page, and a shell
	// in it on the terminal. Pages that are not page.Selector get the
	// keys themselves (s is autoscroll on the log page).
	Logs, Shell key.Binding
}

// DefaultKeyMap follows k9s: q quits, ? helps, : commands, esc goes back.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit, even while typing")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help: the keys of this page")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear the filter, else back a page")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command mode (tab completes, enter runs, esc cancels)")),
		Describe:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "describe the row under the cursor (JSON/YAML)")),
		Logs:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs of the container, task or pod under the cursor")),
		Shell:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "shell in the running container, task or pod under the cursor (bash, else sh)")),
	}
}

// Bindings lists the global keys in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Command, k.Describe, k.Logs, k.Shell, k.Help, k.Back, k.Quit, k.ForceQuit}
}

// splitAlt undoes a guess of the terminal input parser. Over SSH, esc and
// the key typed after it often arrive in one read, and "\x1b:" parses as
// alt+: ; the rest of a command would then land on the page as keys (":pods"
// typed after esc on the pods page ran p, o, d, s). ctui binds no alt key
// but the text inputs' word motions while something is typing, so an alt
// key that nothing binds is what was typed: esc, then the key.
func splitAlt(msg tea.KeyPressMsg, typing bool) (esc, rest tea.KeyPressMsg, ok bool) {
	if msg.Mod&tea.ModAlt == 0 || altBound(msg.String(), typing) {
		return esc, rest, false
	}
	k := tea.Key(msg)
	k.Mod &^= tea.ModAlt
	if k.Text == "" && k.Mod&^tea.ModShift == 0 && unicode.IsPrint(k.Code) {
		r := k.Code
		if k.Mod&tea.ModShift != 0 {
			r = unicode.ToUpper(r)
			if k.ShiftedCode != 0 {
				r = k.ShiftedCode
			}
		}
		k.Text = string(r)
	}
	return tea.KeyPressMsg{Code: tea.KeyEscape}, tea.KeyPressMsg(k), true
}

// altBound tells whether any keymap binds the alt key s: the text inputs'
// (while typing) or any page's, as help and docs/keybindings.md list them.
func altBound(s string, typing bool) bool {
	bound := func(b key.Binding) bool { return slices.Contains(b.Keys(), s) }
	if typing {
		ti := textinput.DefaultKeyMap()
		if slices.ContainsFunc([]key.Binding{ti.WordForward, ti.WordBackward, ti.DeleteWordForward, ti.DeleteWordBackward}, bound) {
			return true
		}
	}
	for _, sec := range docSections() {
		if slices.ContainsFunc(sec.Keys, bound) {
			return true
		}
	}
	return false
}
