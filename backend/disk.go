package backend

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Disk: where the space of a node went (images, snapshots, content, leases,
// ingests) and what a prune would give back. The native adapter lists the
// raw facts cheaply (DiskInventory: one walk of each store); what costs a
// walk of the filesystem (a snapshot's usage, as `ctr snapshots usage`
// computes it) is asked per snapshot in the background; Analyze joins the two
// without any further call, so the UI can redraw as usages arrive.

// The labels containerd's garbage collector follows (core/metadata/gc.go):
// a root never collected, references from one object to content or a
// snapshot, and a lease's expiry.
const (
	LabelGCRoot         = "containerd.io/gc.root"
	LabelGCRefContent   = "containerd.io/gc.ref.content"
	LabelGCRefSnapshot  = "containerd.io/gc.ref.snapshot."
	LabelGCExpire       = "containerd.io/gc.expire"
	LabelCRIPinned      = "io.cri-containerd.pinned"
	LabelCRIPinnedValue = "pinned"
)

// SnapshotKind is a snapshot's kind, in ctr's words.
type SnapshotKind string

// The kinds `ctr snapshots ls` prints.
const (
	SnapshotCommitted SnapshotKind = "Committed"
	SnapshotActive    SnapshotKind = "Active"
	SnapshotView      SnapshotKind = "View"
)

// SnapshotRef names a snapshot: its snapshotter and key.
type SnapshotRef struct {
	Snapshotter string
	Key         string
}

// String is snapshotter/key.
func (r SnapshotRef) String() string { return r.Snapshotter + "/" + r.Key }

// Snapshot is one snapshot as `ctr snapshots ls` lists it.
type Snapshot struct {
	SnapshotRef
	Parent  string
	Kind    SnapshotKind
	Labels  map[string]string
	Created time.Time
	Updated time.Time
}

// DiskUsage is a snapshot's disk usage, as `ctr snapshots usage` prints it. When
// it could not be computed Known is false and Reason says why (a snapshotter
// without usage, a permission problem); the UI shows a dash and the reason.
type DiskUsage struct {
	Size   int64
	Inodes int64
	Known  bool
	Reason string
}

// ContentBlob is one blob of the content store, as `ctr content ls` lists it.
type ContentBlob struct {
	Digest    string
	Size      int64
	Labels    map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// LeaseResource is one thing a lease holds: content (ID a digest),
// snapshots/<snapshotter> (ID a key) or ingests (ID an ingest ref).
type LeaseResource struct {
	Type string
	ID   string
}

// Lease is a containerd lease: while it lives, what it holds survives
// garbage collection. Pulls, imports and unpacks take one; a client killed
// mid-way leaves it behind until it expires.
type Lease struct {
	ID        string
	CreatedAt time.Time
	Labels    map[string]string
	Resources []LeaseResource
}

// Expiry is when the lease's containerd.io/gc.expire label lets the garbage
// collector ignore it; zero when the lease has no expiry.
func (l Lease) Expiry() time.Time {
	v := l.Labels[LabelGCExpire]
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Ingest is an open write to the content store (a blob being pulled), as
// `ctr content active` lists it.
type Ingest struct {
	Ref       string
	Offset    int64
	Total     int64
	StartedAt time.Time
	UpdatedAt time.Time
}

// DiskInventory is what the stores of one namespace hold, from cheap calls
// only: the image and container records, one walk of the content store and
// of each snapshotter in use, the leases with their resources, the open
// ingests.
type DiskInventory struct {
	Namespace  string
	Images     []Image
	Containers []Container
	Content    []ContentBlob
	Snapshots  []Snapshot
	// Snapshotters are the snapshotters walked: the namespace's default
	// and every one a container or a content label names.
	Snapshotters []string
	// SnapshotterErrs says why a snapshotter could not be walked.
	SnapshotterErrs map[string]string
	Leases          []Lease
	Ingests         []Ingest
	// CRIImageRefs are the image ids CRI containers of this namespace run
	// (their ImageRef): each one is an image in use.
	CRIImageRefs []string
}

// DiskReader is implemented by a native backend that can list the stores
// (DiskInventory) and measure snapshots (SnapshotUsage) as ctr does.
type DiskReader interface {
	DiskInventory(ctx context.Context, ns string) (DiskInventory, error)
	// SnapshotUsage is `ctr snapshots usage` for one snapshot. A committed
	// snapshot never changes, so its answer is cached; an active one is
	// measured each time. A usage that cannot be computed comes back with
	// Known false and the reason, not as an error.
	SnapshotUsage(ctx context.Context, ns string, ref SnapshotRef, kind SnapshotKind) (DiskUsage, error)
	// ContainerdRoots are the directories whose filesystems the disk page
	// reports: the content store's and each snapshotter's root, and
	// containerd's state directory when known, as their plugins export them.
	ContainerdRoots(ctx context.Context) ([]DiskRoot, error)
}

// DiskRoot is one of containerd's directories.
type DiskRoot struct {
	What string // "content", "snapshotter overlayfs", "state", ...
	Path string
}

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
	// point at it; MediaType when an image record names it exactly.
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

// gcRefs returns what an object's labels make the garbage collector follow:
// content digests and snapshots.
func gcRefs(labels map[string]string) (content []string, snaps []SnapshotRef) {
	for k, v := range labels {
		switch {
		case strings.HasPrefix(k, LabelGCRefContent):
			content = append(content, v)
		case strings.HasPrefix(k, LabelGCRefSnapshot):
			sn := strings.TrimPrefix(k, LabelGCRefSnapshot)
			if i := strings.IndexByte(sn, '/'); i >= 0 {
				sn = sn[:i]
			}
			snaps = append(snaps, SnapshotRef{Snapshotter: sn, Key: v})
		}
	}
	return content, snaps
}

// blobKindOfLabel reads what a content reference label says the blob is:
// .m. a manifest of an index, .config a config, .l. a layer.
func blobKindOfLabel(k string) ItemKind {
	rest := strings.TrimPrefix(k, LabelGCRefContent)
	switch {
	case strings.HasPrefix(rest, ".m."):
		return ItemManifest
	case rest == ".config":
		return ItemConfig
	case strings.HasPrefix(rest, ".l."):
		return ItemLayer
	}
	return ItemUnknown
}

// diskGraph is the inventory indexed for reachability as containerd's
// garbage collector walks it.
type diskGraph struct {
	blobs map[string]*ContentBlob
	snaps map[SnapshotRef]*Snapshot
}

func newDiskGraph(inv DiskInventory) *diskGraph {
	g := &diskGraph{blobs: make(map[string]*ContentBlob, len(inv.Content)), snaps: make(map[SnapshotRef]*Snapshot, len(inv.Snapshots))}
	for i := range inv.Content {
		g.blobs[inv.Content[i].Digest] = &inv.Content[i]
	}
	for i := range inv.Snapshots {
		g.snaps[inv.Snapshots[i].SnapshotRef] = &inv.Snapshots[i]
	}
	return g
}

// reach collects what the roots hold: content by labels, snapshots by labels
// and by parent. Only objects that exist are collected.
func (g *diskGraph) reach(content []string, snaps []SnapshotRef) (map[string]bool, map[SnapshotRef]bool) {
	cs, ss := map[string]bool{}, map[SnapshotRef]bool{}
	var visitSnap func(r SnapshotRef)
	var visitBlob func(d string)
	visitBlob = func(d string) {
		b, ok := g.blobs[d]
		if !ok || cs[d] {
			return
		}
		cs[d] = true
		c, s := gcRefs(b.Labels)
		for _, x := range c {
			visitBlob(x)
		}
		for _, x := range s {
			visitSnap(x)
		}
	}
	visitSnap = func(r SnapshotRef) {
		s, ok := g.snaps[r]
		if !ok || ss[r] {
			return
		}
		ss[r] = true
		c, sr := gcRefs(s.Labels)
		for _, x := range c {
			visitBlob(x)
		}
		for _, x := range sr {
			visitSnap(x)
		}
		if s.Parent != "" {
			visitSnap(SnapshotRef{Snapshotter: r.Snapshotter, Key: s.Parent})
		}
	}
	for _, d := range content {
		visitBlob(d)
	}
	for _, r := range snaps {
		visitSnap(r)
	}
	return cs, ss
}

// targets groups image names by target digest, names sorted.
func targets(imgs []Image) (order []string, names map[string][]string) {
	names = map[string][]string{}
	for _, im := range imgs {
		if im.Digest == "" {
			continue
		}
		if _, ok := names[im.Digest]; !ok {
			order = append(order, im.Digest)
		}
		names[im.Digest] = append(names[im.Digest], im.Name)
	}
	for _, n := range names {
		sort.Strings(n)
	}
	return order, names
}

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
	holders := map[string][]Holder{}
	snapHolders := map[SnapshotRef][]Holder{}
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

	// Containers: their writable layer, and what they hold.
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
			_, ss := g.reach(nil, []SnapshotRef{cu.Snapshot})
			for r := range ss {
				h := Holder{HeldByContainer, c.ID}
				if r != cu.Snapshot {
					h = Holder{HeldByChild, c.ID}
				}
				snapHolders[r] = append(snapHolders[r], h)
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
	mediaTypes := map[string]string{}
	for _, im := range inv.Images {
		mediaTypes[im.Digest] = im.MediaType
	}
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

// mediaKind is what a target media type is.
func mediaKind(mt string) ItemKind {
	switch {
	case strings.Contains(mt, "index") || strings.Contains(mt, "manifest.list"):
		return ItemIndex
	case strings.Contains(mt, "manifest"):
		return ItemManifest
	case strings.Contains(mt, "config"):
		return ItemConfig
	case strings.Contains(mt, "layer") || strings.Contains(mt, "rootfs"):
		return ItemLayer
	}
	return ItemUnknown
}

func dedupHolders(hs []Holder) []Holder {
	if len(hs) == 0 {
		return nil
	}
	seen := map[Holder]bool{}
	out := hs[:0:0]
	for _, h := range hs {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func sortSnapRefs(rs []SnapshotRef) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
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
