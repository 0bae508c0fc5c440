package backend

import (
	"context"
	"errors"
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

// PruneContainers removes each planned container as its owner would: CRI
// ones with crictl rm through cri, the others with ctr containers rm through
// native. One that runs now (started since the preview) is refused by the
// remove and named as skipped; one removed meanwhile is passed over. Only a
// lost daemon stops it early.
func PruneContainers(ctx context.Context, native TaskActions, cri CRIActions, remove []PruneContainer) (PruneResult, error) {
	var res PruneResult
	for _, c := range remove {
		var err error
		what := "container " + c.ID
		switch {
		case c.CRI && cri == nil:
			res.Skipped = append(res.Skipped, PruneSkip{What: what, Reason: "CRI is not available to remove it"})
			continue
		case c.CRI:
			what = "container " + c.Name + " (" + TruncID(c.ID) + ")"
			err = cri.RemoveContainer(ctx, CRIRemoveContainerOptions{ID: c.ID, Name: c.Name})
		case native == nil:
			res.Skipped = append(res.Skipped, PruneSkip{What: what, Reason: "containerd's task API is not available to remove it"})
			continue
		default:
			_, err = native.RemoveContainer(ctx, c.Namespace, ContainerRemoveOptions{ID: c.ID})
		}
		switch {
		case err == nil:
			res.Removed = append(res.Removed, what)
		case errors.Is(err, ErrRunning):
			res.Skipped = append(res.Skipped, PruneSkip{What: what, Reason: "it runs since the preview"})
		case errors.Is(err, ErrNotFound):
			// removed meanwhile: nothing to do
		case errors.Is(err, ErrUnavailable) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrSocketMissing):
			return res, err
		default:
			res.Failed = append(res.Failed, PruneSkip{What: what, Reason: err.Error()})
		}
	}
	return res, nil
}

// TruncID is an id as crictl prints it: without sha256:, 13 characters.
func TruncID(id string) string {
	if _, h, ok := strings.Cut(id, ":"); ok {
		id = h
	}
	if len(id) > 13 {
		return id[:13]
	}
	return id
}
