package snapshots

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/table"
)

// KeyMap is the snapshots page's own bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Tree key.Binding
}

// DefaultKeyMap: t shows the parent chains, as ctr snapshots tree, and
// again the list biggest first.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Tree: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tree: each snapshot under its parent, as ctr snapshots tree (again: biggest first)")),
	}
}

// PageBindings are the page's keys for docs/keybindings.md.
func PageBindings() []key.Binding {
	return append([]key.Binding{DefaultKeyMap().Tree, diskscan.RefreshBinding()}, table.DefaultKeyMap().Bindings()...)
}
