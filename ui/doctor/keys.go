package doctor

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/table"
)

// KeyMap is the doctor page's own bindings; moving over the checks is the
// table's. It is data: ? help and docs/keybindings.md are generated from it.
type KeyMap struct {
	Rerun, Open, Close key.Binding
}

// DefaultKeyMap: enter opens a check's evidence and fix, esc (or enter)
// goes back to the list; ctrl+r (the list's refresh) runs every check again.
func DefaultKeyMap() KeyMap {
	rerun := listpage.DefaultKeyMap().Refresh
	rerun.SetHelp("ctrl+r", "run every check again")
	return KeyMap{
		Rerun: rerun,
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "the check's evidence and fix / back to the list")),
		Close: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list (from a check)")),
	}
}

// Bindings lists the page's keys in help order: its own, then the
// table's (Columns sort by nothing: the order is worst first).
func (k KeyMap) Bindings() []key.Binding {
	return append([]key.Binding{k.Rerun, k.Open, k.Close}, table.SortBindings(Columns)...)
}

// Columns are the list's: the verdict, the check, its finding.
var Columns = []table.Column{
	{Title: "STATUS", Width: 6},
	{Title: "CHECK", Width: 17},
	{Title: "FINDING", Min: 20, Flex: 1},
}
