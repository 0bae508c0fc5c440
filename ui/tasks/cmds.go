package tasks

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// loadedMsg answers loadCmd.
type loadedMsg struct {
	gen  uint64
	ctrs []backend.Container // only those with a task
	err  error
	at   time.Time
}

// loadCmd lists the tasks of ns. The containers list already joins the one
// bulk task list (`ctr tasks ls` costs the same call), and brings the pod
// labels a bare task lacks. Built from values only.
func loadCmd(parent context.Context, l backend.ContainerLister, clock backend.Clock, ns string, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		ctrs, err := l.Containers(ctx, ns)
		return loadedMsg{gen: gen, ctrs: withTask(ctrs), err: err, at: clock.Now()}
	}
}

// withTask keeps the containers that have a task, in place.
func withTask(ctrs []backend.Container) []backend.Container {
	out := ctrs[:0:0]
	for _, c := range ctrs {
		if c.Task != nil {
			out = append(out, c)
		}
	}
	return out
}

// flushMsg ends a Coalesce window of events: the page lists once for all
// the events it gathered.
type flushMsg struct{ gen uint64 }

// isTaskEvent reports whether ev changes a row of namespace ns: a task
// event, or a container deleted (its task goes with it).
func isTaskEvent(ev backend.Event, ns string) bool {
	return ev.Namespace == ns && (strings.HasPrefix(ev.Topic, "/tasks/") || ev.Topic == backend.TopicContainerDelete)
}
