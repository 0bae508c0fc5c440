package backend

import (
	"context"
	"fmt"
	"sort"
	"strings"
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

// ImagePruner carries out image prunes (the native adapter).
type ImagePruner interface {
	// PruneImages removes the plan's images of namespace ns. Right before
	// removing, it lists the containers again: an image that gained a
	// container since the plan, or whose name moved to another target, is
	// skipped and named. One synchronous garbage collection ends it.
	PruneImages(ctx context.Context, ns string, remove []PruneImage) (PruneResult, error)
}
