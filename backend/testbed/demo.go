package testbed

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
)

// Demo is what SeedDemo put on a daemon, for tests and screens that want a
// node with a bit of everything.
type Demo struct {
	// Namespaces seeded: default, k8s.io, example.
	Namespaces []string
	// ExampleTags are extra names of the busybox image in namespace example.
	ExampleTags []string
	// TickerTask is a running native task in default that prints "tick N"
	// every second to TickerLog; DoneTask has exited 0 after one line.
	TickerTask, DoneTask string
	TickerLog            string
	// LoggerPod runs LoggingPod; LoggerContainer is its container.
	LoggerPod, LoggerContainer string
	// CrashPod runs CrashLoopPod, in Kubernetes namespace "jobs";
	// CrashAttempts are its container's ids, attempt 0 first; all but the
	// last have exited with CrashExitCode.
	CrashPod      string
	CrashAttempts []string
}

// Names of the demo's objects.
const (
	DemoNamespace  = "example"
	DemoTickerTask = "ticker"
	DemoDoneTask   = "hello"
	DemoLoggerPod  = "web"
	DemoCrashPod   = "crashy"
	demoCrashK8sNS = "jobs"
)

// String summarizes the demo for a terminal.
func (d *Demo) String() string {
	return fmt.Sprintf("namespaces %v; tasks %s, %s (log %s); pods %s, %s (%d attempts)",
		d.Namespaces, d.TickerTask, d.DoneTask, d.TickerLog, d.LoggerPod, d.CrashPod, len(d.CrashAttempts))
}

// SeedDemo gives the daemon a small, lively node: the test images in default,
// k8s.io and example (with extra tags there), a running and an exited native
// task in default, a logging pod and a crash-looping pod restarted twice
// (when CRI is enabled). `make demo` shows this. It returns what it made.
func (d *Daemon) SeedDemo(ctx context.Context) (*Demo, error) {
	demo := &Demo{
		Namespaces:  []string{"default", "k8s.io", DemoNamespace},
		ExampleTags: []string{"localhost/example/app:v1", "localhost/example/app:v2", "docker.io/library/busybox:1.36"},
		TickerTask:  DemoTickerTask,
		DoneTask:    DemoDoneTask,
		TickerLog:   filepath.Join(d.Dir, "logs", DemoTickerTask+".log"),
	}
	for _, ns := range demo.Namespaces {
		if err := d.ImportTestImages(ctx, ns); err != nil {
			return nil, err
		}
	}
	if err := d.tag(ctx, DemoNamespace, BusyboxImage, demo.ExampleTags...); err != nil {
		return nil, err
	}
	if err := d.RunTask(ctx, "default", DemoTickerTask, BusyboxImage, demo.TickerLog,
		"sh", "-c", `i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done`); err != nil {
		return nil, err
	}
	if err := d.RunTask(ctx, "default", DemoDoneTask, BusyboxImage, filepath.Join(d.Dir, "logs", DemoDoneTask+".log"),
		"echo", "hello from a task that is done"); err != nil {
		return nil, err
	}
	if !d.CRI {
		return demo, nil
	}
	podID, ids, err := d.RunPod(ctx, LoggingPod(DemoLoggerPod))
	if err != nil {
		return nil, err
	}
	demo.LoggerPod, demo.LoggerContainer = podID, ids[0]
	crash := CrashLoopPod(DemoCrashPod)
	crash.Namespace = demoCrashK8sNS
	podID, ids, err = d.RunPod(ctx, crash)
	if err != nil {
		return nil, err
	}
	demo.CrashPod = podID
	if demo.CrashAttempts, err = d.CrashLoop(ctx, ids[0], 2); err != nil {
		return nil, err
	}
	return demo, nil
}

// tag gives the image named ref in ns more names, as `ctr images tag` does.
func (d *Daemon) tag(ctx context.Context, ns, ref string, names ...string) error {
	c, err := d.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	is := c.ImageService()
	img, err := is.Get(ctx, ref)
	if err != nil {
		return fmt.Errorf("tag %s in %s: %w", ref, ns, err)
	}
	for _, n := range names {
		if _, err := is.Create(ctx, images.Image{Name: n, Target: img.Target}); err != nil && !errdefs.IsAlreadyExists(err) {
			return fmt.Errorf("tag %s as %s in %s: %w", ref, n, ns, err)
		}
	}
	return nil
}
