package containerd

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/containerd/v2/core/snapshots"
	"github.com/containerd/errdefs"

	"github.com/ctui/ctui/backend"
)

var (
	_ backend.DiskReader    = (*Client)(nil)
	_ backend.ImagePruner   = (*Client)(nil)
	_ backend.ContentPruner = (*Client)(nil)
)

// usageKey caches a committed snapshot's usage: a committed snapshot never
// changes, and its key (a chain id for unpacked layers) names its content.
type usageKey struct {
	ns  string
	ref backend.SnapshotRef
}

// DiskInventory lists what namespace ns's stores hold, from one walk of each
// store (what `ctr content ls`, `ctr snapshots ls` per snapshotter,
// `ctr leases ls` and `ctr content active` print), plus the image and
// container records. No blob is read and no snapshot measured.
func (c *Client) DiskInventory(ctx context.Context, ns string) (backend.DiskInventory, error) {
	inv := backend.DiskInventory{Namespace: ns, SnapshotterErrs: map[string]string{}}
	var err error
	if inv.Images, err = c.Images(ctx, ns); err != nil {
		return inv, err
	}
	if inv.Containers, err = c.Containers(ctx, ns); err != nil {
		return inv, err
	}
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	ctx = opsContext(ctx, ns)
	cs := c.c.ContentStore()
	err = cs.Walk(ctx, func(info content.Info) error {
		inv.Content = append(inv.Content, backend.ContentBlob{Digest: info.Digest.String(), Size: info.Size,
			Labels: info.Labels, CreatedAt: info.CreatedAt, UpdatedAt: info.UpdatedAt})
		return nil
	})
	if err != nil {
		return inv, c.translate(err, "list the content of namespace "+ns)
	}
	sts, err := cs.ListStatuses(ctx)
	if err != nil {
		return inv, c.translate(err, "list the open ingests of namespace "+ns)
	}
	for _, st := range sts {
		inv.Ingests = append(inv.Ingests, backend.Ingest{Ref: st.Ref, Offset: st.Offset, Total: st.Total,
			StartedAt: st.StartedAt, UpdatedAt: st.UpdatedAt})
	}

	// Snapshotters: the namespace's default, and every one a container or a
	// content label names.
	want := map[string]bool{}
	if def, err := c.opsSnapshotter(ctx, ""); err == nil {
		want[def] = true
	}
	for _, ct := range inv.Containers {
		if ct.Snapshotter != "" {
			want[ct.Snapshotter] = true
		}
	}
	for _, b := range inv.Content {
		for k := range b.Labels {
			if sn, ok := strings.CutPrefix(k, backend.LabelGCRefSnapshot); ok {
				sn, _, _ = strings.Cut(sn, "/")
				want[sn] = true
			}
		}
	}
	for sn := range want {
		inv.Snapshotters = append(inv.Snapshotters, sn)
	}
	sort.Strings(inv.Snapshotters)
	for _, sn := range inv.Snapshotters {
		err := c.c.SnapshotService(sn).Walk(ctx, func(ctx context.Context, info snapshots.Info) error {
			inv.Snapshots = append(inv.Snapshots, backend.Snapshot{
				SnapshotRef: backend.SnapshotRef{Snapshotter: sn, Key: info.Name},
				Parent:      info.Parent, Kind: snapshotKind(info.Kind), Labels: info.Labels,
				Created: info.Created, Updated: info.Updated,
			})
			return nil
		})
		if err != nil {
			if ctx.Err() != nil || errdefs.IsUnavailable(err) {
				return inv, c.translate(err, "list the snapshots of "+sn)
			}
			inv.SnapshotterErrs[sn] = c.translate(err, "list the snapshots of "+sn).Error()
		}
	}

	ls := c.c.LeasesService()
	all, err := ls.List(ctx)
	if err != nil {
		return inv, c.translate(err, "list the leases of namespace "+ns)
	}
	for _, l := range all {
		bl := backend.Lease{ID: l.ID, CreatedAt: l.CreatedAt, Labels: l.Labels}
		rs, err := ls.ListResources(ctx, l)
		if err != nil && !errdefs.IsNotFound(err) {
			return inv, c.translate(err, "list what lease "+l.ID+" holds")
		}
		for _, r := range rs {
			bl.Resources = append(bl.Resources, backend.LeaseResource{Type: r.Type, ID: r.ID})
		}
		inv.Leases = append(inv.Leases, bl)
	}
	return inv, nil
}

func snapshotKind(k snapshots.Kind) backend.SnapshotKind {
	switch k {
	case snapshots.KindActive:
		return backend.SnapshotActive
	case snapshots.KindView:
		return backend.SnapshotView
	}
	return backend.SnapshotCommitted
}

// SnapshotUsage is `ctr snapshots usage` for one snapshot. Committed ones
// are cached for the life of the Client. What stops the measure (a
// snapshotter without usage, a removed snapshot, a permission) comes back
// as a reason; only a lost daemon or an ended ctx is an error.
func (c *Client) SnapshotUsage(ctx context.Context, ns string, ref backend.SnapshotRef, kind backend.SnapshotKind) (backend.DiskUsage, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	key := usageKey{ns: ns, ref: ref}
	if kind == backend.SnapshotCommitted {
		c.mu.Lock()
		u, ok := c.usage[key]
		c.mu.Unlock()
		if ok {
			return u, nil
		}
	}
	u, err := c.c.SnapshotService(ref.Snapshotter).Usage(ctx, ref.Key)
	switch {
	case err == nil:
		out := backend.DiskUsage{Size: u.Size, Inodes: u.Inodes, Known: true}
		if kind == backend.SnapshotCommitted {
			c.mu.Lock()
			c.usage[key] = out
			c.mu.Unlock()
		}
		return out, nil
	case ctx.Err() != nil || errdefs.IsUnavailable(err):
		return backend.DiskUsage{}, c.translate(err, "measure snapshot "+ref.String())
	case errdefs.IsNotImplemented(err):
		return backend.DiskUsage{Reason: "snapshotter " + ref.Snapshotter + " does not report usage"}, nil
	case errdefs.IsNotFound(err):
		return backend.DiskUsage{Reason: "removed meanwhile"}, nil
	}
	return backend.DiskUsage{Reason: c.translate(err, "measure snapshot "+ref.String()).Error()}, nil
}

// ContainerdRoots are the directories of the content store and of each
// snapshotter that loaded, as their plugins export them (`ctr plugins ls -d`),
// and the runtime's state directory when its plugin exports one.
func (c *Client) ContainerdRoots(ctx context.Context) ([]backend.DiskRoot, error) {
	ps, err := c.plugins(ctx)
	if err != nil {
		return nil, err
	}
	var out []backend.DiskRoot
	for _, p := range ps {
		if p.State != backend.PluginOK {
			continue
		}
		switch {
		case p.Type == "io.containerd.content.v1" && p.Exports["root"] != "":
			out = append(out, backend.DiskRoot{What: "content", Path: p.Exports["root"]})
		case p.Type == "io.containerd.snapshotter.v1" && p.Exports["root"] != "":
			out = append(out, backend.DiskRoot{What: "snapshotter " + p.ID, Path: p.Exports["root"]})
		case strings.HasPrefix(p.Type, "io.containerd.runtime.v2") && p.Exports["state"] != "":
			out = append(out, backend.DiskRoot{What: "state", Path: p.Exports["state"]})
		}
	}
	return out, nil
}

// gcSync runs containerd's garbage collection and waits for it: a lease
// created and deleted at once with SynchronousDelete, which is what
// `ctr leases rm --sync` does.
func (c *Client) gcSync(ctx context.Context) error {
	ls := c.c.LeasesService()
	l, err := ls.Create(ctx, leases.WithRandomID(), leases.WithExpiration(time.Minute), leases.WithLabel("ctui.action", "gc"))
	if err != nil {
		return c.translate(err, "collect garbage: create a lease")
	}
	if err := ls.Delete(ctx, l, leases.SynchronousDelete); err != nil {
		return c.translate(err, "collect garbage")
	}
	return nil
}

// pruneTimeout bounds a prune: many removals and a garbage collection.
const pruneTimeout = 5 * time.Minute

// PruneImages removes the planned images of ns that still stand unused. It
// lists the images and containers again first: a name that moved to another
// target is left alone, and an image a container now uses is skipped and
// named, never removed. One synchronous garbage collection ends it.
func (c *Client) PruneImages(ctx context.Context, ns string, remove []backend.PruneImage) (backend.PruneResult, error) {
	var res backend.PruneResult
	imgs, err := c.Images(ctx, ns)
	if err != nil {
		return res, err
	}
	ctrs, err := c.Containers(ctx, ns)
	if err != nil {
		return res, err
	}
	target := map[string]string{}
	for _, im := range imgs {
		target[im.Name] = im.Digest
	}
	users := map[string]string{}
	for _, ct := range ctrs {
		if t, ok := target[ct.Image]; ok && users[t] == "" {
			users[t] = ct.ID
		}
	}
	ctx, cancel := context.WithTimeout(opsContext(ctx, ns), pruneTimeout)
	defer cancel()
	is := c.c.ImageService()
	for _, pi := range remove {
		if u := users[pi.Target]; u != "" {
			res.Skipped = append(res.Skipped, backend.PruneSkip{What: "image " + pi.Names[0],
				Reason: "container " + u + " uses it since the preview"})
			continue
		}
		for _, n := range pi.Names {
			t, ok := target[n]
			switch {
			case !ok:
				continue // removed meanwhile
			case t != pi.Target:
				res.Skipped = append(res.Skipped, backend.PruneSkip{What: "image " + n, Reason: "it names another image since the preview"})
				continue
			}
			if err := is.Delete(ctx, n); err != nil && !errdefs.IsNotFound(err) {
				if ctx.Err() != nil || errdefs.IsUnavailable(err) {
					return res, c.translate(err, "prune images: remove "+n)
				}
				res.Failed = append(res.Failed, backend.PruneSkip{What: "image " + n, Reason: c.translate(err, "remove "+n).Error()})
				continue
			}
			res.Removed = append(res.Removed, "image "+n)
		}
	}
	if err := c.gcSync(ctx); err != nil {
		return res, err
	}
	res.GC = true
	return res, nil
}

// PruneContent deletes the plan's leases and aborts its ingests, each
// checked again against the stores now: a lease that is gone is passed
// over, one whose ingests moved since the plan (a pull that came back to
// life) is skipped and named. Then one synchronous garbage collection takes
// what they held and every blob and snapshot nothing holds.
func (c *Client) PruneContent(ctx context.Context, ns string, plan backend.PruneContentPlan, now time.Time) (backend.PruneResult, error) {
	var res backend.PruneResult
	ctx, cancel := context.WithTimeout(opsContext(ctx, ns), pruneTimeout)
	defer cancel()
	cs := c.c.ContentStore()
	sts, err := cs.ListStatuses(ctx)
	if err != nil {
		return res, c.translate(err, "prune content: list the open ingests")
	}
	ingest := map[string]content.Status{}
	for _, st := range sts {
		ingest[st.Ref] = st
	}
	moved := func(ref string) bool {
		st, ok := ingest[ref]
		return ok && now.Sub(st.UpdatedAt) < plan.StaleAge
	}
	ls := c.c.LeasesService()
	current, err := ls.List(ctx)
	if err != nil {
		return res, c.translate(err, "prune content: list the leases")
	}
	exists := map[string]leases.Lease{}
	for _, l := range current {
		exists[l.ID] = l
	}
	var abort []string
	for _, pl := range plan.Leases {
		l, ok := exists[pl.ID]
		if !ok {
			continue
		}
		rs, err := ls.ListResources(ctx, l)
		if err != nil && !errdefs.IsNotFound(err) {
			return res, c.translate(err, "prune content: list what lease "+pl.ID+" holds")
		}
		var refs []string
		skip := false
		for _, r := range rs {
			if r.Type == "ingests" {
				refs = append(refs, r.ID)
				if moved(r.ID) && !strings.HasPrefix(pl.Reason, "expired") {
					skip = true
				}
			}
		}
		if skip {
			res.Skipped = append(res.Skipped, backend.PruneSkip{What: "lease " + pl.ID, Reason: "its download moved since the preview"})
			continue
		}
		if err := ls.Delete(ctx, l); err != nil && !errdefs.IsNotFound(err) {
			if ctx.Err() != nil || errdefs.IsUnavailable(err) {
				return res, c.translate(err, "prune content: remove lease "+pl.ID)
			}
			res.Failed = append(res.Failed, backend.PruneSkip{What: "lease " + pl.ID, Reason: c.translate(err, "remove lease "+pl.ID).Error()})
			continue
		}
		res.Removed = append(res.Removed, "lease "+pl.ID)
		abort = append(abort, refs...)
	}
	for _, in := range plan.Ingests {
		if moved(in.Ref) {
			res.Skipped = append(res.Skipped, backend.PruneSkip{What: "ingest " + in.Ref, Reason: "it moved since the preview"})
			continue
		}
		abort = append(abort, in.Ref)
	}
	for _, ref := range abort {
		if _, ok := ingest[ref]; !ok {
			continue
		}
		if err := cs.Abort(ctx, ref); err != nil && !errdefs.IsNotFound(err) {
			res.Failed = append(res.Failed, backend.PruneSkip{What: "ingest " + ref, Reason: c.translate(err, "abort ingest "+ref).Error()})
			continue
		}
		res.Removed = append(res.Removed, "ingest "+ref)
	}
	if err := c.gcSync(ctx); err != nil {
		return res, err
	}
	res.GC = true
	return res, nil
}

// RemoveLease deletes one lease, as `ctr leases rm [--sync]`. What it held
// goes at the next garbage collection (at once with Sync).
func (c *Client) RemoveLease(ctx context.Context, ns string, o backend.LeaseRemoveOptions) error {
	ctx, cancel := c.call(opsContext(ctx, ns), ns)
	defer cancel()
	var opts []leases.DeleteOpt
	if o.Sync {
		opts = append(opts, leases.SynchronousDelete)
	}
	err := c.c.LeasesService().Delete(ctx, leases.Lease{ID: o.ID}, opts...)
	if errdefs.IsNotFound(err) {
		return backend.Errorf(backend.ErrNotFound, "remove lease %s: there is no such lease in namespace %s (removed meanwhile?)", o.ID, ns)
	}
	if err != nil {
		return c.translate(err, "remove lease "+o.ID)
	}
	return nil
}
