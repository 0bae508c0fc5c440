package page

import (
	tea "charm.land/bubbletea/v2"
)

// Kind is the kind of object a row stands for, which decides how describe
// reads it: containerd's own records or CRI's verbose status.
type Kind string

// The kinds describe knows.
const (
	KindContainer    Kind = "container"     // a containerd container (and its task)
	KindImage        Kind = "image"         // a containerd image name
	KindNamespace    Kind = "namespace"     // a containerd namespace
	KindPod          Kind = "pod"           // a CRI pod sandbox
	KindPodContainer Kind = "pod container" // a CRI container
)

// Object names one object for describe.
type Object struct {
	Kind Kind
	// Namespace is the containerd namespace of a container or image;
	// CRI objects and namespaces leave it empty.
	Namespace string
	// ID is what the backend looks the object up by: container id, image
	// name, namespace name, pod sandbox id, CRI container id.
	ID string
	// Name is what the operator calls it, for the title (a pod's name
	// rather than its sandbox id); ID when empty.
	Name string
}

// Title is how describe names the object, e.g. "pod web".
func (o Object) Title() string {
	n := o.Name
	if n == "" {
		n = o.ID
	}
	return string(o.Kind) + " " + n
}

// Selector is implemented by pages whose rows can be described. The root
// binds d for every such page: on d it asks Selected and opens the describe
// page, so a page gets describe by saying what is under its cursor, without
// a key of its own.
type Selector interface {
	Selected() (Object, bool)
}

// DescribeMsg asks the root to open the describe page for Object, for a
// page that starts describe some other way than the root's d.
type DescribeMsg struct{ Object Object }

// Describe returns a command that asks the root to describe o.
func Describe(o Object) tea.Cmd {
	return func() tea.Msg { return DescribeMsg{Object: o} }
}

// OpenMsg asks the root to push a page that the page on top builds (a
// drill-in, such as a pod's containers). The root calls Open with the new
// page's ID, pushes the result, sizes it and runs the command.
type OpenMsg struct {
	Open func(id ID) (Page, tea.Cmd)
}

// Open returns a command that asks the root to push the page open builds.
func Open(open func(id ID) (Page, tea.Cmd)) tea.Cmd {
	return func() tea.Msg { return OpenMsg{Open: open} }
}
