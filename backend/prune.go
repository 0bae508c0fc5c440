package backend

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Prune: the plans (what a prune will remove, what it frees, what stays and
// why) are pure functions of a DiskInventory and the usages known, so the
// preview costs no call; the adapters carry them out, checking again at the
// moment of removal that nothing took hold of what they remove.

// The prune actions, as the command log names them.
const (
	ActionPruneImages     ActionKind = "prune images"
	ActionPruneContainers ActionKind = "prune containers"
	ActionPruneContent    ActionKind = "prune content"
)

// PruneImage is one image (a target with all its names in a namespace) a
// prune removes, with what removing it frees: the content and snapshots
// only the removed images hold.
type PruneImage struct {
	Namespace string
	Target    string
	Names     []string
	Reclaim   int64
	// Partial is true when some snapshot usage was not known: Reclaim
	// then counts less than will be freed.
	Partial bool
}

// PruneKeep is an image a prune leaves, and why.
type PruneKeep struct {
	Namespace string
	Target    string
	Names     []string
	Reason    string
}

// ImagePruneFacts is what CRI says about the images of k8s.io: which are
// pinned (CRI's pinned flag: the sandbox image on 2.x, kubelet's pinned
// images) and the sandbox image (1.6 and 1.7 name it in Status).
type ImagePruneFacts struct {
	CRIImages    []CRIImage
	SandboxImage string
}

// PruneImagesPlan is what `:prune images` will do.
type PruneImagesPlan struct {
	Remove  []PruneImage
	Keep    []PruneKeep
	Reclaim int64
	Partial bool
}

// Refs are every name the plan removes, for the command log.
func (p PruneImagesPlan) Refs() []string {
	var out []string
	for _, r := range p.Remove {
		out = append(out, r.Names...)
	}
	return out
}

// PlanImagePrune decides, as `crictl rmi --prune` does, which images of the
// inventory's namespace no container uses (in any state); it never plans a
// CRI-pinned image, the sandbox image, or one labelled pinned. rep is
// inv.Analyze(...), for the sizes.
func PlanImagePrune(inv DiskInventory, rep DiskReport, facts ImagePruneFacts) PruneImagesPlan {
	var plan PruneImagesPlan
	order, names := targets(inv.Images)
	byName := map[string]string{}
	for _, im := range inv.Images {
		byName[im.Name] = im.Digest
	}
	// Who uses each target.
	users := map[string][]string{}
	for _, c := range inv.Containers {
		if t, ok := byName[c.Image]; ok {
			users[t] = append(users[t], containerWords(c))
		}
	}
	for _, ref := range inv.CRIImageRefs {
		if t, ok := byName[ref]; ok && len(users[t]) == 0 {
			users[t] = append(users[t], "a CRI container (image "+shortDigest(ref)+")")
		}
	}
	pinned := map[string]string{}
	for _, ci := range facts.CRIImages {
		if !ci.Pinned {
			continue
		}
		for _, n := range append(append([]string{ci.ID}, ci.RepoTags...), ci.RepoDigests...) {
			if t, ok := byName[n]; ok {
				pinned[t] = "pinned by CRI"
			}
		}
	}
	if facts.SandboxImage != "" {
		sb := facts.SandboxImage
		if n, err := NormalizeRef(sb); err == nil {
			sb = n
		}
		for _, cand := range []string{facts.SandboxImage, sb} {
			if t, ok := byName[cand]; ok {
				pinned[t] = "the pod sandbox image"
			}
		}
	}
	for _, im := range inv.Images {
		if im.Labels[LabelCRIPinned] == LabelCRIPinnedValue && pinned[im.Digest] == "" {
			pinned[im.Digest] = "labelled " + LabelCRIPinned + "=" + LabelCRIPinnedValue
		}
	}
	usages := map[string]ImageUsage{}
	for _, iu := range rep.Images {
		usages[iu.Target] = iu
	}
	var remove []string
	for _, t := range order {
		switch {
		case pinned[t] != "":
			plan.Keep = append(plan.Keep, PruneKeep{Namespace: inv.Namespace, Target: t, Names: names[t], Reason: pinned[t]})
		case len(users[t]) > 0:
			u := users[t]
			sort.Strings(u)
			reason := "used by " + u[0]
			if len(u) > 1 {
				reason += fmt.Sprintf(" and %d more", len(u)-1)
			}
			plan.Keep = append(plan.Keep, PruneKeep{Namespace: inv.Namespace, Target: t, Names: names[t], Reason: reason})
		default:
			remove = append(remove, t)
		}
	}
	// Reclaim: what only the removed images hold, shared among them.
	gone := map[string]bool{}
	for _, t := range remove {
		gone[names[t][0]] = true
	}
	freeable := func(hs []Holder) bool {
		if len(hs) == 0 {
			return false
		}
		for _, h := range hs {
			if h.Kind != HeldByImage || !gone[h.Name] {
				return false
			}
		}
		return true
	}
	blobs := map[string]BlobInfo{}
	for _, b := range rep.Content {
		blobs[b.Digest] = b
	}
	snaps := map[SnapshotRef]SnapshotInfo{}
	for _, s := range rep.Snapshots {
		snaps[s.SnapshotRef] = s
	}
	counted := map[string]bool{}
	countedSnap := map[SnapshotRef]bool{}
	for _, t := range remove {
		pi := PruneImage{Namespace: inv.Namespace, Target: t, Names: names[t]}
		iu := usages[t]
		for _, d := range iu.Content {
			if b := blobs[d]; freeable(b.Holders) && !counted[d] {
				counted[d] = true
				pi.Reclaim += b.Size
			}
		}
		for _, r := range iu.Snapshots {
			s := snaps[r]
			if !freeable(s.Holders) || countedSnap[r] {
				continue
			}
			countedSnap[r] = true
			if s.Usage.Known {
				pi.Reclaim += s.Usage.Size
			} else {
				pi.Partial = true
			}
		}
		plan.Reclaim += pi.Reclaim
		plan.Partial = plan.Partial || pi.Partial
		plan.Remove = append(plan.Remove, pi)
	}
	sort.SliceStable(plan.Remove, func(i, j int) bool {
		if plan.Remove[i].Reclaim != plan.Remove[j].Reclaim {
			return plan.Remove[i].Reclaim > plan.Remove[j].Reclaim
		}
		return plan.Remove[i].Names[0] < plan.Remove[j].Names[0]
	})
	return plan
}

func containerWords(c Container) string {
	s := "container " + c.ID
	if c.PodName != "" {
		s = "container " + c.ContainerName + " of pod " + c.PodNamespace + "/" + c.PodName
	}
	switch c.Status() {
	case "":
		return s + " (no task)"
	default:
		return s + " (" + strings.ToLower(string(c.Status())) + ")"
	}
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// PruneImagesOptions are a confirmed `:prune images` plan, as an Action.
type PruneImagesOptions struct {
	Plan PruneImagesPlan
}

// Kind is ActionPruneImages.
func (o PruneImagesOptions) Kind() ActionKind { return ActionPruneImages }

// Subject counts the images.
func (o PruneImagesOptions) Subject() string {
	return plural(len(o.Plan.Remove), "image")
}

// CommandLine is one `ctr images rm` per namespace, the last with --sync.
func (o PruneImagesOptions) CommandLine(cfg Config, _ string) string {
	byNS := map[string][]string{}
	var order []string
	for _, r := range o.Plan.Remove {
		if _, ok := byNS[r.Namespace]; !ok {
			order = append(order, r.Namespace)
		}
		byNS[r.Namespace] = append(byNS[r.Namespace], r.Names...)
	}
	var lines []string
	for _, ns := range order {
		lines = append(lines, RemoveOptions{Refs: byNS[ns], Sync: true}.CommandLine(cfg, ns))
	}
	return strings.Join(lines, "\n")
}

// PruneSkip is something a prune planned but did not remove, and why (an
// image that gained a container since the preview).
type PruneSkip struct {
	What   string
	Reason string
}

// PruneResult is what a prune did.
type PruneResult struct {
	Removed []string // what went, in words ("image NAME", "lease ID", ...)
	Skipped []PruneSkip
	// Failed are removals that failed, with the error's sentence.
	Failed []PruneSkip
	// GC is true when a synchronous garbage collection ran at the end.
	GC bool
}

// ImagePruner carries out image prunes (the native adapter).
type ImagePruner interface {
	// PruneImages removes the plan's images of namespace ns. Right before
	// removing, it lists the containers again: an image that gained a
	// container since the plan, or whose name moved to another target, is
	// skipped and named. One synchronous garbage collection ends it.
	PruneImages(ctx context.Context, ns string, remove []PruneImage) (PruneResult, error)
}

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

// PruneLease is a lease a content prune deletes, and why.
type PruneLease struct {
	ID      string
	Reason  string // "expired ...", "left by an interrupted pull ..."
	Reclaim int64
	Ingests []string
}

// PruneContentPlan is what `:prune content` will do: delete the expired
// and stale leases, abort the ingests nothing holds, then collect garbage,
// which takes the unreferenced blobs and orphan snapshots with it.
type PruneContentPlan struct {
	Namespace  string
	Leases     []PruneLease
	Ingests    []Ingest // orphan ingests to abort
	Blobs      []BlobInfo
	Snapshots  []SnapshotInfo
	KeptLeases []PruneSkip
	Reclaim    int64
	Partial    bool
	StaleAge   time.Duration
	PlannedAt  time.Time
}

// PlanContentPrune picks what a content prune frees in rep's namespace.
func PlanContentPrune(rep DiskReport, now time.Time, staleAge time.Duration) PruneContentPlan {
	if staleAge <= 0 {
		staleAge = DefaultStaleAge
	}
	plan := PruneContentPlan{Namespace: rep.Namespace, StaleAge: staleAge, PlannedAt: now}
	gone := map[string]bool{}
	for _, l := range rep.Leases {
		switch {
		case l.Expired:
			gone[l.ID] = true
			plan.Leases = append(plan.Leases, PruneLease{ID: l.ID, Reason: "expired " + l.Expiry().UTC().Format(time.RFC3339)})
		case l.Stale:
			gone[l.ID] = true
			plan.Leases = append(plan.Leases, PruneLease{ID: l.ID, Reason: fmt.Sprintf("left behind: created %s ago and nothing it holds moved for %s",
				now.Sub(l.CreatedAt).Round(time.Second), staleAge)})
		default:
			why := "in use: created " + now.Sub(l.CreatedAt).Round(time.Second).String() + " ago"
			if l.Expiry().IsZero() {
				why = "has no expiry (held on purpose by its owner)"
			}
			plan.KeptLeases = append(plan.KeptLeases, PruneSkip{What: "lease " + l.ID, Reason: why})
		}
	}
	freeable := func(hs []Holder) bool {
		for _, h := range hs {
			if h.Kind != HeldByLease || !gone[h.Name] {
				return false
			}
		}
		return true
	}
	leaseIdx := map[string]int{}
	for i, l := range plan.Leases {
		leaseIdx[l.ID] = i
	}
	for _, b := range rep.Content {
		if !freeable(b.Holders) {
			continue
		}
		plan.Reclaim += b.Size
		if len(b.Holders) == 0 {
			plan.Blobs = append(plan.Blobs, b)
		} else {
			plan.Leases[leaseIdx[b.Holders[0].Name]].Reclaim += b.Size
		}
	}
	for _, s := range rep.Snapshots {
		if !freeable(s.Holders) {
			continue
		}
		if s.Usage.Known {
			plan.Reclaim += s.Usage.Size
			if len(s.Holders) > 0 {
				plan.Leases[leaseIdx[s.Holders[0].Name]].Reclaim += s.Usage.Size
			}
		} else {
			plan.Partial = true
		}
		if len(s.Holders) == 0 {
			plan.Snapshots = append(plan.Snapshots, s)
		}
	}
	for _, l := range rep.Leases {
		if i, ok := leaseIdx[l.ID]; ok {
			for _, in := range l.Ingests {
				plan.Leases[i].Ingests = append(plan.Leases[i].Ingests, in.Ref)
				plan.Leases[i].Reclaim += in.Offset
				plan.Reclaim += in.Offset
			}
		}
	}
	for _, in := range rep.OrphanIngests {
		if now.Sub(in.UpdatedAt) >= staleAge {
			plan.Ingests = append(plan.Ingests, in)
			plan.Reclaim += in.Offset
		}
	}
	return plan
}

// Empty reports whether the plan has nothing to do but collect garbage.
func (p PruneContentPlan) Empty() bool {
	return len(p.Leases)+len(p.Ingests)+len(p.Blobs)+len(p.Snapshots) == 0
}

// PruneContentOptions are a confirmed `:prune content` plan.
type PruneContentOptions struct {
	Plan PruneContentPlan
}

// Kind is ActionPruneContent.
func (o PruneContentOptions) Kind() ActionKind { return ActionPruneContent }

// Subject counts what goes.
func (o PruneContentOptions) Subject() string {
	return fmt.Sprintf("%s, %s, %s unreferenced, then garbage collection",
		plural(len(o.Plan.Leases), "lease"), plural(len(o.Plan.Ingests), "ingest"),
		plural(len(o.Plan.Blobs)+len(o.Plan.Snapshots), "blob or snapshot"))
}

// CommandLine is `ctr leases rm --sync` of the leases (ctr has no garbage
// collection command: a synchronous lease delete runs one); ingests ctr
// cannot abort are named in a comment.
func (o PruneContentOptions) CommandLine(cfg Config, ns string) string {
	if o.Plan.Namespace != "" {
		ns = o.Plan.Namespace
	}
	var lines []string
	var ids []string
	for _, l := range o.Plan.Leases {
		ids = append(ids, l.ID)
	}
	for _, in := range o.Plan.Ingests {
		lines = append(lines, "# abort ingest "+in.Ref+" (containerd's content Abort; ctr has no command for it)")
	}
	if len(ids) > 0 {
		lines = append(lines, shellJoin(append(append(ctrBase(cfg, ns), "leases", "rm", "--sync"), ids...)))
	} else {
		lines = append(lines, "# garbage collection: "+shellJoin(append(ctrBase(cfg, ns), "leases", "rm", "--sync", "<a new empty lease>")))
	}
	return strings.Join(lines, "\n")
}

// LeaseRemoveOptions describe `ctr leases rm [--sync] ID`.
type LeaseRemoveOptions struct {
	ID   string
	Sync bool
}

// Kind is ActionRemove.
func (o LeaseRemoveOptions) Kind() ActionKind { return ActionRemove }

// Subject names the lease.
func (o LeaseRemoveOptions) Subject() string { return "lease " + o.ID }

// CommandLine renders `ctr leases rm`.
func (o LeaseRemoveOptions) CommandLine(cfg Config, ns string) string {
	args := append(ctrBase(cfg, ns), "leases", "rm")
	if o.Sync {
		args = append(args, "--sync")
	}
	return shellJoin(append(args, o.ID))
}

// ContentPruner carries out content prunes and lease removals (the native
// adapter).
type ContentPruner interface {
	// PruneContent deletes the plan's leases and aborts its ingests, each
	// checked again first (a lease whose ingests moved since the plan, or
	// that is no longer expired, is skipped and named), then runs a
	// synchronous garbage collection.
	PruneContent(ctx context.Context, ns string, plan PruneContentPlan, now time.Time) (PruneResult, error)
	RemoveLease(ctx context.Context, ns string, o LeaseRemoveOptions) error
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
