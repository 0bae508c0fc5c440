package cri

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
)

// BenchmarkPodContainers measures the list plus the per-container status
// fan-out on a pod of 100 running containers (one shim: runc's v2 shim
// groups a pod's containers), against each containerd version.
func BenchmarkPodContainers(b *testing.B) {
	const n = 100
	for _, v := range testbed.Versions() {
		b.Run(string(v), func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			d := testbed.Start(b, v)
			spec := testbed.PodSpec{Name: "many"}
			for i := range n {
				spec.Containers = append(spec.Containers, testbed.ContainerSpec{
					Name: fmt.Sprintf("c%03d", i), Command: []string{"sleep", "3600"}})
			}
			if _, _, err := d.RunPod(ctx, spec); err != nil {
				b.Fatal(err)
			}
			c, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ResetTimer()
			for b.Loop() {
				ctrs, err := c.PodContainers(ctx)
				if err != nil || len(ctrs) != n {
					b.Fatalf("%d containers, %v", len(ctrs), err)
				}
			}
		})
	}
}

// TestSeparateImageEndpoint points the runtime and image endpoints at two
// daemons and checks that each call goes where crictl would send it.
func TestSeparateImageEndpoint(t *testing.T) {
	rt, img := testbed.Start(t, testbed.V16), testbed.Start(t, testbed.V2)
	ctx := context.Background()
	c, err := New(ctx, backend.Config{RuntimeEndpoint: rt.Endpoint, ImageEndpoint: img.Socket})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.imageConn == c.runtimeConn {
		t.Error("two endpoints share one connection")
	}
	if r, i := c.Endpoints(); r != rt.Endpoint || i != img.Endpoint {
		t.Errorf("endpoints %s %s", r, i)
	}
	ver, err := c.Version(ctx)
	if err != nil || !strings.HasPrefix(ver.RuntimeVersion, "1.6.") {
		t.Errorf("version from the runtime endpoint: %+v %v", ver, err)
	}
	fs, err := c.ImageFsInfo(ctx)
	if err != nil || len(fs) == 0 || !strings.HasPrefix(fs[0].Mountpoint, img.Dir+"/") {
		t.Errorf("image filesystem from the image endpoint: %+v %v, want under %s", fs, err, img.Dir)
	}

	same, err := New(ctx, backend.Config{RuntimeEndpoint: rt.Socket, ImageEndpoint: rt.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	defer same.Close()
	if same.imageConn != same.runtimeConn {
		t.Error("a bare path and its unix:// form did not share one connection")
	}
}
