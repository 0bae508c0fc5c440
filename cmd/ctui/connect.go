package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
)

// connect opens both APIs at once, so a slow or missing side costs its own
// timeout and not the sum of both. A side that fails keeps its reason in the
// Backend; the other is still used. With prefetch, the namespace's image list
// is asked for with containerd's Version probe (see backend.ImagesPrefetch);
// the returned prefetch is nil when containerd is unavailable.
//
// A remote node (cfg.Remote) is connected to first; when that fails, both
// sides carry its reason.
func connect(ctx context.Context, cfg backend.Config, prefetch bool, trace *startupTrace, getenv env, debug io.Writer) (*backend.Backend, *backend.ImagesPrefetch) {
	if cfg.Remote != "" && cfg.Transport == nil {
		rc, err := openRemote(ctx, cfg, getenv, debug, ttyFile(os.Stdin) && ttyFile(os.Stderr))
		if err != nil {
			return &backend.Backend{Config: cfg, NativeErr: err, CRIErr: err}, nil
		}
		cfg = rc
		trace.mark("ssh connected, socket found on the node")
	}
	b := &backend.Backend{Config: cfg}
	var first *backend.ImagesPrefetch
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if cfg.Address == "" {
			b.NativeErr = backend.Errorf(backend.ErrNotContainerd, "no containerd socket (%s); images, containers and tasks of containerd's own API are not available", cfg.AddressSource)
			return
		}
		var early func(*containerd.Client)
		if prefetch {
			// The list is asked for with the Version probe, not after it.
			early = func(c *containerd.Client) {
				var l backend.ImageLister = c
				if trace != nil {
					l = tracedLister{ImageLister: c, t: trace}
				}
				first = backend.PrefetchImages(ctx, l, cfg.Namespace, cfg.Timeout)
			}
		}
		c, err := containerd.NewWith(ctx, cfg, early)
		if err != nil {
			b.NativeErr, first = err, nil
			return
		}
		b.Native = c
		trace.mark("containerd connected (version answered)")
	}()
	go func() {
		defer wg.Done()
		c, err := cri.New(ctx, cfg)
		if err != nil {
			b.CRIErr = err
			return
		}
		b.CRI = c
		trace.mark("CRI connected (version answered)")
	}()
	wg.Wait()
	return b, first
}

// tracedLister marks in the trace when the first image list's answer came.
type tracedLister struct {
	backend.ImageLister
	t *startupTrace
}

func (l tracedLister) Images(ctx context.Context, ns string) ([]backend.Image, error) {
	imgs, err := l.ImageLister.Images(ctx, ns)
	l.t.mark(fmt.Sprintf("containerd listed %d images (prefetch)", len(imgs)))
	return imgs, err
}
