package testbed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
)

// runcRuntime is the runtime every test bed container uses, as ctr's default.
const runcRuntime = "io.containerd.runc.v2"

// ImportTestImages imports BusyboxImage and PauseImage into namespace ns
// and unpacks them into the default snapshotter, so containers can run from
// them at once. Importing again is harmless.
func (d *Daemon) ImportTestImages(ctx context.Context, ns string) error {
	var buf bytes.Buffer
	if err := ImageLayoutTar(&buf); err != nil {
		return err
	}
	_, err := d.ImportTar(ctx, ns, &buf)
	return err
}

// ImportTar imports an OCI layout or docker-save tar (such as WriteSizedImage
// writes) into namespace ns, unpacks each image into the default snapshotter
// and returns the image names.
func (d *Daemon) ImportTar(ctx context.Context, ns string, r io.Reader) ([]string, error) {
	c, err := d.Client()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	imgs, err := c.Import(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("import images into %s on containerd %s: %w", ns, d.Version, err)
	}
	var names []string
	for _, img := range imgs {
		if err := containerd.NewImage(c, img).Unpack(ctx, ""); err != nil {
			return names, fmt.Errorf("unpack %s in %s: %w", img.Name, ns, err)
		}
		names = append(names, img.Name)
	}
	return names, nil
}

// RunTask runs a detached task in namespace ns, as `ctr run -d --log-uri
// file://logFile image id args...` would: a container id with a snapshot
// named id, args (or the image's command when none are given), stdout and
// stderr appended to logFile (discarded when it is ""). A test image missing
// from ns is imported first.
//
// Unlike ctr, the task gets a cgroup and a runc root of its own (ctr's
// /<ns>/<id> and /run/containerd/runc are shared by every daemon on the
// host), so daemons side by side may use the same ids.
func (d *Daemon) RunTask(ctx context.Context, ns, id, image, logFile string, args ...string) error {
	return d.RunTaskWith(ctx, ns, id, image, logFile, nil, args...)
}

// RunTaskWith is RunTask with more changes to the task's OCI spec, such as
// resource limits (oci.WithMemoryLimit, oci.WithCPUCFS, oci.WithPidsLimit).
func (d *Daemon) RunTaskWith(ctx context.Context, ns, id, image, logFile string, spec []oci.SpecOpts, args ...string) error {
	c, err := d.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	img, err := c.GetImage(ctx, image)
	if errdefs.IsNotFound(err) && (image == BusyboxImage || image == PauseImage) {
		if err := d.ImportTestImages(ctx, ns); err != nil {
			return err
		}
		img, err = c.GetImage(ctx, image)
	}
	if err != nil {
		return fmt.Errorf("run task %s/%s: image %s: %w", ns, id, image, err)
	}
	if ok, err := img.IsUnpacked(ctx, ""); err != nil || !ok {
		if err := img.Unpack(ctx, ""); err != nil {
			return fmt.Errorf("run task %s/%s: unpack %s: %w", ns, id, image, err)
		}
	}
	specOpts := []oci.SpecOpts{
		oci.WithImageConfig(img),
		oci.WithCgroup(d.cgroupPrefix() + "-" + ns + "-" + id),
	}
	if len(args) > 0 {
		specOpts = append(specOpts, oci.WithProcessArgs(args...))
	}
	specOpts = append(specOpts, spec...)
	ctr, err := c.NewContainer(ctx, id,
		containerd.WithImage(img),
		containerd.WithNewSnapshot(id, img),
		containerd.WithRuntime(runcRuntime, &runcoptions.Options{Root: d.runcRoot()}),
		containerd.WithNewSpec(specOpts...),
	)
	if err != nil {
		return fmt.Errorf("run task %s/%s: create container: %w", ns, id, err)
	}
	creator := cio.NullIO
	if logFile != "" {
		if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
			return err
		}
		creator = cio.LogFile(logFile)
	}
	task, err := ctr.NewTask(ctx, creator)
	if err != nil {
		_ = ctr.Delete(ctx, containerd.WithSnapshotCleanup)
		return fmt.Errorf("run task %s/%s: create task: %w", ns, id, err)
	}
	if err := task.Start(ctx); err != nil {
		_, _ = task.Delete(ctx, containerd.WithProcessKill)
		_ = ctr.Delete(ctx, containerd.WithSnapshotCleanup)
		return fmt.Errorf("run task %s/%s: start: %w", ns, id, err)
	}
	return nil
}

// cgroupPrefix starts the path of every cgroup the daemon's containers get:
// /<base of Dir>, e.g. /ctui-123456, unique per daemon. Each cgroup adds
// "-" and more.
func (d *Daemon) cgroupPrefix() string { return "/" + filepath.Base(d.Dir) }

// removeCgroups removes the cgroups under cgroupPrefix left empty once every
// task is gone (runc removes a container's own cgroup, not its parents).
func (d *Daemon) removeCgroups() error {
	var dirs []string
	for _, pattern := range []string{"/sys/fs/cgroup/*" + d.cgroupPrefix() + "-*", "/sys/fs/cgroup" + d.cgroupPrefix() + "-*"} {
		m, _ := filepath.Glob(pattern)
		for _, top := range m {
			_ = filepath.WalkDir(top, func(p string, e os.DirEntry, err error) error {
				if err == nil && e.IsDir() {
					dirs = append(dirs, p)
				}
				return nil
			})
		}
	}
	// Processes killed a moment ago may still be leaving their cgroup.
	deadline := time.Now().Add(5 * time.Second)
	var errs []error
	for i := len(dirs) - 1; i >= 0; i-- { // children before parents
		for {
			err := os.Remove(dirs[i])
			if err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
				errs = append(errs, fmt.Errorf("remove cgroup %s: %w", dirs[i], err))
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return errors.Join(errs...)
}

// killTask kills a task's processes and deletes it, whatever its state.
func killTask(ctx context.Context, task containerd.Task) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := task.Delete(ctx, containerd.WithProcessKill)
	if errdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// ProcessCPU is the CPU time process pid has used, from the kernel's own
// scheduler accounting (/proc/PID/schedstat): the reference a test holds a
// sampled CPU rate against, since on a shared machine a busy loop gets
// whatever share the rest of the load leaves it.
func ProcessCPU(pid uint32) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
	if err != nil {
		return 0, err
	}
	var ns int64
	if _, err := fmt.Sscan(string(b), &ns); err != nil {
		return 0, fmt.Errorf("/proc/%d/schedstat: %q: %w", pid, b, err)
	}
	return time.Duration(ns), nil
}
