package tasks

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// PageBindings are the keys only this page has: refresh (every list's)
// and the sort letters of its columns (those of k8s.io included);
// navigation, filter and sort come from the table, d (describe) from the
// root.
func PageBindings() []key.Binding {
	cols := append(Columns(backend.CRINamespace), usage.Columns(0)...)
	return append([]key.Binding{listpage.DefaultKeyMap().Refresh}, table.SortBindings(cols)...)
}

// Column indexes, fixed so that rows and sorting agree.
const (
	colTask = iota
	colPID
	colStatus
	colExit
	colExited
	colPod
	colContainer
)

// Columns are `ctr tasks ls`'s TASK, PID and STATUS, with the exit status
// and when it exited; in k8s.io also the pod and the container name in the
// pod spec, since a task id there is a 64-digit hex string.
func Columns(ns string) []table.Column {
	cols := []table.Column{
		colTask:   {Title: "TASK", Key: 't', Flex: 2, Min: 13, Max: 32},
		colPID:    {Title: "PID", Key: 'd', Width: 7, Align: table.AlignRight, Numeric: true},
		colStatus: {Title: "STATUS", Key: 's', Width: 9},
		colExit:   {Title: "EXIT", Key: 'x', Width: 4, Align: table.AlignRight, Numeric: true},
		colExited: {Title: "EXITED", Key: 'e', Width: 8, Align: table.AlignRight, Numeric: true, Drop: 1},
	}
	if ns == backend.CRINamespace {
		cols = append(cols,
			table.Column{Title: "POD", Key: 'o', Flex: 2, Min: 10, Max: 40},
			table.Column{Title: "CONTAINER", Key: 'n', Flex: 1, Min: 9, Max: 24},
		)
	}
	return cols
}
