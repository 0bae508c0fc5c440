package testbed

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Stop ends everything the daemon runs and removes Dir: CRI pods are stopped
// and removed, every task in every namespace is killed and deleted (so shims
// exit and unmount), the daemon gets SIGTERM (SIGKILL after 10 s), shims it
// left behind are killed by pid, whatever is still mounted under Dir is
// unmounted, deepest first. Calling it again returns the first result.
func (d *Daemon) Stop() error {
	d.stop.Do(func() { d.err = d.doStop() })
	return d.err
}

func (d *Daemon) doStop() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if d.running() {
		if d.CRI {
			if err := d.removePods(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		if err := d.removeTasks(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := d.terminate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := d.killShims(); err != nil {
		errs = append(errs, err)
	}
	if d.Dir != "" {
		if err := d.removeCgroups(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := unmountUnder(d.Dir); err != nil {
		errs = append(errs, err)
	}
	if d.Dir != "" {
		if err := os.RemoveAll(d.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", d.Dir, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("stop containerd %s in %s: %w", d.Version, d.Dir, errors.Join(errs...))
	}
	return nil
}

func (d *Daemon) running() bool {
	if d.cmd == nil || d.cmd.Process == nil {
		return false
	}
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// removePods stops and removes every pod sandbox, as kubelet would on drain.
func (d *Daemon) removePods(ctx context.Context) error {
	conn, err := d.dialCRI()
	if err != nil {
		return err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	resp, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return fmt.Errorf("list pods to remove: %w", err)
	}
	var errs []error
	for _, p := range resp.Items {
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			errs = append(errs, fmt.Errorf("stop pod %s: %w", p.Metadata.GetName(), err))
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			errs = append(errs, fmt.Errorf("remove pod %s: %w", p.Metadata.GetName(), err))
		}
	}
	return errors.Join(errs...)
}

// removeTasks kills and deletes every task of every namespace; a shim exits
// and unmounts its rootfs when its task is deleted.
func (d *Daemon) removeTasks(ctx context.Context) error {
	c, err := d.Client()
	if err != nil {
		return err
	}
	defer c.Close()
	nss, err := c.NamespaceService().List(ctx)
	if err != nil {
		return fmt.Errorf("list namespaces to clean: %w", err)
	}
	var errs []error
	for _, ns := range nss {
		nctx := namespaces.WithNamespace(ctx, ns)
		// One bulk list: a namespace may hold thousands of containers
		// without tasks (SeedScale).
		resp, err := c.TaskService().List(nctx, &tasks.ListTasksRequest{})
		if err != nil {
			errs = append(errs, fmt.Errorf("list tasks of %s: %w", ns, err))
			continue
		}
		for _, t := range resp.Tasks {
			ctr, err := c.LoadContainer(nctx, t.ID)
			if err != nil {
				errs = append(errs, fmt.Errorf("container of task %s/%s: %w", ns, t.ID, err))
				continue
			}
			task, err := ctr.Task(nctx, nil)
			if errdefs.IsNotFound(err) {
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("task %s/%s: %w", ns, t.ID, err))
				continue
			}
			if err := killTask(nctx, task); err != nil {
				errs = append(errs, fmt.Errorf("remove task %s/%s: %w", ns, t.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// terminate sends SIGTERM to the daemon (by its pid, which this process
// started) and waits for it, then SIGKILL.
func (d *Daemon) terminate() error {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
		return nil
	case <-time.After(10 * time.Second):
	}
	_ = d.cmd.Process.Kill()
	select {
	case <-d.exited:
		return fmt.Errorf("containerd (pid %d) ignored SIGTERM for 10s and was killed", d.cmd.Process.Pid)
	case <-time.After(5 * time.Second):
		return fmt.Errorf("containerd (pid %d) did not exit after SIGKILL", d.cmd.Process.Pid)
	}
}

// killShims kills shims that still serve this daemon's socket (after a
// crash, or a task that would not die), and the containers they reap. They
// are found by the unique -address in their command line.
func (d *Daemon) killShims() error {
	if d.Socket == "" {
		return nil
	}
	procs, err := processes()
	if err != nil {
		return err
	}
	var errs []error
	var killed []int
	for _, p := range procs {
		if !isShimOf(p.args, d.Socket) {
			continue
		}
		for _, c := range procs {
			if c.ppid == p.pid && syscallKill(c.pid) == nil {
				killed = append(killed, c.pid)
			}
		}
		if err := syscallKill(p.pid); err != nil {
			errs = append(errs, fmt.Errorf("kill shim %d: %w", p.pid, err))
		} else {
			killed = append(killed, p.pid)
		}
	}
	// Wait for them to go, so their mounts and cgroups can.
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range killed {
		for time.Now().Before(deadline) && alive(pid) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return errors.Join(errs...)
}

// alive tells whether pid is a process that has not exited (a zombie has).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// syscallKill sends SIGKILL; a process already gone is no error.
func syscallKill(pid int) error {
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

func isShimOf(args []string, socket string) bool {
	if len(args) == 0 || !strings.HasPrefix(filepath.Base(args[0]), "containerd-shim") {
		return false
	}
	for i, a := range args {
		if (a == "-address" || a == "--address") && i+1 < len(args) && args[i+1] == socket {
			return true
		}
	}
	return false
}

// process is one entry of /proc.
type process struct {
	pid, ppid int
	args      []string
}

// processes lists the processes of this pid namespace.
func processes() ([]process, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue // gone
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// stat: pid (comm) state ppid ...; comm may hold spaces and parens.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		ppid := 0
		if len(fields) > 1 {
			ppid, _ = strconv.Atoi(fields[1])
		}
		out = append(out, process{pid: pid, ppid: ppid, args: strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")})
	}
	return out, nil
}

// Mounts lists the mount points under dir, from /proc/self/mountinfo, deepest
// first.
func Mounts(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	prefix := strings.TrimRight(dir, "/") + "/"
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == strings.TrimRight(dir, "/") || strings.HasPrefix(mp, prefix) {
			out = append(out, mp)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.Count(out[i], "/") > strings.Count(out[j], "/")
	})
	return out, nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountUnder unmounts everything mounted under dir, deepest first, lazily
// when a mount is busy.
func unmountUnder(dir string) error {
	var errs []error
	for range 3 { // stacked mounts on one point need a pass each
		mps, err := Mounts(dir)
		if err != nil {
			return err
		}
		if len(mps) == 0 {
			return nil
		}
		errs = errs[:0]
		for _, mp := range mps {
			err := unix.Unmount(mp, 0)
			if errors.Is(err, unix.EBUSY) {
				err = unix.Unmount(mp, unix.MNT_DETACH)
			}
			if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, fmt.Errorf("unmount %s: %w", mp, err))
			}
		}
	}
	return errors.Join(errs...)
}
