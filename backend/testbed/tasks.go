package testbed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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

// MaxCPUShares is the largest cgroup v1 cpu.shares.
const MaxCPUShares = 262144

// BusyShares is the cpu.shares that gives a busy loop about three quarters
// of a core on this machine now: three times the weight of the processes
// that share a core with it (each weighs 1024 at the root; the 1-minute
// load average over the cores says how many there are), at least 2048. A
// busy-loop fixture run with it reads above half a core even on a loaded
// shared machine, while the rest keeps a quarter of that core. Take
// WeightedBusyLock first, start the loop with WeightedBusyCommand and kill
// it as soon as it was measured.
func BusyShares() int64 {
	load := 0.0
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscan(string(b), &load)
	}
	shares := int64(3 * 1024 * load / float64(runtime.NumCPU()))
	return min(max(shares, 2048), MaxCPUShares)
}

// WeightedBusyLock makes the weighted busy loops of every test on the
// machine (both daemon versions, other packages, other people's runs) take
// turns, so that at most one core is given to one at a time. It blocks
// until the lock is free and returns its release.
func WeightedBusyLock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "ctui-weighted-busy.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// CgroupCPU is the CPU time the cgroup of process pid has used since it was
// made, read from the cgroup itself (v1 cpuacct.usage, v2 cpu.stat
// usage_usec): the counter task metrics and CRI stats report, so a sampled
// counter can be held between two reads of it without timing anything.
func CgroupCPU(pid uint32) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case slicesContains(strings.Split(parts[1], ","), "cpuacct"):
			for _, mnt := range []string{"cpuacct", "cpu,cpuacct", "cpuacct,cpu"} {
				v, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", mnt, parts[2], "cpuacct.usage"))
				if err == nil {
					n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
					return time.Duration(n), err
				}
			}
		case parts[1] == "" && parts[0] == "0":
			v, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", parts[2], "cpu.stat"))
			if err != nil {
				continue
			}
			for _, l := range strings.Split(string(v), "\n") {
				if us, ok := strings.CutPrefix(l, "usage_usec "); ok {
					n, err := strconv.ParseInt(strings.TrimSpace(us), 10, 64)
					return time.Duration(n) * time.Microsecond, err
				}
			}
		}
	}
	return 0, fmt.Errorf("no cpu accounting cgroup for process %d in %q", pid, b)
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// weightCgroupParents gives the cgroup parent path of a pod (and each of its
// ancestors below the root) the weight shares before the pod's sandbox
// creates it: a container's own cpu.shares only weighs against its
// siblings, and its parents compete at the root. cgroup v1 (cpu.shares) and
// v2 (cpu.weight, converted as runc converts); a hierarchy it cannot write
// is left as it is.
func weightCgroupParents(path string, shares int64) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		weight := 1 + ((shares-2)*9999)/262142
		dir := "/sys/fs/cgroup"
		for _, p := range parts {
			_ = os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+cpu"), 0o644)
			dir = filepath.Join(dir, p)
			if os.Mkdir(dir, 0o755) != nil && !dirExists(dir) {
				return
			}
			_ = os.WriteFile(filepath.Join(dir, "cpu.weight"), []byte(strconv.FormatInt(weight, 10)), 0o644)
		}
		return
	}
	dir := "/sys/fs/cgroup/cpu"
	for _, p := range parts {
		dir = filepath.Join(dir, p)
		if os.Mkdir(dir, 0o755) != nil && !dirExists(dir) {
			return
		}
		_ = os.WriteFile(filepath.Join(dir, "cpu.shares"), []byte(strconv.FormatInt(shares, 10)), 0o644)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

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
