package images

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/backend"
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
	return append([]key.Binding{DefaultKeyMap().Refresh}, table.SortBindings(Columns(backend.CRINamespace))...)
}

// Bindings lists every key of the page for ? help: its own, then the
// table's navigation, filter and marks.
func Bindings() []key.Binding {
	return append(PageBindings(), table.DefaultKeyMap().Bindings()...)
}

// Column indexes, fixed so that rows and sorting agree.
const (
	colRef = iota
	colDigest
	colSize
	colPlatforms
	colCreated
	colUsedBy
	colPinned
	colImageID
)

// Columns are the images table's columns: ctr's `images ls` ones minus
// TYPE and LABELS (labels are searchable with -l), then USED BY, the
// containers that use the image. In k8s.io, PINNED and IMAGE ID are CRI's
// view of the same image, as `crictl images` shows it. Sort letters: R, D,
// S, O (os/arch), C, U, N (pinned), I.
func Columns(ns string) []table.Column {
	cols := []table.Column{
		colRef:       {Title: "REF", Key: 'r', Flex: 3, Min: 20},
		colDigest:    {Title: "DIGEST", Key: 'd', Width: 19, Drop: 2},
		colSize:      {Title: "SIZE", Key: 's', Width: 9, Align: table.AlignRight, Numeric: true},
		colPlatforms: {Title: "PLATFORMS", Key: 'o', Flex: 1, Min: 11, Max: 40, Drop: 4},
		colCreated:   {Title: "CREATED", Key: 'c', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 6},
		colUsedBy:    {Title: "USED BY", Key: 'u', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 5},
	}
	if ns == backend.CRINamespace {
		cols = append(cols,
			table.Column{Title: "PINNED", Key: 'n', Width: 6, Drop: 7},
			table.Column{Title: "IMAGE ID", Key: 'i', Width: 13, Drop: 3},
		)
	}
	return cols
}
