package backend

import (
	"context"
	"sync/atomic"
	"time"
)

// ImagesPrefetch is the first image list of a namespace, asked for as soon
// as containerd answers rather than once the terminal is set up and the
// first page asks: the daemon works on the list (the bulk of the time to the
// first screen on a node with thousands of images) while the UI starts.
type ImagesPrefetch struct {
	ns   string
	done chan struct{}
	imgs []Image
	err  error
	used atomic.Bool
}

// PrefetchImages starts listing namespace ns on l, bounded by timeout.
func PrefetchImages(ctx context.Context, l ImageLister, ns string, timeout time.Duration) *ImagesPrefetch {
	p := &ImagesPrefetch{ns: ns, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		p.imgs, p.err = l.Images(ctx, ns)
	}()
	return p
}

// Lister is l with its first Images call for the prefetched namespace
// answered by the prefetch; every other call goes to l.
func (p *ImagesPrefetch) Lister(l ImageLister) ImageLister {
	return prefetchedLister{ImageLister: l, p: p}
}

type prefetchedLister struct {
	ImageLister
	p *ImagesPrefetch
}

func (l prefetchedLister) Images(ctx context.Context, ns string) ([]Image, error) {
	if ns != l.p.ns || !l.p.used.CompareAndSwap(false, true) {
		return l.ImageLister.Images(ctx, ns)
	}
	select {
	case <-l.p.done:
		return l.p.imgs, l.p.err
	case <-ctx.Done():
		return nil, Translate(ctx.Err(), Target{API: "containerd"}, "list images in namespace "+ns)
	}
}
