package page

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// EventsMsg carries a batch of containerd events to every page on the
// stack, in the order containerd published them. Pages patch the rows the
// events name instead of listing again; a page that needs a call to learn
// more (a new container's record, a CRI view) should gather what it needs
// and ask once per Coalesce window, so that a burst (a pod starting is a
// dozen events, a seeding script thousands) costs one call, not one per
// event.
//
// The batch holds the current namespace's task, container, image and
// sandbox events (not those of exec'd processes being added or started)
// and, from every other namespace, only those that change what the
// namespaces page counts (images, containers, tasks starting and going
// away), plus every namespace's own: a page checks Event.Namespace before
// patching.
type EventsMsg struct{ Events []backend.Event }

// ResyncMsg asks a page to list again quietly: keep the rows on screen, the
// cursor and the generation, and replace the rows when the answer comes. The
// root sends it to the page on screen as a slow safety net against a missed
// event, and to every page after a broken event stream was re-subscribed,
// since events in the gap are lost.
type ResyncMsg struct{}

// Coalesce is how long a page gathers events before the one call they need:
// short enough that a task started elsewhere shows well within a second,
// long enough to fold a burst into a single list.
const Coalesce = 250 * time.Millisecond

// After returns a command that delivers msg to the tagged page after d: a
// page's own timer (the end of a Coalesce window) that finds it wherever it
// is on the stack, and nowhere once it is gone.
func (t Tag) After(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return Reply{Tag: t, Msg: msg} })
}
