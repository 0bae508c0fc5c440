package pods

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
	pods []backend.Pod
	ctrs []backend.PodContainer
	// ctrErr is why the containers are not known; the pods still show,
	// with their counts as "-".
	ctrErr error
	err    error
	at     time.Time
}

// loadCmd lists the pods and all pod containers (for the counts, and so
// that enter shows a pod's containers at once). Built from values only.
func loadCmd(parent context.Context, rt backend.Runtime, clock backend.Clock, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		pods, err := rt.Pods(ctx)
		if err != nil {
			return loadedMsg{gen: gen, err: err, at: clock.Now()}
		}
		ctrs, ctrErr := rt.PodContainers(ctx)
		return loadedMsg{gen: gen, pods: pods, ctrs: ctrs, ctrErr: ctrErr, at: clock.Now()}
	}
}

// containersMsg answers containersCmd.
type containersMsg struct {
	gen  uint64
	ctrs []backend.PodContainer
	err  error
	at   time.Time
}

// containersCmd lists the containers of pod podID, every attempt.
func containersCmd(parent context.Context, rt backend.Runtime, clock backend.Clock, podID string, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		all, err := rt.PodContainers(ctx)
		return containersMsg{gen: gen, ctrs: ofPod(all, podID), err: err, at: clock.Now()}
	}
}

// ofPod keeps the containers of pod podID.
func ofPod(all []backend.PodContainer, podID string) []backend.PodContainer {
	var out []backend.PodContainer
	for _, c := range all {
		if c.PodID == podID {
			out = append(out, c)
		}
	}
	return out
}

// flushMsg ends a Coalesce window of events: the page lists once for all
// the events it gathered.
type flushMsg struct{ gen uint64 }

// touchesCRI reports whether an event can change what CRI reports: a task
// or container of containerd's CRI namespace. Image events do not change
// pods or their containers.
func touchesCRI(ev backend.Event) bool {
	if ev.Namespace != backend.CRINamespace {
		return false
	}
	return strings.HasPrefix(ev.Topic, "/tasks/") || strings.HasPrefix(ev.Topic, "/containers/")
}
