package top

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// KeyMap is the :top page's own bindings; l (logs), s (shell), d
// (describe) and the lifecycle keys are the root's, on the row under the
// cursor, as on the containers page.
type KeyMap struct {
	Goto key.Binding
	All  key.Binding
}

// DefaultKeyMap binds enter to the container's row and a to every
// namespace or the current one.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Goto: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to the container's row on the containers page")),
		All:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "every namespace, or the current one only")),
	}
}

// PageBindings are the keys only this page has, with its sort letters.
func PageBindings() []key.Binding {
	k := DefaultKeyMap()
	return append([]key.Binding{k.Goto, k.All}, table.SortBindings(Columns())...)
}

// Column indexes, fixed so that rows and sorting agree.
const (
	colNamespace = iota
	colID
	colPod
	colCPU
	colNode
	colMem
	colMemPerc
	colHistory
)

// HistoryWidth is the sparkline's width: a minute at the default 2 s.
const HistoryWidth = usage.HistoryLen

// Columns are the :top table's: where the container is, what it costs
// now and the CPU of the last minute.
func Columns() []table.Column {
	stats := usage.Columns(2)
	return []table.Column{
		colNamespace: {Title: "NAMESPACE", Key: 'e', Flex: 1, Min: 9, Max: 16, Drop: 1},
		colID:        {Title: "CONTAINER", Key: 'i', Flex: 2, Min: 13, Max: 32},
		colPod:       {Title: "POD", Key: 'o', Flex: 2, Min: 8, Max: 40, Drop: 2},
		colCPU:       stats[0],
		colNode:      stats[1],
		colMem:       stats[2],
		colMemPerc:   stats[3],
		colHistory:   {Title: "CPU, LAST MINUTE", Width: HistoryWidth, Drop: 5},
	}
}
