package backend

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

type countingLister struct {
	calls atomic.Int32
	delay time.Duration
}

func (c *countingLister) Images(ctx context.Context, ns string) ([]Image, error) {
	c.calls.Add(1)
	time.Sleep(c.delay)
	return []Image{{Name: ns + "/img"}}, nil
}

func (c *countingLister) ImageDetails(ctx context.Context, ns string, img Image) (ImageDetails, error) {
	return ImageDetails{Size: 1}, nil
}

func TestPrefetchImages(t *testing.T) {
	l := &countingLister{delay: 20 * time.Millisecond}
	p := PrefetchImages(context.Background(), l, "default", time.Second)
	pl := p.Lister(l)
	// The first call for the namespace takes the prefetched answer.
	imgs, err := pl.Images(context.Background(), "default")
	if err != nil || len(imgs) != 1 || l.calls.Load() != 1 {
		t.Fatalf("first call: %v %v, %d daemon calls", imgs, err, l.calls.Load())
	}
	// Later calls, and other namespaces, ask the daemon again.
	if _, err := pl.Images(context.Background(), "default"); err != nil || l.calls.Load() != 2 {
		t.Fatalf("second call made %d daemon calls", l.calls.Load())
	}
	if imgs, _ := pl.Images(context.Background(), "other"); imgs[0].Name != "other/img" || l.calls.Load() != 3 {
		t.Fatalf("other namespace: %v, %d calls", imgs, l.calls.Load())
	}
	if d, _ := pl.ImageDetails(context.Background(), "default", Image{}); d.Size != 1 {
		t.Fatal("ImageDetails not passed through")
	}
}

func TestPrefetchImagesCanceledWait(t *testing.T) {
	l := &countingLister{delay: time.Second}
	p := PrefetchImages(context.Background(), l, "default", 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := p.Lister(l).Images(ctx, "default"); err == nil {
		t.Fatal("a waiter whose ctx ends must not wait for the prefetch")
	}
}
