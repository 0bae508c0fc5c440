package du

import "charm.land/bubbles/v2/key"

// KeyMap is the disk page's own bindings (the table's come after them). It
// is data: ? help and docs/keybindings.md are generated from it.
type KeyMap struct {
	Refresh key.Binding
}

// DefaultKeyMap: ctrl+r lists and measures again.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "list the stores and measure the snapshots again")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding { return []key.Binding{k.Refresh} }
