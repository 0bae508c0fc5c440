package health

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is the health page's bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Refresh, Raw                            key.Binding
}

// DefaultKeyMap scrolls like the describe page; ctrl+r asks again and d
// flips to the raw answers (as `crictl info` and `ctr plugins ls` print
// them), for a bug report.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		Refresh:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "ask containerd and CRI again")),
		Raw:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "raw answers as JSON (CRI status info, plugins) / summary")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Refresh, k.Raw, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}
}
