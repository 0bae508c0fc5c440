package backend

import (
	"sort"
	"strings"
	"time"
)

// PruneContainer is a stopped container a prune removes.
type PruneContainer struct {
	Namespace string
	ID        string
	Name      string // the pod container's name, for CRI ones
	CRI       bool   // removed through CRI (crictl rm), as kubelet's GC would
	Exited    time.Time
	Reclaim   int64 // its writable layer
	Known     bool  // whether Reclaim is measured
}

// PruneContainersPlan is what `:prune containers` will do.
type PruneContainersPlan struct {
	Remove  []PruneContainer
	Keep    []PruneSkip
	Reclaim int64
	Partial bool
	MinAge  time.Duration
}

// PlanContainerPrune picks the stopped containers of the inventory's
// namespace: native ones with no task or a stopped one; CRI-managed
// containers (never sandboxes) that exited more than minAge before now, per
// pods (the CRI view of them).
func PlanContainerPrune(inv DiskInventory, rep DiskReport, pods []PodContainer, now time.Time, minAge time.Duration) PruneContainersPlan {
	plan := PruneContainersPlan{MinAge: minAge}
	writable := map[string]ContainerUsage{}
	for _, cu := range rep.Containers {
		writable[cu.ID] = cu
	}
	exited := map[string]PodContainer{}
	for _, pc := range pods {
		exited[pc.ID] = pc
	}
	for _, c := range inv.Containers {
		pc := PruneContainer{Namespace: inv.Namespace, ID: c.ID}
		if c.Kind != "" {
			if c.Kind != "container" {
				continue // sandboxes go with their pod (crictl rmp)
			}
			p, ok := exited[c.ID]
			switch {
			case !ok:
				plan.Keep = append(plan.Keep, PruneSkip{What: "container " + c.ID, Reason: "CRI does not list it"})
				continue
			case p.State != ContainerExited:
				continue
			case now.Sub(p.FinishedAt) < minAge:
				plan.Keep = append(plan.Keep, PruneSkip{What: "container " + p.Name + " (" + shortDigest(c.ID) + ")",
					Reason: "exited " + now.Sub(p.FinishedAt).Round(time.Second).String() + " ago, less than " + minAge.String()})
				continue
			}
			pc.CRI, pc.Name, pc.Exited = true, p.Name, p.FinishedAt
		} else {
			switch c.Status() {
			case "", TaskStopped, TaskCreated:
			default:
				continue
			}
			if c.Task != nil {
				pc.Exited = c.Task.ExitedAt
			}
		}
		if w, ok := writable[c.ID]; ok && w.Usage.Known {
			pc.Reclaim, pc.Known = w.Usage.Size, true
		} else if ok && w.Snapshot.Key != "" {
			plan.Partial = true
		} else {
			pc.Known = true
		}
		plan.Reclaim += pc.Reclaim
		plan.Remove = append(plan.Remove, pc)
	}
	sort.SliceStable(plan.Remove, func(i, j int) bool {
		if plan.Remove[i].Reclaim != plan.Remove[j].Reclaim {
			return plan.Remove[i].Reclaim > plan.Remove[j].Reclaim
		}
		return plan.Remove[i].ID < plan.Remove[j].ID
	})
	return plan
}

// PruneContainersOptions are a confirmed `:prune containers` plan.
type PruneContainersOptions struct {
	Plan PruneContainersPlan
}

// Kind is ActionPruneContainers.
func (o PruneContainersOptions) Kind() ActionKind { return ActionPruneContainers }

// Subject counts the containers.
func (o PruneContainersOptions) Subject() string { return plural(len(o.Plan.Remove), "container") }

// CommandLine is `ctr containers rm` for the native ones and `crictl rm` for
// the CRI ones.
func (o PruneContainersOptions) CommandLine(cfg Config, _ string) string {
	var lines []string
	byNS := map[string][]string{}
	var order []string
	var cri []string
	for _, c := range o.Plan.Remove {
		if c.CRI {
			cri = append(cri, c.ID)
			continue
		}
		if _, ok := byNS[c.Namespace]; !ok {
			order = append(order, c.Namespace)
		}
		byNS[c.Namespace] = append(byNS[c.Namespace], c.ID)
	}
	for _, ns := range order {
		lines = append(lines, shellJoin(append(append(ctrBase(cfg, ns), "containers", "rm"), byNS[ns]...)))
	}
	if len(cri) > 0 {
		lines = append(lines, shellJoin(append(append(crictlRuntimeBase(cfg), "rm"), cri...)))
	}
	return strings.Join(lines, "\n")
}
