package prune

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/page"
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
	if roots, err := src.Disk.ContainerdRoots(ctx); err == nil {
		for _, r := range roots {
			p.Paths = append(p.Paths, r.Path)
		}
	}
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
		usage, err := measure(ctx, src.Disk, n, inv.Snapshots)
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

// measure is every snapshot's usage, four at a time.
func measure(ctx context.Context, d backend.DiskReader, ns string, snaps []backend.Snapshot) (map[backend.SnapshotRef]backend.DiskUsage, error) {
	out := make(map[backend.SnapshotRef]backend.DiskUsage, len(snaps))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan backend.Snapshot)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sn := range next {
				u, err := d.SnapshotUsage(ctx, ns, sn.SnapshotRef, sn.Kind)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				out[sn.SnapshotRef] = u
				mu.Unlock()
			}
		}()
	}
	for _, sn := range snaps {
		if ctx.Err() != nil {
			break
		}
		next <- sn
	}
	close(next)
	wg.Wait()
	return out, first
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
				return removeContainers(ctx, src, plan.Containers.Remove)
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

// removeContainers removes each planned container as its owner would: CRI
// ones with crictl rm, the others with ctr containers rm. One that runs now
// (started since the preview) is refused by the remove and named as skipped.
func removeContainers(ctx context.Context, src Source, cs []backend.PruneContainer) (backend.PruneResult, error) {
	var res backend.PruneResult
	for _, c := range cs {
		var err error
		what := "container " + c.ID
		if c.CRI {
			if src.CRIActions == nil {
				res.Skipped = append(res.Skipped, backend.PruneSkip{What: what, Reason: "CRI is not available to remove it"})
				continue
			}
			what = "container " + c.Name + " (" + short(c.ID) + ")"
			err = src.CRIActions.RemoveContainer(ctx, backend.CRIRemoveContainerOptions{ID: c.ID, Name: c.Name})
		} else {
			_, err = src.Tasks.RemoveContainer(ctx, c.Namespace, backend.ContainerRemoveOptions{ID: c.ID})
		}
		switch {
		case err == nil:
			res.Removed = append(res.Removed, what)
		case errors.Is(err, backend.ErrRunning):
			res.Skipped = append(res.Skipped, backend.PruneSkip{What: what, Reason: "it runs since the preview"})
		case errors.Is(err, backend.ErrNotFound):
			// removed meanwhile: nothing to do
		case page.ConnectionLost(err):
			return res, err
		default:
			res.Failed = append(res.Failed, backend.PruneSkip{What: what, Reason: err.Error()})
		}
	}
	return res, nil
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
	before, errBefore := backend.FreeSpace(paths)
	res, err := run()
	after, errAfter := backend.FreeSpace(paths)
	note := Outcome(res, before, after, errBefore == nil && errAfter == nil)
	if err == nil && len(res.Failed) > 0 {
		err = backend.Errorf(backend.ErrFailed, "%s", note)
	}
	return note, err
}

// Outcome is the flash line's and :log's sentence after a prune.
func Outcome(res backend.PruneResult, before, after int64, measured bool) string {
	var parts []string
	switch {
	case !measured:
		parts = append(parts, "freed: not measured (statfs of containerd's directories failed)")
	case after >= before:
		parts = append(parts, "freed "+humanize.Size(after-before)+" (statfs before and after)")
	default:
		parts = append(parts, "freed nothing measurable: the disk filled by "+humanize.Size(before-after)+" meanwhile (statfs before and after)")
	}
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

func short(id string) string {
	if _, h, ok := strings.Cut(id, ":"); ok {
		id = h
	}
	if len(id) > 13 {
		return id[:13]
	}
	return id
}
