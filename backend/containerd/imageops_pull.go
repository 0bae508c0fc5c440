package containerd

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/containerd/v2/core/transfer"
	timage "github.com/containerd/containerd/v2/core/transfer/image"
	tregistry "github.com/containerd/containerd/v2/core/transfer/registry"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
)

// opsProgressInterval is how often progress is polled and reported: ctr's rate.
const opsProgressInterval = 100 * time.Millisecond

// PullImage pulls o.Ref into namespace ns as `ctr images pull` does. The
// registry is resolved by backend/registry (hosts.toml, registries.yaml,
// credentials) and the image is unpacked into the namespace's snapshotter as
// its layers arrive. Progress is per blob.
//
// Two paths lead there. On containerd 2.x the daemon's transfer service does
// the work, as ctr 2.x does by default: blobs go straight from the registry
// into the content store, which on a fast link is twice the throughput of a
// client-side pull. Everywhere else, and on 2.x when the registry setup
// cannot be handed to the daemon (a k3s registries.yaml, SkipVerify) or
// o.Local asks for it, the pull runs on the client side (client.Pull, which
// every daemon from 1.6 on serves and 1.7's transfer service does not match:
// it ignores hosts directories and plain HTTP). Either way the registry is
// asked once from ctui first, so a refused login, a missing tag or a TLS
// problem gets the same sentence.
//
// The reference is normalized (nginx -> docker.io/library/nginx:latest),
// which ctr does not do but CRI and docker do. Canceling ctx ends the pull
// with nothing of it left: the image record is created only at the very end,
// and everything fetched is held by the job's lease, which goes with its
// ingests.
func (c *Client) PullImage(ctx context.Context, ns string, o backend.PullOptions, progress backend.ProgressFunc) (backend.PullResult, error) {
	what := "pull " + o.Ref
	ctx = opsContext(ctx, ns)
	res, err := registry.Resolve(ctx, o.Ref, opsRegistryOptions(o.Registry))
	if err != nil {
		return backend.PullResult{}, err
	}
	p := opsPull{c: c, o: o, res: res, what: "pull " + res.Ref}
	what = p.what
	switch {
	case o.AllPlatforms:
		p.matcher = platforms.All
	case len(o.Platforms) > 0:
		if p.specs, err = platforms.ParseAll(o.Platforms); err != nil {
			return backend.PullResult{}, backend.Errorf(backend.ErrInvalid, "%s: %v; write platforms as os/arch[/variant], e.g. linux/arm64", what, err)
		}
		p.matcher = platforms.Ordered(p.specs...)
	default:
		p.matcher = platforms.Default()
	}
	if !o.NoUnpack {
		if p.snapshotter, err = c.opsSnapshotter(ctx, o.Snapshotter); err != nil {
			return backend.PullResult{}, c.opsError(ctx, nil, err, what)
		}
	}
	// Ask the registry from here first: its failures come back typed, so
	// res.Error can name the host, the user and the file to change. The
	// transfer service would report them as flat text.
	if _, _, err := res.Resolver.Resolve(ctx, res.Ref); err != nil {
		return backend.PullResult{}, c.opsError(ctx, res, err, what)
	}

	ctx, lease, err := c.opsStartLease(ctx, "pull")
	if err != nil {
		return backend.PullResult{}, err
	}
	p.tr = newPullTracker(c.c.ContentStore(), progress)
	_, getErr := c.c.ImageService().Get(ctx, res.Ref)
	p.existed = !errdefs.IsNotFound(getErr)

	var img images.Image
	root, plainHTTP, viaTransfer := res.TransferSettings()
	viaTransfer = viaTransfer && !o.Local && c.opsHasTransfer(ctx)
	if viaTransfer {
		p.tr.passive = true
		stop := p.tr.run(ctx)
		img, err = p.transfer(ctx, root, plainHTTP)
		p.fetched = stop(err == nil)
	} else {
		stop := p.tr.run(ctx)
		img, err = p.local(ctx)
		p.fetched = stop(err == nil)
	}
	lease.end(ctx, err != nil, p.tr.refs())
	if err != nil {
		return backend.PullResult{}, c.opsError(ctx, res, err, what)
	}
	out := backend.PullResult{Image: opsImage(img), Registry: res.Describe(), Bytes: p.fetched, Transfer: viaTransfer}
	if !o.NoUnpack {
		out.Snapshotter = p.snapshotter
	}
	return out, nil
}

// opsPull is one pull's settings, shared by its two paths.
type opsPull struct {
	c           *Client
	o           backend.PullOptions
	res         *registry.Resolution
	what        string
	matcher     platforms.MatchComparer
	specs       []ocispec.Platform // as asked; nil for the node's or all
	snapshotter string             // "" when not unpacking
	existed     bool               // the name was there before
	tr          *pullTracker
	fetched     int64
}

// multi reports a pull of several platforms, of which only the node's is
// unpacked.
func (p *opsPull) multi() bool { return p.o.AllPlatforms || len(p.o.Platforms) > 1 }

// local pulls on the client side: client.Pull through a content store that
// pipelines its writes (opsPipeStore), progress from the store's ingests.
func (p *opsPull) local(ctx context.Context) (images.Image, error) {
	c := p.c
	opts := []client.RemoteOpt{
		client.WithResolver(p.res.Resolver),
		client.WithImageHandler(images.HandlerFunc(p.tr.add)),
		client.WithPlatformMatcher(p.matcher),
	}
	if !p.o.NoUnpack && !p.multi() {
		opts = append(opts, client.WithPullUnpack, client.WithPullSnapshotter(p.snapshotter))
	}
	pc, err := c.opsPullClient()
	if err != nil {
		return images.Image{}, err
	}
	img, err := pc.Pull(ctx, p.res.Ref, opts...)
	if err != nil {
		return images.Image{}, err
	}
	if !p.o.NoUnpack && p.multi() {
		// Fetched every platform asked for; unpack only the node's, as
		// a container on this node can only run that one.
		p.tr.phase("unpacking")
		node := client.NewImageWithPlatform(c.c, img.Metadata(), platforms.DefaultStrict())
		err = node.Unpack(ctx, p.snapshotter)
		if errdefs.IsNotFound(err) {
			// The image has no manifest for this node: keep it packed.
			err, p.snapshotter = nil, ""
		}
		if err != nil {
			if !p.existed {
				c.opsDeleteImage(ctx, p.res.Ref)
			}
			return images.Image{}, err
		}
	}
	return img.Metadata(), nil
}

// transfer has the daemon's transfer service pull (containerd 2.x), with
// the hosts directory and default scheme the resolution used and its
// credentials answered from ctui's sources through the service's callback.
// The job's lease travels in ctx, so the daemon holds everything under it.
func (p *opsPull) transfer(ctx context.Context, hostsRoot string, plainHTTP bool) (images.Image, error) {
	ropts := []tregistry.Opt{tregistry.WithCredentials(opsTransferCreds{p.res})}
	if hostsRoot != "" {
		ropts = append(ropts, tregistry.WithHostDir(hostsRoot))
	}
	if plainHTTP {
		ropts = append(ropts, tregistry.WithDefaultScheme("http"))
	}
	reg, err := tregistry.NewOCIRegistry(ctx, p.res.Ref, ropts...)
	if err != nil {
		return images.Image{}, err
	}
	var sopts []timage.StoreOpt
	unpackOn := platforms.DefaultSpec()
	switch {
	case p.o.AllPlatforms:
		sopts = append(sopts, timage.WithPlatforms()) // none listed: all
	case len(p.specs) > 0:
		sopts = append(sopts, timage.WithPlatforms(p.specs...))
		if len(p.specs) == 1 {
			unpackOn = p.specs[0]
		}
	default:
		sopts = append(sopts, timage.WithPlatforms(unpackOn))
	}
	if !p.o.NoUnpack {
		sopts = append(sopts, timage.WithUnpack(unpackOn, p.snapshotter))
	}
	store := timage.NewStore(p.res.Ref, sopts...)
	if err := p.c.c.Transfer(ctx, reg, store, transfer.WithProgress(p.tr.event)); err != nil {
		return images.Image{}, err
	}
	return p.c.c.ImageService().Get(ctx, p.res.Ref)
}

// opsTransferCreds answers the transfer service's credential callbacks.
type opsTransferCreds struct{ res *registry.Resolution }

func (t opsTransferCreds) GetCredentials(_ context.Context, _, host string) (tregistry.Credentials, error) {
	user, secret, err := t.res.Credentials(host)
	if err != nil {
		return tregistry.Credentials{}, err
	}
	return tregistry.Credentials{Host: host, Username: user, Secret: secret}, nil
}

// opsHasTransfer reports a daemon whose transfer service ctui trusts: 2.0
// or later. (1.7 has one, but it ignores hosts directories and plain HTTP.)
func (c *Client) opsHasTransfer(ctx context.Context) bool {
	v, err := c.version(ctx)
	if err != nil {
		return false
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(v.Version, "v"), ".")
	n, err := strconv.Atoi(major)
	return err == nil && n >= 2
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

	// passive: the transfer service reports progress (event); the
	// poller only passes it on.
	passive bool

	mu     sync.Mutex
	descs  []ocispec.Descriptor
	keys   []string
	seen   map[string]int // ingest key -> item index (-1 from transfer events)
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

// event takes a progress event of the transfer service: per blob, keyed
// like ctr's ingests, "waiting", "downloading", "complete", "already
// exists", then "extracting" and "extracted" while it unpacks; without a
// descriptor, a sentence about the whole pull.
func (t *pullTracker) event(ev transfer.Progress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ev.Desc == nil || ev.Name == "" {
		switch {
		case strings.HasPrefix(ev.Event, "Resolving"):
			t.phaseN = "resolving"
		case strings.HasPrefix(ev.Event, "Pulling"), strings.HasPrefix(ev.Event, "fetching"):
			t.phaseN = "fetching"
		}
		return
	}
	// The service names the root both by the image reference and by its
	// ingest key: one item per digest, every name kept for abort.
	if _, ok := t.seen[ev.Name]; !ok {
		t.seen[ev.Name] = -1
		t.keys = append(t.keys, ev.Name)
	}
	i := -1
	for j := range t.descs {
		if t.descs[j].Digest == ev.Desc.Digest {
			i = j
			break
		}
	}
	if i < 0 {
		i = len(t.descs)
		t.descs = append(t.descs, *ev.Desc)
		t.items = append(t.items, backend.ProgressItem{
			Kind: opsItemKind(ev.Desc.MediaType), Digest: ev.Desc.Digest.String(), Status: backend.StatusWaiting, Total: ev.Desc.Size,
		})
	}
	it := &t.items[i]
	switch ev.Event {
	case "waiting":
	case "complete", "extracted":
		it.Status, it.Offset = backend.StatusDone, it.Total
	case "already exists":
		it.Status, it.Offset = backend.StatusExists, it.Total
	case "extracting":
		it.Status, it.Offset = backend.StatusExtracting, it.Total
		t.phaseN = "unpacking"
	default: // "downloading", the service's transfer state
		it.Status, it.Offset = backend.StatusDownloading, ev.Progress
		if ev.Total > 0 {
			it.Total = ev.Total
		}
	}
	if t.phaseN == "resolving" {
		t.phaseN = "fetching"
	}
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
	if t.passive {
		t.progress.Report(t.snapshot(time.Now()))
		return
	}
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
