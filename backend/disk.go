package backend

import (
	"context"
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
	// MediaTypes are the media types of the blobs the images' indexes and
	// manifests name, by digest (ContentMediaTypes); nil when not asked,
	// as reading them costs a read of each index and manifest.
	MediaTypes map[string]string
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
	// ContentMediaTypes walks every image of namespace ns from its target
	// through its indexes and manifests (reading those, as `ctr images
	// check` does) and returns the media type each of them gives its
	// children (manifests, configs, layers) and the targets', by digest.
	// Children that are not in the store (another platform's manifest) are
	// named but not read.
	ContentMediaTypes(ctx context.Context, ns string) (map[string]string, error)
}

// DiskRoot is one of containerd's directories.
type DiskRoot struct {
	What string // "content", "snapshotter overlayfs", "state", ...
	Path string
}
