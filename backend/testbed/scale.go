package testbed

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
)

// ScaleLabel marks the images and containers SeedScale creates.
const ScaleLabel = "ctui.testbed/scale"

// ScaleImageName is the name of the i-th image SeedScale creates, so a
// benchmark can look one up without listing.
func ScaleImageName(i int) string { return fmt.Sprintf("localhost/scale/app-%05d:v1", i) }

// ScaleContainerID is the id of the i-th container SeedScale creates.
func ScaleContainerID(i int) string { return fmt.Sprintf("scale-%05d", i) }

// SeedScale fills namespace ns of the containerd at address with nImages
// image names and nContainers containers, for benchmarks at thousands of
// objects. It stays cheap: every name points at BusyboxImage's target
// (imported into ns first if missing), and containers get a spec but no
// snapshot and no task. Objects that already exist are left as they are.
func SeedScale(ctx context.Context, address, ns string, nImages, nContainers int) error {
	c, err := containerd.New(address, containerd.WithTimeout(10*time.Second))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", address, err)
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	is := c.ImageService()
	base, err := is.Get(ctx, BusyboxImage)
	if errdefs.IsNotFound(err) {
		var buf bytes.Buffer
		if err = ImageLayoutTar(&buf); err != nil {
			return err
		}
		if _, err = c.Import(ctx, &buf); err != nil {
			return fmt.Errorf("import test images into %s: %w", ns, err)
		}
		base, err = is.Get(ctx, BusyboxImage)
	}
	if err != nil {
		return fmt.Errorf("seed %s: %w", ns, err)
	}
	labels := map[string]string{ScaleLabel: "true"}
	err = parallel(ctx, nImages, func(ctx context.Context, i int) error {
		_, err := is.Create(ctx, images.Image{Name: ScaleImageName(i), Target: base.Target, Labels: labels})
		if errdefs.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("seed images in %s: %w", ns, err)
	}
	spec, err := oci.GenerateSpec(ctx, nil, &containers.Container{ID: "scale"}, oci.WithProcessArgs("sh"))
	if err != nil {
		return err
	}
	err = parallel(ctx, nContainers, func(ctx context.Context, i int) error {
		_, err := c.NewContainer(ctx, ScaleContainerID(i),
			containerd.WithImageName(BusyboxImage),
			containerd.WithRuntime(runcRuntime, nil),
			containerd.WithContainerLabels(labels),
			containerd.WithSpec(spec),
		)
		if errdefs.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("seed containers in %s: %w", ns, err)
	}
	return nil
}

// parallel runs f for 0..n-1 on 8 workers and returns the first error.
func parallel(parent context.Context, n int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for range min(8, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return parent.Err()
}
