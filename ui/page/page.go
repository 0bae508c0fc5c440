// Package page is the contract between ctui's root model and its pages
// (images, containers, ...). It exists so that a page never imports the root
// ui package: pages depend on backend, ui/theme and this, and talk to the
// root only through the messages below.
package page

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/theme"
)

// Page is one screen on the root's page stack. Four methods, so that a page
// is cheap to write and the root never needs to know a page's type.
//
// A page learns its size from SizeMsg, its styles from StylesMsg and the
// namespace from NamespaceMsg; the root sends all three when it pushes the
// page and again on every change.
type Page interface {
	// Update handles a message: keys and mouse when the page is on top,
	// the page's own replies (unwrapped from Reply) whenever they arrive.
	Update(tea.Msg) (Page, tea.Cmd)
	// View renders exactly the size of the last SizeMsg, or less.
	View() string
	// Keys are the page's bindings, for ? help. Disabled ones are left out.
	Keys() []key.Binding
	// State tells the root what it needs to route keys and draw the frame.
	State() State
}

// State is what the root asks of the page on top.
type State struct {
	// Title names the page in the header, e.g. "images".
	Title string
	// Type is what the page is; the root routes by it, never by Title.
	Type Type
	// Caps are the root's actions the page's rows take.
	Caps Caps
	// Typing is true while the page edits text (a filter): then every key
	// goes to the page, so that q types a q rather than quitting.
	Typing bool
	// Filtered is true when a filter is applied: esc clears it before it
	// goes back a page.
	Filtered bool
	// Info is a short status for the footer, e.g. "12/3,400".
	Info string
}

// ID names one page instance for the life of the program. The root assigns
// it at push, so a reply for a page that was popped finds no one and is
// dropped.
type ID uint64

// Tag says who asked: the page and the page's generation at the time. A page
// bumps its generation when what it shows changes meaning (namespace switch,
// refresh), and drops replies tagged with an older one.
type Tag struct {
	Page ID
	Gen  uint64
}

// Reply is how a command's answer finds its page: the root delivers Msg to
// the page Tag.Page names, or drops it if that page is gone.
type Reply struct {
	Tag Tag
	Msg tea.Msg
}

// Wrap turns cmd into one whose message is delivered to the tagged page.
func (t Tag) Wrap(cmd func() tea.Msg) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return Reply{Tag: t, Msg: cmd()} }
}

// SizeMsg is the area a page may draw in (the screen minus header and
// footer).
type SizeMsg struct{ Width, Height int }

// StylesMsg carries rebuilt styles after a terminal background change: a new
// Styles, never a change to the one the pages hold (they share it).
type StylesMsg struct{ Styles *theme.Styles }

// NamespaceMsg tells pages that the operator switched namespace.
type NamespaceMsg struct{ Namespace string }

// ReconnectedMsg tells pages that the backend answers again after a lost
// connection, so that they reload what failed.
type ReconnectedMsg struct{}

// ErrMsg reports an error to the root, which shows it in the flash line or,
// for a lost connection, in the connection panel. Err.Error() is already an
// operator sentence (backend.Error).
type ErrMsg struct{ Err error }

// FlashMsg asks the root to show a transient notice; Err shows it as an
// error (a sentence to act on) rather than as news.
type FlashMsg struct {
	Text string
	Err  bool
}

// OKMsg tells the root a backend call succeeded, so a connection-lost panel
// can close without waiting for its own probe.
type OKMsg struct{}

// Report returns a command that reports err to the root; nil for nil.
func Report(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return ErrMsg{Err: err} }
}

// Flash returns a command that shows text in the flash line.
func Flash(text string) tea.Cmd {
	return func() tea.Msg { return FlashMsg{Text: text} }
}

// ConnectionLost reports whether err means the daemon cannot be reached at
// all, as opposed to one call failing: the root then shows the connection
// panel instead of a flash, and pages stop background work until
// ReconnectedMsg.
func ConnectionLost(err error) bool {
	return errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrTimeout) ||
		errors.Is(err, backend.ErrSocketMissing)
}

// Fit word-wraps a (styled) message to width and cuts it to height, for a
// page that has a sentence to show instead of its list.
func Fit(s string, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lines := strings.Split(lipgloss.NewStyle().Width(width).Render(s), "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "")
	}
	return strings.Join(lines, "\n")
}

// SwitchNamespaceMsg asks the root to make Namespace current for every page
// (enter on the namespaces page).
type SwitchNamespaceMsg struct{ Namespace string }
