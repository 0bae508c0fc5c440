package doctor

import "charm.land/bubbles/v2/key"

// KeyMap is the doctor page's bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Open, Close, Rerun                      key.Binding
}

// DefaultKeyMap moves over the checks like a list; enter opens a check's
// evidence and fix, esc (or enter) goes back to the list; ctrl+r runs every
// check again.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "the check's evidence and fix / back to the list")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list (from a check)")),
		Rerun:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run every check again")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Open, k.Close, k.Rerun, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}
}
