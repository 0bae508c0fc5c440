package leases

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/table"
)

// KeyMap is the leases page's own bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Remove key.Binding
}

// DefaultKeyMap: ctrl+d removes the lease under the cursor, as every delete.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Remove: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "remove the lease under the cursor (asks first; what it held goes at the GC it runs)")),
	}
}

// PageBindings are the page's keys for docs/keybindings.md.
func PageBindings() []key.Binding {
	return append([]key.Binding{DefaultKeyMap().Remove, diskscan.RefreshBinding()}, table.DefaultKeyMap().Bindings()...)
}
