package containers

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// loadedMsg answers loadCmd.
type loadedMsg struct {
	gen  uint64
	ctrs []backend.Container
	err  error
	at   time.Time
}

// loadCmd lists the containers of ns joined with their tasks (one container
// list, one bulk task list in the adapter). Built from values only.
func loadCmd(parent context.Context, l backend.ContainerLister, ns string, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		ctrs, err := l.Containers(ctx, ns)
		return loadedMsg{gen: gen, ctrs: ctrs, err: err, at: time.Now()}
	}
}
