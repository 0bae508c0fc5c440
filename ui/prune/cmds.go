package prune

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/jobs"
)

// Source is what the prunes need, filled by the root from the backend. A
// nil part means the prune that needs it is not possible (Why says why).
type Source struct {
	Disk       backend.DiskReader
	Images     backend.ImagePruner
	Content    backend.ContentPruner
	Tasks      backend.TaskActions // native container removal (ctr containers rm)
	CRIActions backend.CRIActions  // CRI container removal (crictl rm)
	CRI        backend.Runtime     // pinned images, sandbox image, pod containers
	Namespaces backend.NamespaceLister
	Why        error // why the native side is missing
}

// Plan is a computed preview, of whichever prune.
type Plan struct {
	What       What
	Namespaces []string
	Images     backend.PruneImagesPlan
	Containers backend.PruneContainersPlan
	Content    []backend.PruneContentPlan
	// Paths are containerd's directories, for statfs before and after.
	Paths []string
	At    time.Time
}

type planMsg struct {
	gen  uint64
	plan Plan
	err  error
}

// planCmd lists and measures every namespace the prune covers and plans it.
// Nothing changes on the node.
func planCmd(parent context.Context, src Source, o Options, ns string, timeout time.Duration, clock backend.Clock, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		plan, err := makePlan(ctx, src, o, ns, clock)
		return planMsg{gen: gen, plan: plan, err: err}
	}
}

func makePlan(ctx context.Context, src Source, o Options, ns string, clock backend.Clock) (Plan, error) {
	p := Plan{What: o.What}
	if src.Disk == nil {
		return p, unavailable(src.Why, "prunes need containerd's own API")
	}
	p.Namespaces = []string{ns}
	if o.AllNamespaces && src.Namespaces != nil {
		all, err := src.Namespaces.Namespaces(ctx)
		if err != nil {
			return p, err
		}
		p.Namespaces = p.Namespaces[:0]
		for _, n := range all {
			p.Namespaces = append(p.Namespaces, n.Name)
		}
	}
	p.Paths = backend.RootPaths(ctx, src.Disk)
	var facts backend.ImagePruneFacts
	var pods []backend.PodContainer
	if src.CRI != nil {
		// Each fact is best effort: without it the plan is as crictl's
		// would be without it, and the sandbox image is also pinned.
		facts.CRIImages, _ = src.CRI.Images(ctx)
		if st, err := src.CRI.Status(ctx); err == nil {
			facts.SandboxImage = backend.ParseCRIConfig(st.Info).SandboxImage
		}
		pods, _ = src.CRI.PodContainers(ctx)
	}
	for _, n := range p.Namespaces {
		inv, err := src.Disk.DiskInventory(ctx, n)
		if err != nil {
			return p, err
		}
		var nsPods []backend.PodContainer
		var nsFacts backend.ImagePruneFacts
		if n == backend.CRINamespace {
			nsPods, nsFacts = pods, facts
			for _, pc := range pods {
				inv.CRIImageRefs = append(inv.CRIImageRefs, pc.ImageRef)
			}
		}
		usage, err := backend.MeasureSnapshots(ctx, src.Disk, n, toMeasure(inv, o.What, clock))
		if err != nil {
			return p, err
		}
		now := clock.Now()
		rep := inv.Analyze(usage, now, o.StaleAge)
		switch o.What {
		case Images:
			ip := backend.PlanImagePrune(inv, rep, nsFacts)
			p.Images.Remove = append(p.Images.Remove, ip.Remove...)
			p.Images.Keep = append(p.Images.Keep, ip.Keep...)
			p.Images.Reclaim += ip.Reclaim
			p.Images.Partial = p.Images.Partial || ip.Partial
		case Containers:
			cp := backend.PlanContainerPrune(inv, rep, nsPods, now, o.MinAge)
			p.Containers.Remove = append(p.Containers.Remove, cp.Remove...)
			p.Containers.Keep = append(p.Containers.Keep, cp.Keep...)
			p.Containers.Reclaim += cp.Reclaim
			p.Containers.Partial = p.Containers.Partial || cp.Partial
			p.Containers.MinAge = o.MinAge
		case Content:
			p.Content = append(p.Content, backend.PlanContentPrune(rep, now, o.StaleAge))
		}
	}
	p.At = clock.Now()
	return p, nil
}

// toMeasure is what a prune's plan needs measured. An image prune frees
// only what images hold, so it measures the snapshots images reach (their
// unpacked layers, committed: the adapter has them cached once :du, the
// snapshots page or an earlier preview measured them) and not the thousands
// of containers' writable layers, which it never frees. The other prunes
// free containers' layers and orphans, so they measure every snapshot.
func toMeasure(inv backend.DiskInventory, what What, clock backend.Clock) []backend.Snapshot {
	if what != Images {
		return inv.Snapshots
	}
	held := map[backend.SnapshotRef]bool{}
	for _, iu := range inv.Analyze(nil, clock.Now(), 0).Images {
		for _, r := range iu.Snapshots {
			held[r] = true
		}
	}
	var out []backend.Snapshot
	for _, sn := range inv.Snapshots {
		if held[sn.SnapshotRef] {
			out = append(out, sn)
		}
	}
	return out
}

func unavailable(why error, what string) error {
	if why != nil {
		return backend.Errorf(backend.ErrUnsupported, "%s: %v", what, why)
	}
	return backend.Errorf(backend.ErrUnsupported, "%s, which this backend does not have", what)
}

// spec is the job of a confirmed plan.
func spec(src Source, plan Plan, ns string, clock backend.Clock) (jobs.Spec, error) {
	s := jobs.Spec{Namespace: ns, Via: "containerd"}
	switch plan.What {
	case Images:
		if src.Images == nil {
			return s, unavailable(src.Why, "an image prune needs containerd's image API")
		}
		s.Action = backend.PruneImagesOptions{Plan: plan.Images}
		s.Run = func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			return measured(plan.Paths, func() (backend.PruneResult, error) {
				var all backend.PruneResult
				for _, n := range plan.Namespaces {
					var mine []backend.PruneImage
					for _, r := range plan.Images.Remove {
						if r.Namespace == n {
							mine = append(mine, r)
						}
					}
					if len(mine) == 0 {
						continue
					}
					res, err := src.Images.PruneImages(ctx, n, mine)
					all = merge(all, res)
					if err != nil {
						return all, err
					}
				}
				return all, nil
			})
		}
	case Containers:
		if src.Tasks == nil {
			return s, unavailable(src.Why, "a container prune needs containerd's task API")
		}
		s.Action = backend.PruneContainersOptions{Plan: plan.Containers}
		for _, c := range plan.Containers.Remove {
			if c.CRI {
				s.Via = "containerd and CRI"
			}
		}
		s.Run = func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			return measured(plan.Paths, func() (backend.PruneResult, error) {
				return backend.PruneContainers(ctx, src.Tasks, src.CRIActions, plan.Containers.Remove)
			})
		}
	case Content:
		if src.Content == nil {
			return s, unavailable(src.Why, "a content prune needs containerd's lease API")
		}
		var first backend.PruneContentPlan
		if len(plan.Content) > 0 {
			first = plan.Content[0]
		}
		s.Action = backend.PruneContentOptions{Plan: first}
		s.Run = func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			return measured(plan.Paths, func() (backend.PruneResult, error) {
				var all backend.PruneResult
				for _, cp := range plan.Content {
					res, err := src.Content.PruneContent(ctx, cp.Namespace, cp, clock.Now())
					all = merge(all, res)
					if err != nil {
						return all, err
					}
				}
				return all, nil
			})
		}
	}
	return s, nil
}

func merge(a, b backend.PruneResult) backend.PruneResult {
	a.Removed = append(a.Removed, b.Removed...)
	a.Skipped = append(a.Skipped, b.Skipped...)
	a.Failed = append(a.Failed, b.Failed...)
	a.GC = a.GC || b.GC
	return a
}

// measured runs a prune between two statfs of containerd's directories and
// words the outcome: what was freed, what was removed, what was skipped and
// why.
func measured(paths []string, run func() (backend.PruneResult, error)) (string, error) {
	var res backend.PruneResult
	freed, err := backend.MeasureFreed(paths, func() error {
		var err error
		res, err = run()
		return err
	})
	note := Outcome(res, freed)
	if err == nil && len(res.Failed) > 0 {
		err = backend.Errorf(backend.ErrFailed, "%s", note)
	}
	return note, err
}

// Outcome is the flash line's and :log's sentence after a prune.
func Outcome(res backend.PruneResult, freed backend.Freed) string {
	parts := []string{diskscan.Freed(freed)}
	parts = append(parts, fmt.Sprintf("removed %d", len(res.Removed)))
	if len(res.Skipped) > 0 {
		parts = append(parts, "skipped "+words(res.Skipped))
	}
	if len(res.Failed) > 0 {
		parts = append(parts, "failed "+words(res.Failed))
	}
	if res.GC {
		parts = append(parts, "garbage collected")
	}
	return strings.Join(parts, "; ")
}

func words(ss []backend.PruneSkip) string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.What+" ("+s.Reason+")")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
