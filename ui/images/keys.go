package images

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/table"
)

// KeyMap is the images page's own bindings; navigation, filter and sort come
// from the table.
type KeyMap struct {
	Refresh key.Binding
}

// DefaultKeyMap binds ctrl-r to refresh, as k9s does. The page actions to
// come (t tag, p pull, i import, e export, ctrl-d delete) are not bound yet.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh the list")),
	}
}

// PageBindings are the keys only this page has: refresh and the sort
// letters of its columns.
func PageBindings() []key.Binding {
	return append([]key.Binding{DefaultKeyMap().Refresh}, table.SortBindings(Columns())...)
}

// Bindings lists every key of the page for ? help: its own, then the
// table's navigation, filter and marks.
func Bindings() []key.Binding {
	return append(PageBindings(), table.DefaultKeyMap().Bindings()...)
}

// Columns are the images table's columns, ctr's `images ls` ones minus TYPE
// and LABELS (labels are searchable with -l). Sort letters: R, D, S, O
// (os/arch), C.
func Columns() []table.Column {
	return []table.Column{
		{Title: "REF", Key: 'r', Flex: 3, Min: 20},
		{Title: "DIGEST", Key: 'd', Width: 19},
		{Title: "SIZE", Key: 's', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "PLATFORMS", Key: 'o', Flex: 1, Min: 11},
		{Title: "CREATED", Key: 'c', Width: 7, Align: table.AlignRight, Numeric: true},
	}
}
