package pods

import (
	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// KeyMap is the bindings of the pods page and of a pod's containers page;
// navigation, filter and sort come from the table, d (describe) from the
// root. Later actions (l logs, s shell, ctrl+d delete) are not bound yet.
type KeyMap struct {
	Open, Refresh key.Binding
}

// DefaultKeyMap binds enter to a pod's containers and ctrl-r to refresh,
// as k9s does.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "the pod's containers")),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh the list")),
	}
}

// PageBindings are the keys only the pods page has: enter, refresh and its
// sort letters.
func PageBindings() []key.Binding {
	k := DefaultKeyMap()
	cols := append(append(Columns(), oomColumn), usage.Columns(0)...)
	return append([]key.Binding{k.Open, k.Refresh}, table.SortBindings(cols)...)
}

// ContainerBindings are the keys only a pod's containers page has.
func ContainerBindings() []key.Binding {
	return append([]key.Binding{DefaultKeyMap().Refresh}, table.SortBindings(append(ContainerColumns(), usage.Columns(0)...))...)
}

// Column indexes of the pods table, fixed so that rows and sorting agree.
const (
	colName = iota
	colNamespace
	colState
	colCreated
	colAttempt
	colRuntime
	colContainers
	colID
)

// Columns are the pods table's: crictl pods' columns, the container count
// added, the name first since that is what an operator looks for.
func Columns() []table.Column {
	return []table.Column{
		colName:       {Title: "NAME", Key: 'n', Flex: 3, Min: 12},
		colNamespace:  {Title: "NAMESPACE", Key: 'e', Flex: 1, Min: 9, Max: 24},
		colState:      {Title: "STATE", Key: 's', Width: 8},
		colCreated:    {Title: "CREATED", Key: 'c', Width: 8, Align: table.AlignRight, Numeric: true},
		colAttempt:    {Title: "ATTEMPT", Key: 'a', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 3},
		colRuntime:    {Title: "RUNTIME", Key: 'r', Flex: 1, Min: 9, Max: 16, Drop: 4},
		colContainers: {Title: "CONTAINERS", Key: 'o', Width: 10, Align: table.AlignRight, Numeric: true, Drop: 2},
		colID:         {Title: "POD ID", Key: 'i', Width: 13, Drop: 1},
	}
}

// Column indexes of a pod's containers table.
const (
	ccName = iota
	ccState
	ccAttempt
	ccExit
	ccReason
	ccCreated
	ccImage
	ccID
)

// ContainerColumns are the columns of a pod's containers: crictl ps's, with
// what ContainerStatus adds (exit code, reason) next to the attempt, since a
// crash loop is read from those three together.
func ContainerColumns() []table.Column {
	return []table.Column{
		ccName:    {Title: "NAME", Key: 'n', Flex: 2, Min: 10},
		ccState:   {Title: "STATE", Key: 's', Width: 8},
		ccAttempt: {Title: "ATTEMPT", Key: 'a', Width: 7, Align: table.AlignRight, Numeric: true},
		ccExit:    {Title: "EXIT", Key: 'x', Width: 4, Align: table.AlignRight, Numeric: true},
		ccReason:  {Title: "REASON", Key: 'r', Flex: 1, Min: 9, Max: 20},
		ccCreated: {Title: "CREATED", Key: 'c', Width: 8, Align: table.AlignRight, Numeric: true, Drop: 2},
		ccImage:   {Title: "IMAGE", Key: 'm', Flex: 3, Min: 12, Drop: 3},
		ccID:      {Title: "ID", Key: 'i', Width: 13, Drop: 1},
	}
}
