package prune

import "charm.land/bubbles/v2/key"

// KeyMap is the preview's own bindings (the table's come after them). It is
// data: ? help and docs/keybindings.md are generated from it.
type KeyMap struct {
	Prune, Refresh key.Binding
}

// DefaultKeyMap: ctrl+d asks to carry the plan out (Cancel focused), as
// every delete in ctui; ctrl+r plans again.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Prune:   key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "prune: carry out the plan shown (asks first, Cancel focused)")),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "list, measure and plan again")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding { return []key.Binding{k.Prune, k.Refresh} }
