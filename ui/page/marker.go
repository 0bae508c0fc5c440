package page

// Marker is implemented by pages whose rows can be marked (space): the
// root's actions that take several objects (export, push, remove) act on
// the marked rows when there are any, else on the row under the cursor.
// Marked lists them in display order; none marked is an empty slice.
type Marker interface {
	Marked() []Object
}
