package containerd

import (
	"context"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
)

// opsProgressInterval is how often progress is polled and reported: ctr's rate.
const opsProgressInterval = 100 * time.Millisecond

// PullImage pulls o.Ref into namespace ns the way `ctr images pull` does on
// any daemon from 1.6 on (client.Pull, not the transfer service, which 1.6
// lacks and 1.7 runs without hosts.toml): the registry is resolved by
// backend/registry (hosts.toml, registries.yaml, credentials), the image is
// unpacked into the namespace's snapshotter while it downloads, and progress
// per blob is read from the content store's ingests every 100 ms as ctr
// reads it.
//
// The reference is normalized (nginx -> docker.io/library/nginx:latest),
// which ctr does not do but CRI and docker do. Canceling ctx ends the pull
// with nothing of it left: the image record is created only at the very end,
// and the job's lease and ingests are removed.
func (c *Client) PullImage(ctx context.Context, ns string, o backend.PullOptions, progress backend.ProgressFunc) (backend.PullResult, error) {
	what := "pull " + o.Ref
	ctx = opsContext(ctx, ns)
	res, err := registry.Resolve(ctx, o.Ref, opsRegistryOptions(o.Registry))
	if err != nil {
		return backend.PullResult{}, err
	}
	what = "pull " + res.Ref
	out := backend.PullResult{}

	var matcher platforms.MatchComparer
	multi := o.AllPlatforms || len(o.Platforms) > 1
	switch {
	case o.AllPlatforms:
		matcher = platforms.All
	case len(o.Platforms) > 0:
		ps, err := platforms.ParseAll(o.Platforms)
		if err != nil {
			return out, backend.Errorf(backend.ErrInvalid, "%s: %v; write platforms as os/arch[/variant], e.g. linux/arm64", what, err)
		}
		matcher = platforms.Ordered(ps...)
	default:
		matcher = platforms.Default()
	}
	snapshotter := ""
	if !o.NoUnpack {
		if snapshotter, err = c.opsSnapshotter(ctx, o.Snapshotter); err != nil {
			return out, c.opsError(ctx, nil, err, what)
		}
	}

	ctx, lease, err := c.opsStartLease(ctx, "pull")
	if err != nil {
		return out, err
	}
	tr := newPullTracker(c.c.ContentStore(), progress)
	stop := tr.run(ctx)

	opts := []client.RemoteOpt{
		client.WithResolver(res.Resolver),
		client.WithImageHandler(images.HandlerFunc(tr.add)),
		client.WithPlatformMatcher(matcher),
	}
	if !o.NoUnpack && !multi {
		opts = append(opts, client.WithPullUnpack, client.WithPullSnapshotter(snapshotter))
	}
	_, getErr := c.c.ImageService().Get(ctx, res.Ref)
	pc, err := c.opsPullClient()
	if err != nil {
		stop(false)
		lease.end(ctx, true, nil)
		return out, c.opsError(ctx, nil, err, what)
	}
	img, err := pc.Pull(ctx, res.Ref, opts...)
	if err == nil && !o.NoUnpack && multi {
		// Fetched every platform asked for; unpack only the node's, as
		// a container on this node can only run that one.
		tr.phase("unpacking")
		node := client.NewImageWithPlatform(c.c, img.Metadata(), platforms.DefaultStrict())
		err = node.Unpack(ctx, snapshotter)
		if errdefs.IsNotFound(err) {
			// The image has no manifest for this node: keep it packed.
			err, snapshotter = nil, ""
		}
		if err != nil && errdefs.IsNotFound(getErr) {
			c.opsDeleteImage(ctx, res.Ref)
		}
	}
	fetched := stop(err == nil)
	failed := err != nil
	lease.end(ctx, failed, tr.refs())
	if failed {
		return out, c.opsError(ctx, res, err, what)
	}
	out.Image = opsImage(img.Metadata())
	out.Registry = res.Describe()
	out.Bytes = fetched
	if !o.NoUnpack {
		out.Snapshotter = snapshotter
	}
	return out, nil
}

// opsDeleteImage removes an image record the failed job itself created.
func (c *Client) opsDeleteImage(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opsCleanupTimeout)
	defer cancel()
	_ = c.c.ImageService().Delete(ctx, name)
}

// pullTracker is ctr's ShowProgress without the terminal: the image handler
// adds each descriptor the pull walks; a poller reads the content store's
// active ingests (keyed manifest-/index-/layer-/config-<digest> by
// remotes.MakeRefKey) for bytes in flight and Info for the ones finished,
// which tells "done" (written during this pull) from "exists".
type pullTracker struct {
	cs       content.Store
	progress backend.ProgressFunc
	start    time.Time

	mu     sync.Mutex
	descs  []ocispec.Descriptor
	keys   []string
	seen   map[string]int // key -> index
	items  []backend.ProgressItem
	phaseN string
	meter  backend.RateMeter
}

func newPullTracker(cs content.Store, progress backend.ProgressFunc) *pullTracker {
	return &pullTracker{cs: cs, progress: progress, start: time.Now(), seen: map[string]int{}, phaseN: "resolving"}
}

// add is the image handler: it sees every descriptor the pull dispatches.
func (t *pullTracker) add(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	key := remotes.MakeRefKey(ctx, desc)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.phaseN == "resolving" {
		t.phaseN = "fetching"
	}
	if _, ok := t.seen[key]; ok {
		return nil, nil
	}
	t.seen[key] = len(t.descs)
	t.descs = append(t.descs, desc)
	t.keys = append(t.keys, key)
	t.items = append(t.items, backend.ProgressItem{
		Kind: opsItemKind(desc.MediaType), Digest: desc.Digest.String(), Status: backend.StatusWaiting, Total: desc.Size,
	})
	return nil, nil
}

func (t *pullTracker) phase(p string) {
	t.mu.Lock()
	t.phaseN = p
	t.mu.Unlock()
}

// refs are the ingest keys of everything the pull walked, for abort.
func (t *pullTracker) refs() map[string]struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]struct{}, len(t.keys))
	for _, k := range t.keys {
		out[k] = struct{}{}
	}
	return out
}

// run polls until the returned stop is called; stop reports a last snapshot
// (every item done when ok) and returns the bytes fetched.
func (t *pullTracker) run(ctx context.Context) func(ok bool) int64 {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(opsProgressInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				t.poll(ctx)
			}
		}
	}()
	return func(ok bool) int64 {
		close(done)
		<-finished
		if ok {
			t.poll(ctx)
			t.mu.Lock()
			for i := range t.items {
				if !t.items[i].Status.Finished() {
					t.items[i].Status = backend.StatusDone
					t.items[i].Offset = t.items[i].Total
				}
			}
			t.phaseN = "done"
			t.mu.Unlock()
		}
		p := t.snapshot(time.Now())
		t.progress.Report(p)
		return p.Done
	}
}

func (t *pullTracker) poll(ctx context.Context) {
	active := map[string]content.Status{}
	if sts, err := t.cs.ListStatuses(ctx); err == nil {
		for _, st := range sts {
			active[st.Ref] = st
		}
	}
	t.mu.Lock()
	descs := append([]ocispec.Descriptor(nil), t.descs...)
	keys := append([]string(nil), t.keys...)
	var check []int
	for i, k := range keys {
		it := &t.items[i]
		if st, ok := active[k]; ok {
			it.Status, it.Offset = backend.StatusDownloading, st.Offset
			if st.Total > 0 {
				it.Total = st.Total
			}
			continue
		}
		if !it.Status.Finished() {
			check = append(check, i)
		}
	}
	t.mu.Unlock()

	// Info outside the lock: the pull's handler must not wait on it.
	type found struct {
		i      int
		status backend.ItemStatus
		size   int64
	}
	var results []found
	for _, i := range check {
		info, err := t.cs.Info(ctx, descs[i].Digest)
		switch {
		case errdefs.IsNotFound(err):
			continue // not started, or between ingest and commit
		case err != nil:
			continue
		case info.CreatedAt.After(t.start):
			results = append(results, found{i, backend.StatusDone, info.Size})
		default:
			results = append(results, found{i, backend.StatusExists, info.Size})
		}
	}
	t.mu.Lock()
	for _, r := range results {
		it := &t.items[r.i]
		it.Status, it.Offset, it.Total = r.status, r.size, r.size
	}
	t.mu.Unlock()
	t.progress.Report(t.snapshot(time.Now()))
}

// snapshot is the progress now. Items that already existed count toward
// neither Done nor Total: only bytes that move do.
func (t *pullTracker) snapshot(now time.Time) backend.Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := backend.Progress{Phase: t.phaseN, Start: t.start, Now: now, Items: append([]backend.ProgressItem(nil), t.items...)}
	for _, it := range t.items {
		if it.Status == backend.StatusExists {
			continue
		}
		p.Done += it.Offset
		p.Total += it.Total
	}
	if p.Phase == "fetching" && len(t.items) > 0 && p.Done >= p.Total {
		allDone := true
		for _, it := range t.items {
			allDone = allDone && it.Status.Finished()
		}
		if allDone {
			p.Phase = "unpacking"
		}
	}
	p.Rate = t.meter.Observe(now, p.Done)
	return p
}
