package pods

import (
	"context"
	"strings"

	"github.com/ctui/ctui/backend"
)

// loadPods lists the pods and all pod containers (for the counts, and so that
// enter shows a pod's containers at once). When only the containers fail,
// the pods still show, their counts as "-", and the error is reported.
func loadPods(ctx context.Context, rt backend.Runtime) ([]item, error) {
	pods, err := rt.Pods(ctx)
	if err != nil {
		return nil, err
	}
	ctrs, ctrErr := rt.PodContainers(ctx)
	items := make([]item, len(pods))
	for i, p := range pods {
		items[i] = item{pod: p, ctrs: ofPod(ctrs, p.ID)}
		items[i].n = len(items[i].ctrs)
		if ctrErr != nil {
			items[i].n = -1
		}
	}
	return items, ctrErr
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

// touchesCRI reports whether an event can change what CRI reports: a task
// or container of containerd's CRI namespace. Image events do not change
// pods or their containers.
func touchesCRI(ev backend.Event) bool {
	if ev.Namespace != backend.CRINamespace {
		return false
	}
	return strings.HasPrefix(ev.Topic, "/tasks/") || strings.HasPrefix(ev.Topic, "/containers/")
}
