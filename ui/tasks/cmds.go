package tasks

import (
	"strings"

	"github.com/ctui/ctui/backend"
)

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

// isTaskEvent reports whether ev changes a row of namespace ns: a task
// event, or a container deleted (its task goes with it).
func isTaskEvent(ev backend.Event, ns string) bool {
	return ev.Namespace == ns && (strings.HasPrefix(ev.Topic, "/tasks/") || ev.Topic == backend.TopicContainerDelete)
}
