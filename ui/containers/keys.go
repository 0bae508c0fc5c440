package containers

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// PageBindings are the keys only this page has: refresh (every list's)
// and the sort letters of its columns (those of k8s.io included);
// navigation, filter and sort come from the table.
func PageBindings() []key.Binding {
	cols := append(Columns(backend.CRINamespace), usage.Columns(0)...)
	return append([]key.Binding{listpage.DefaultKeyMap().Refresh}, table.SortBindings(cols)...)
}

// Bindings lists every key of the page for ? help.
func Bindings() []key.Binding {
	return append(PageBindings(), table.DefaultKeyMap().Bindings()...)
}

// Column indexes, fixed so that rows and sorting agree.
const (
	colID = iota
	colImage
	colStatus
	colPID
	colExit
	colCreated
	colRuntime
	colPod
	colName
	colAttempt
)

// Columns are the containers table's columns. In k8s.io, where CRI keeps
// its containers, POD, CONTAINER and ATTEMPT say which pod container a row
// is, as `crictl ps` names them.
func Columns(ns string) []table.Column {
	cols := []table.Column{
		colID:      {Title: "ID", Key: 'i', Flex: 2, Min: 13, Max: 24},
		colImage:   {Title: "IMAGE", Key: 'm', Flex: 3, Min: 12, Max: 48},
		colStatus:  {Title: "STATUS", Key: 's', Width: 9},
		colPID:     {Title: "PID", Key: 'd', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 4},
		colExit:    {Title: "EXIT", Key: 'x', Width: 4, Align: table.AlignRight, Numeric: true, Drop: 3},
		colCreated: {Title: "CREATED", Key: 'c', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 5},
		colRuntime: {Title: "RUNTIME", Key: 'r', Flex: 1, Min: 8, Max: 24, Drop: 6},
	}
	if ns == backend.CRINamespace {
		// CRI's ids are 64 hex digits: 13 tell them apart, as in crictl.
		cols[colID].Max = 13
		cols = append(cols,
			table.Column{Title: "POD", Key: 'o', Flex: 2, Min: 10, Max: 40},
			table.Column{Title: "CONTAINER", Key: 'n', Flex: 1, Min: 9, Max: 24},
			table.Column{Title: "ATTEMPT", Key: 'a', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 2},
		)
	}
	return cols
}
