package page

// Closer is implemented by pages that hold something open while they are on
// the stack: a log page's reader following a file, say. The root calls
// Close when it removes the page (esc, a command that goes back to an open
// list, a namespace switch), so what the page started ends with it rather
// than when the program does. Close must not block: cancel a context.
type Closer interface {
	Close()
}
