package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

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
