package backend

import (
	"sort"
	"strings"
	"time"
)

// HolderKind is what keeps a snapshot or blob from garbage collection.
type HolderKind string

// The holders containerd's garbage collector counts.
const (
	HeldByImage     HolderKind = "image"
	HeldByContainer HolderKind = "container"
	HeldByLease     HolderKind = "lease"
	HeldByRoot      HolderKind = "gc.root"
	HeldByChild     HolderKind = "child" // a snapshot that is the parent of a held one
)

// Holder is one holder, named.
type Holder struct {
	Kind HolderKind
	Name string
}

// String is "image NAME", "container ID", ...
func (h Holder) String() string {
	if h.Name == "" {
		return string(h.Kind)
	}
	return string(h.Kind) + " " + h.Name
}

// ImageUsage is one image target (with all the names that point at it) and
// the space it holds: Unique is held by no other image (content and
// snapshots; what removing it frees unless a container or lease holds it),
// Shared is held by it and at least one other image.
type ImageUsage struct {
	Target string
	Names  []string
	Unique int64
	Shared int64
	// Partial is true while some of its snapshots' usages are not known
	// (still being measured, or not measurable): the sizes then count
	// content only for those.
	Partial bool
	// Content and Snapshots are what it holds, for the reclaim sums.
	Content   []string
	Snapshots []SnapshotRef
}

// Total is Unique + Shared.
func (u ImageUsage) Total() int64 { return u.Unique + u.Shared }

// ContainerUsage is a container's writable layer: its active snapshot.
type ContainerUsage struct {
	ID       string
	Image    string
	Snapshot SnapshotRef // Key "" when the container has no snapshot
	Usage    DiskUsage
}

// SnapshotUsage is a snapshot with its usage and holders.
type SnapshotInfo struct {
	Snapshot
	Usage   DiskUsage
	Holders []Holder
}

// Orphan reports whether nothing holds the snapshot: the next garbage
// collection removes it.
func (s SnapshotInfo) Orphan() bool { return len(s.Holders) == 0 }

// BlobInfo is a content blob with the images that reference it.
type BlobInfo struct {
	ContentBlob
	// Kind is what the blob is to the images that reference it: index,
	// manifest, config or layer, from the garbage collection labels that
	// point at it. MediaType is what the image record (for a target) or an
	// index or manifest that names it says, when known (see
	// DiskInventory.MediaTypes); "" for a blob no image reaches.
	Kind      ItemKind
	MediaType string
	Images    []string // image names (one per target: its first name)
	Holders   []Holder
}

// Unreferenced reports whether nothing holds the blob.
func (b BlobInfo) Unreferenced() bool { return len(b.Holders) == 0 }

// LeaseInfo is a lease with the size of what it holds and whether it looks
// abandoned.
type LeaseInfo struct {
	Lease
	// Size sums the content, snapshot usage and ingest offsets it holds;
	// SizeKnown is false when a snapshot's usage is not known.
	Size      int64
	SizeKnown bool
	Ingests   []Ingest
	Expired   bool
	// Stale is true for a lease that expires some day (a pull's, an
	// import's), is older than the stale age, and whose ingests, if any,
	// have not moved for that long: what a pull killed mid-way leaves.
	Stale bool
}

// DiskReport is the inventory joined with the usages known so far.
type DiskReport struct {
	Namespace  string
	Images     []ImageUsage     // biggest unique first
	Containers []ContainerUsage // biggest writable layer first
	Snapshots  []SnapshotInfo   // biggest usage first
	Content    []BlobInfo       // biggest first
	Leases     []LeaseInfo      // oldest first
	// Orphan ingests are open writes no lease holds.
	OrphanIngests []Ingest
	// Measured and ToMeasure count the snapshot usages known and wanted.
	Measured, ToMeasure int
}

// DefaultStaleAge is how old a lease with an expiry (and its ingests) must be
// before ctui calls it left behind: longer than any pull on a working link
// stalls.
const DefaultStaleAge = time.Hour

// Analyze joins the inventory with the usages known so far (by snapshot) at
// time now; staleAge decides which leases look left behind (DefaultStaleAge
// when zero). It makes no call.
func (inv DiskInventory) Analyze(usage map[SnapshotRef]DiskUsage, now time.Time, staleAge time.Duration) DiskReport {
	if staleAge <= 0 {
		staleAge = DefaultStaleAge
	}
	g := newDiskGraph(inv)
	rep := DiskReport{Namespace: inv.Namespace, ToMeasure: len(inv.Snapshots)}
	for _, s := range inv.Snapshots {
		if u, ok := usage[s.SnapshotRef]; ok && (u.Known || u.Reason != "") {
			rep.Measured++
		}
	}
	size := func(r SnapshotRef) (int64, bool) {
		u, ok := usage[r]
		return u.Size, ok && u.Known
	}

	// Images: what each target reaches, and how many targets reach each item.
	order, names := targets(inv.Images)
	type reached struct {
		cs map[string]bool
		ss map[SnapshotRef]bool
	}
	per := make(map[string]reached, len(order))
	blobCount, snapCount := map[string]int{}, map[SnapshotRef]int{}
	for _, t := range order {
		cs, ss := g.reach([]string{t}, nil)
		per[t] = reached{cs, ss}
		for d := range cs {
			blobCount[d]++
		}
		for r := range ss {
			snapCount[r]++
		}
	}
	holders := make(map[string][]Holder, len(inv.Content))
	snapHolders := make(map[SnapshotRef][]Holder, len(inv.Snapshots))
	for _, t := range order {
		r := per[t]
		iu := ImageUsage{Target: t, Names: names[t]}
		for d := range r.cs {
			iu.Content = append(iu.Content, d)
			holders[d] = append(holders[d], Holder{HeldByImage, names[t][0]})
			if blobCount[d] == 1 {
				iu.Unique += g.blobs[d].Size
			} else {
				iu.Shared += g.blobs[d].Size
			}
		}
		for sr := range r.ss {
			iu.Snapshots = append(iu.Snapshots, sr)
			snapHolders[sr] = append(snapHolders[sr], Holder{HeldByImage, names[t][0]})
			n, ok := size(sr)
			if !ok {
				iu.Partial = true
			}
			if snapCount[sr] == 1 {
				iu.Unique += n
			} else {
				iu.Shared += n
			}
		}
		sort.Strings(iu.Content)
		sortSnapRefs(iu.Snapshots)
		rep.Images = append(rep.Images, iu)
	}
	sort.SliceStable(rep.Images, func(i, j int) bool {
		a, b := rep.Images[i], rep.Images[j]
		if a.Unique != b.Unique {
			return a.Unique > b.Unique
		}
		if a.Total() != b.Total() {
			return a.Total() > b.Total()
		}
		return a.Names[0] < b.Names[0]
	})

	// Containers: their writable layer, and what they hold. Thousands of
	// containers share a few parents: what a parent holds is walked once.
	rep.Containers = make([]ContainerUsage, 0, len(inv.Containers))
	parents := map[SnapshotRef][]SnapshotRef{}
	for _, c := range inv.Containers {
		cu := ContainerUsage{ID: c.ID, Image: c.Image}
		if c.SnapshotKey == "" {
			cu.Usage = DiskUsage{Reason: "no snapshot"}
		} else {
			cu.Snapshot = SnapshotRef{Snapshotter: c.Snapshotter, Key: c.SnapshotKey}
			if u, ok := usage[cu.Snapshot]; ok {
				cu.Usage = u
			}
			if _, exists := g.snaps[cu.Snapshot]; !exists {
				cu.Usage = DiskUsage{Reason: "snapshot " + cu.Snapshot.String() + " does not exist"}
			}
			if held, ok := g.heldBy(cu.Snapshot, parents); ok {
				snapHolders[cu.Snapshot] = append(snapHolders[cu.Snapshot], Holder{HeldByContainer, c.ID})
				for _, r := range held {
					if r != cu.Snapshot {
						snapHolders[r] = append(snapHolders[r], Holder{HeldByChild, c.ID})
					}
				}
			}
		}
		c2, s2 := gcRefs(c.Labels)
		if len(c2)+len(s2) > 0 {
			cs, ss := g.reach(c2, s2)
			for d := range cs {
				holders[d] = append(holders[d], Holder{HeldByContainer, c.ID})
			}
			for r := range ss {
				snapHolders[r] = append(snapHolders[r], Holder{HeldByContainer, c.ID})
			}
		}
		rep.Containers = append(rep.Containers, cu)
	}
	sort.SliceStable(rep.Containers, func(i, j int) bool {
		a, b := rep.Containers[i], rep.Containers[j]
		if a.Usage.Size != b.Usage.Size {
			return a.Usage.Size > b.Usage.Size
		}
		return a.ID < b.ID
	})

	// Leases, and the ingests they hold.
	ingests := map[string]Ingest{}
	for _, in := range inv.Ingests {
		ingests[in.Ref] = in
	}
	heldIngest := map[string]bool{}
	for _, l := range inv.Leases {
		li := LeaseInfo{Lease: l, SizeKnown: true}
		var lc []string
		var ls []SnapshotRef
		for _, r := range l.Resources {
			switch {
			case r.Type == "content":
				lc = append(lc, r.ID)
			case strings.HasPrefix(r.Type, "snapshots/"):
				ls = append(ls, SnapshotRef{Snapshotter: strings.TrimPrefix(r.Type, "snapshots/"), Key: r.ID})
			case r.Type == "ingests":
				heldIngest[r.ID] = true
				if in, ok := ingests[r.ID]; ok {
					li.Ingests = append(li.Ingests, in)
					li.Size += in.Offset
				}
			}
		}
		cs, ss := g.reach(lc, ls)
		for d := range cs {
			holders[d] = append(holders[d], Holder{HeldByLease, l.ID})
			li.Size += g.blobs[d].Size
		}
		for r := range ss {
			snapHolders[r] = append(snapHolders[r], Holder{HeldByLease, l.ID})
			n, ok := size(r)
			li.Size += n
			li.SizeKnown = li.SizeKnown && ok
		}
		exp := l.Expiry()
		li.Expired = !exp.IsZero() && exp.Before(now)
		if !exp.IsZero() && !li.Expired && now.Sub(l.CreatedAt) >= staleAge {
			li.Stale = true
			for _, in := range li.Ingests {
				if now.Sub(in.UpdatedAt) < staleAge {
					li.Stale = false
				}
			}
		}
		rep.Leases = append(rep.Leases, li)
	}
	sort.SliceStable(rep.Leases, func(i, j int) bool { return rep.Leases[i].CreatedAt.Before(rep.Leases[j].CreatedAt) })
	for _, in := range inv.Ingests {
		if !heldIngest[in.Ref] {
			rep.OrphanIngests = append(rep.OrphanIngests, in)
		}
	}

	// gc.root labels.
	var rootC []string
	var rootS []SnapshotRef
	for _, b := range inv.Content {
		if _, ok := b.Labels[LabelGCRoot]; ok {
			rootC = append(rootC, b.Digest)
		}
	}
	for _, s := range inv.Snapshots {
		if _, ok := s.Labels[LabelGCRoot]; ok {
			rootS = append(rootS, s.SnapshotRef)
		}
	}
	if len(rootC)+len(rootS) > 0 {
		cs, ss := g.reach(rootC, rootS)
		for d := range cs {
			holders[d] = append(holders[d], Holder{Kind: HeldByRoot})
		}
		for r := range ss {
			snapHolders[r] = append(snapHolders[r], Holder{Kind: HeldByRoot})
		}
	}

	// Snapshots.
	rep.Snapshots = make([]SnapshotInfo, 0, len(inv.Snapshots))
	for _, s := range inv.Snapshots {
		si := SnapshotInfo{Snapshot: s, Usage: usage[s.SnapshotRef], Holders: dedupHolders(snapHolders[s.SnapshotRef])}
		rep.Snapshots = append(rep.Snapshots, si)
	}
	sort.SliceStable(rep.Snapshots, func(i, j int) bool {
		a, b := rep.Snapshots[i], rep.Snapshots[j]
		if a.Usage.Size != b.Usage.Size {
			return a.Usage.Size > b.Usage.Size
		}
		return a.SnapshotRef.String() < b.SnapshotRef.String()
	})

	// Content: kinds from the labels pointing at each blob, media types of
	// image targets from the image records.
	kinds := map[string]ItemKind{}
	for _, b := range inv.Content {
		for k, v := range b.Labels {
			if strings.HasPrefix(k, LabelGCRefContent) {
				if kd := blobKindOfLabel(k); kd != ItemUnknown {
					kinds[v] = kd
				}
			}
		}
	}
	mediaTypes := make(map[string]string, len(inv.MediaTypes)+len(inv.Images))
	for d, mt := range inv.MediaTypes {
		mediaTypes[d] = mt
	}
	for _, im := range inv.Images {
		if im.MediaType != "" {
			mediaTypes[im.Digest] = im.MediaType
		}
	}
	rep.Content = make([]BlobInfo, 0, len(inv.Content))
	for _, b := range inv.Content {
		bi := BlobInfo{ContentBlob: b, Kind: kinds[b.Digest], MediaType: mediaTypes[b.Digest], Holders: dedupHolders(holders[b.Digest])}
		if bi.MediaType != "" {
			bi.Kind = mediaKind(bi.MediaType)
		}
		if bi.Kind == "" {
			bi.Kind = ItemUnknown
		}
		for _, h := range bi.Holders {
			if h.Kind == HeldByImage {
				bi.Images = append(bi.Images, h.Name)
			}
		}
		rep.Content = append(rep.Content, bi)
	}
	sort.SliceStable(rep.Content, func(i, j int) bool {
		a, b := rep.Content[i], rep.Content[j]
		if a.Size != b.Size {
			return a.Size > b.Size
		}
		return a.Digest < b.Digest
	})
	return rep
}

// Image returns the usage of the target an image name points at.
func (r DiskReport) Image(name string) (ImageUsage, bool) {
	for _, iu := range r.Images {
		for _, n := range iu.Names {
			if n == name {
				return iu, true
			}
		}
	}
	return ImageUsage{}, false
}
