package containerd

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
)

// PushImage pushes the image o.Local (o.Ref when empty) of namespace ns to
// the registry reference o.Ref, as `ctr images push` does on the client side
// (remotes.PushContent through the resolver of backend/registry, so hosts.toml
// and credentials apply as for a pull). All platforms the image has are
// pushed unless o.Platform picks one manifest of its index, as ctr's
// --platform does.
//
// Progress is per blob: the bytes the pusher has read from the content store
// for it, which is what it has sent; a blob the registry already has is
// never read and shows as "exists".
func (c *Client) PushImage(ctx context.Context, ns string, o backend.PushOptions, progress backend.ProgressFunc) (backend.PushResult, error) {
	local := o.Local
	if local == "" {
		local = o.Ref
	}
	what := "push " + local + " to " + o.Ref
	ctx = opsContext(ctx, ns)
	res, err := registry.Resolve(ctx, o.Ref, opsRegistryOptions(o.Registry))
	if err != nil {
		return backend.PushResult{}, err
	}
	what = "push " + local + " to " + res.Ref
	img, err := c.lookupImage(ctx, local)
	if err != nil {
		return backend.PushResult{}, c.imageLookupError(err, what, local, ns)
	}
	cs := c.c.ContentStore()
	desc := img.Target
	if o.Platform != "" {
		p, err := platforms.Parse(o.Platform)
		if err != nil {
			return backend.PushResult{}, backend.Errorf(backend.ErrInvalid, "%s: platform %q: %v; write it as os/arch[/variant]", what, o.Platform, err)
		}
		if images.IsIndexType(desc.MediaType) {
			manifests, err := images.Children(ctx, cs, desc)
			if err != nil {
				return backend.PushResult{}, c.opsError(ctx, nil, err, what)
			}
			found := false
			m := platforms.NewMatcher(p)
			for _, md := range manifests {
				if md.Platform != nil && m.Match(*md.Platform) {
					desc, found = md, true
					break
				}
			}
			if !found {
				return backend.PushResult{}, backend.Errorf(backend.ErrNotFound, "%s: the image has no manifest for %s", what, o.Platform)
			}
		}
	}

	ref := res.Ref
	if !strings.Contains(ref, "@") {
		// Pin the tag to this digest, as client.Push does.
		ref += "@" + desc.Digest.String()
	}
	pusher, err := res.Resolver.Pusher(ctx, ref)
	if err != nil {
		return backend.PushResult{}, res.Error(err, what)
	}
	tr := &pushTracker{cs: cs, progress: progress, start: time.Now(), index: map[string]int{}}
	stop := tr.run()
	wrapper := func(h images.Handler) images.Handler {
		return images.Handlers(images.HandlerFunc(tr.add), h)
	}
	err = remotes.PushContent(ctx, pusher, desc, tr, nil, platforms.All, wrapper)
	sent := stop(err == nil)
	if err != nil {
		return backend.PushResult{}, c.opsError(ctx, res, err, what)
	}
	return backend.PushResult{Ref: res.Ref, Digest: desc.Digest.String(), Registry: res.Describe(), Bytes: sent}, nil
}

// pushTracker is the content provider the push reads blobs from: it hands
// out the content store's readers and counts what each one has read.
type pushTracker struct {
	cs       content.Store
	progress backend.ProgressFunc
	start    time.Time

	mu    sync.Mutex
	items []backend.ProgressItem
	index map[string]int // digest -> item
	meter backend.RateMeter
	phase string
}

func (t *pushTracker) add(_ context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := desc.Digest.String()
	if _, ok := t.index[d]; !ok {
		t.index[d] = len(t.items)
		t.items = append(t.items, backend.ProgressItem{Kind: opsItemKind(desc.MediaType), Digest: d, Status: backend.StatusWaiting, Total: desc.Size})
	}
	return nil, nil
}

// ReaderAt opens a blob for the pusher and counts its reads.
func (t *pushTracker) ReaderAt(ctx context.Context, desc ocispec.Descriptor) (content.ReaderAt, error) {
	ra, err := t.cs.ReaderAt(ctx, desc)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	d := desc.Digest.String()
	i, ok := t.index[d]
	if !ok {
		i = len(t.items)
		t.index[d] = i
		t.items = append(t.items, backend.ProgressItem{Kind: opsItemKind(desc.MediaType), Digest: d, Total: desc.Size})
	}
	t.items[i].Status = backend.StatusUploading
	t.mu.Unlock()
	return &pushReader{ReaderAt: ra, t: t, i: i}, nil
}

// Info lets PushContent annotate the distribution source, so a registry
// can mount blobs from another repository instead of receiving them.
func (t *pushTracker) Info(ctx context.Context, dgst digest.Digest) (content.Info, error) {
	return t.cs.Info(ctx, dgst)
}

type pushReader struct {
	content.ReaderAt
	t *pushTracker
	i int
}

func (r *pushReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.ReaderAt.ReadAt(p, off)
	r.t.mu.Lock()
	it := &r.t.items[r.i]
	if end := off + int64(n); end > it.Offset {
		it.Offset = end
	}
	if it.Total > 0 && it.Offset >= it.Total {
		it.Status = backend.StatusCommitting
	}
	r.t.mu.Unlock()
	return n, err
}

func (t *pushTracker) snapshot(now time.Time) backend.Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	phase := t.phase
	if phase == "" {
		phase = "pushing"
	}
	p := backend.Progress{Phase: phase, Start: t.start, Now: now, Items: append([]backend.ProgressItem(nil), t.items...)}
	for _, it := range t.items {
		if it.Status == backend.StatusExists {
			continue
		}
		p.Done += it.Offset
		p.Total += it.Total
	}
	p.Rate = t.meter.Observe(now, p.Done)
	return p
}

// run reports progress until stop; stop marks what was never read as
// already in the registry (on success) and returns the bytes sent.
func (t *pushTracker) run() func(ok bool) int64 {
	stopc, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(opsProgressInterval)
		defer tick.Stop()
		for {
			select {
			case <-stopc:
				return
			case <-tick.C:
				t.progress.Report(t.snapshot(time.Now()))
			}
		}
	}()
	return func(ok bool) int64 {
		close(stopc)
		<-finished
		if ok {
			t.mu.Lock()
			for i := range t.items {
				it := &t.items[i]
				if it.Offset == 0 && it.Status == backend.StatusWaiting {
					it.Status = backend.StatusExists
				} else {
					it.Status, it.Offset = backend.StatusDone, it.Total
				}
			}
			t.phase = "done"
			t.mu.Unlock()
		}
		p := t.snapshot(time.Now())
		t.progress.Report(p)
		return p.Done
	}
}
