package usage

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// OOMResolvedMsg is an OOM kill with its pod looked up, for the root.
type OOMResolvedMsg struct{ Kill page.OOMKill }

// ResolveOOM turns a TaskOOM event into an OOMKill naming the pod, from the
// container's CRI labels. A lookup that fails (the container is already
// gone) still reports the kill, by id.
func ResolveOOM(parent context.Context, timeout time.Duration, g backend.ContainerGetter, ev backend.Event) tea.Cmd {
	return func() tea.Msg {
		k := page.OOMKill{Time: ev.Time, Namespace: ev.Namespace, ID: ev.ID}
		if g != nil {
			ctx, cancel := context.WithTimeout(parent, timeout)
			defer cancel()
			if c, err := g.Container(ctx, ev.Namespace, ev.ID); err == nil {
				k.PodName, k.PodNamespace, k.PodUID, k.Container = c.PodName, c.PodNamespace, c.PodUID, c.ContainerName
			}
		}
		return OOMResolvedMsg{Kill: k}
	}
}

// OOMs counts the OOM kills since ctui started, in all, by pod UID and by
// container id. The root keeps it; pages get its counts in page.OOMMsg.
type OOMs struct {
	total int
	byPod map[string]int
	byID  map[string]int
}

// Add counts k and returns the message that tells the pages.
func (o *OOMs) Add(k page.OOMKill) page.OOMMsg {
	if o.byPod == nil {
		o.byPod, o.byID = map[string]int{}, map[string]int{}
	}
	o.total++
	if k.PodUID != "" {
		o.byPod[k.PodUID]++
	}
	o.byID[k.ID]++
	return page.OOMMsg{Kill: k, Total: o.total, ByPod: o.byPod, ByID: o.byID}
}

// ByPod is a copy of the counts by pod UID, for a page being opened.
func (o OOMs) ByPod() map[string]int {
	out := make(map[string]int, len(o.byPod))
	for k, v := range o.byPod {
		out[k] = v
	}
	return out
}

// Total is how many OOM kills ctui has seen.
func (o OOMs) Total() int { return o.total }

// Flash is the warning the root shows for k.
func Flash(k page.OOMKill) string {
	return "OOM kill: " + k.Subject() + " went over its memory limit and the kernel killed it (exit reason OOMKilled)"
}
