package contexts

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/table"
)

// KeyMap is the page's own bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Switch key.Binding
}

// DefaultKeyMap binds enter to switch, as k9s's :ctx does.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Switch: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "switch to this context: connect to its node, then reopen ctui on it (the current connection stays if that fails)")),
	}
}

// Columns are the context's settings as config.yaml names them.
func Columns() []table.Column {
	return []table.Column{
		{Title: "NAME", Key: 'n', Flex: 1, Min: 12, Max: 30},
		{Title: "ENDPOINT", Key: 'e', Flex: 3, Min: 16},
		{Title: "NAMESPACE", Key: 's', Width: 10, Drop: 2},
		{Title: "RUNTIME ENDPOINT", Key: 'r', Flex: 1, Min: 10, Drop: 1},
		{Title: "SUDO", Key: 'u', Width: 4, Drop: 3},
		{Title: "READONLY", Key: 'o', Width: 8},
	}
}

// PageBindings are the page's keys for help and docs/keybindings.md.
func PageBindings() []key.Binding {
	return append([]key.Binding{DefaultKeyMap().Switch, listpage.DefaultKeyMap().Refresh}, table.SortBindings(Columns())...)
}
