package describe

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is the describe page's bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown, Left, Right key.Binding
	Search, ApplySearch, Next, Prev                      key.Binding
	Format, Refresh                                      key.Binding
}

// DefaultKeyMap follows less and the lists: j/k, g/G, PgUp/PgDn, / to
// search with n/N, and y to flip between JSON and YAML (as in kubectl's
// -o yaml). Left and right scroll long lines; h and l stay free, l being
// logs on the lists.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:        key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:         key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:      key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		Left:        key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "scroll left")),
		Right:       key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "scroll right")),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search (highlights every match)")),
		ApplySearch: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep the search (while typing)")),
		Next:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		Prev:        key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Format:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "YAML / JSON")),
		Refresh:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "read the object again")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Format, k.Search, k.ApplySearch, k.Next, k.Prev, k.Refresh,
		k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Left, k.Right}
}
