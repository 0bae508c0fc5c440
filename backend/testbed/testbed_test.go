package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/pkg/namespaces"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestImageLayoutTar checks the layout without a daemon: deterministic, both
// refs named, and each config's diff ids matching its layers.
func TestImageLayoutTar(t *testing.T) {
	var a, b bytes.Buffer
	if err := ImageLayoutTar(&a); err != nil {
		t.Fatal(err)
	}
	if err := ImageLayoutTar(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two builds of the test images differ")
	}
	files := tarFiles(t, &a)
	var idx ocispec.Index
	if err := json.Unmarshal(files["index.json"], &idx); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range idx.Manifests {
		names = append(names, m.Annotations[annotationImageName])
		var man ocispec.Manifest
		if err := json.Unmarshal(files["blobs/sha256/"+m.Digest.Encoded()], &man); err != nil {
			t.Fatalf("manifest of %s: %v", names[len(names)-1], err)
		}
		var cfg ocispec.Image
		if err := json.Unmarshal(files["blobs/sha256/"+man.Config.Digest.Encoded()], &cfg); err != nil {
			t.Fatal(err)
		}
		if len(cfg.RootFS.DiffIDs) != 1 || len(man.Layers) != 1 {
			t.Fatalf("%s: %d diff ids for %d layers, want 1", names[len(names)-1], len(cfg.RootFS.DiffIDs), len(man.Layers))
		}
		if got := int64(len(files["blobs/sha256/"+man.Layers[0].Digest.Encoded()])); got != man.Layers[0].Size {
			t.Errorf("layer blob is %d bytes, manifest says %d", got, man.Layers[0].Size)
		}
	}
	if strings.Join(names, ",") != BusyboxImage+","+PauseImage {
		t.Errorf("images %v, want %s and %s", names, BusyboxImage, PauseImage)
	}
}

// TestDaemon runs each version side by side: images, a native task, a logging
// pod, a crash-looping pod, a sized image, then a clean stop.
func TestDaemon(t *testing.T) {
	for _, v := range Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testDaemon(t, v)
		})
	}
}

func testDaemon(t *testing.T, v Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, err := StartDaemon(ctx, v, "")
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			t.Logf("daemon log:\n%s", d.LogTail(40))
			_ = d.Stop()
		}
	})

	if err := d.ImportTestImages(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	out, err := d.Ctr(ctx, "images", "ls", "-q")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{BusyboxImage, PauseImage} {
		if !strings.Contains(out, ref) {
			t.Errorf("ctr images ls -q lacks %s:\n%s", ref, out)
		}
	}

	// A native task logging to a file.
	taskLog := filepath.Join(d.Dir, "task.log")
	if err := d.RunTask(ctx, "default", "ctui-task", BusyboxImage, taskLog, "sh", "-c", "echo hello from task; sleep 600"); err != nil {
		t.Fatal(err)
	}
	waitFile(t, taskLog, "hello from task")
	if out, err := d.Ctr(ctx, "tasks", "ls"); err != nil || !strings.Contains(out, "RUNNING") {
		t.Errorf("ctr tasks ls: %v\n%s", err, out)
	}

	// A logging pod: CRI-format lines in <logdir>/logger/0.log.
	podID, ids, err := d.RunPod(ctx, LoggingPod("logger"))
	if err != nil {
		t.Fatal(err)
	}
	if podID == "" || len(ids) != 1 {
		t.Fatalf("RunPod gave pod %q containers %v", podID, ids)
	}
	logPath, err := d.ContainerLogPath(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(logPath, "/logger/0.log") || !strings.HasPrefix(logPath, d.Dir) {
		t.Errorf("log path %s, want <Dir>/pods/.../logger/0.log", logPath)
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "runc", "k8s.io", podID)); err != nil {
		t.Errorf("the pod's runc state is not under the daemon's runc root: %v", err)
	}
	waitFile(t, logPath, " stdout F line 3\n")
	waitFile(t, logPath, " stderr F warning 5\n")

	// A crash-looping pod restarted once: attempt 1 and two log files.
	_, ids, err = d.RunPod(ctx, CrashLoopPod("crasher"))
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := d.CrashLoop(ctx, ids[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	code, err := d.WaitContainerExit(ctx, attempts[1])
	if err != nil {
		t.Fatal(err)
	}
	if code != CrashExitCode {
		t.Errorf("crasher exited %d, want %d", code, CrashExitCode)
	}
	prevLog, _ := d.ContainerLogPath(ctx, attempts[0])
	lastLog, _ := d.ContainerLogPath(ctx, attempts[1])
	if filepath.Base(prevLog) != "0.log" || filepath.Base(lastLog) != "1.log" {
		t.Errorf("crasher logs %s and %s, want 0.log and 1.log", prevLog, lastLog)
	}
	waitFile(t, prevLog, "fatal: missing config")
	waitFile(t, lastLog, "starting attempt")

	// A sized image imports and unpacks.
	sized := filepath.Join(d.Dir, "sized.tar")
	if err := WriteSizedImage(sized, "localhost/test/sized:2x64k", 2, 64<<10); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(sized)
	if err != nil {
		t.Fatal(err)
	}
	names, err := d.ImportTar(ctx, "bench", f)
	f.Close()
	if err != nil || len(names) != 1 || names[0] != "localhost/test/sized:2x64k" {
		t.Fatalf("import sized image: %v %v", names, err)
	}
	if fi, _ := os.Stat(sized); fi.Size() < 128<<10 {
		t.Errorf("sized image tar is %d bytes, want over 128 KiB", fi.Size())
	}

	dir, socket, pid := d.Dir, d.Socket, d.PID()
	stopped = true
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir, socket, pid)
}

// TestWithoutCRI checks that CRI calls get Unimplemented on both versions.
func TestWithoutCRI(t *testing.T) {
	for _, v := range Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := Start(t, v, WithoutCRI(), WithConfigExtra("[debug]\n  level = \"debug\"\n  address = \"{{.Dir}}/debug.sock\""))
			if _, err := os.Stat(filepath.Join(d.Dir, "debug.sock")); err != nil {
				t.Errorf("WithConfigExtra's debug socket: %v", err)
			}
			conn, err := d.dialCRI()
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{})
			if status.Code(err) != codes.Unimplemented {
				t.Fatalf("CRI Version without CRI: %v, want Unimplemented", err)
			}
			// The native API still works, with a task to clean up.
			if err := d.RunTask(ctx, "default", "ctui-task", BusyboxImage, "", "sleep", "600"); err != nil {
				t.Fatal(err)
			}
			c, err := d.Client()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			resp, err := c.TaskService().List(namespaces.WithNamespace(ctx, "default"), nil)
			if err != nil || len(resp.Tasks) != 1 {
				t.Fatalf("tasks: %v %v", resp, err)
			}
		})
	}
}

func waitFile(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte(want)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never got %q; it has:\n%s", path, want, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// assertGone checks that a stopped daemon left no directory, mount, shim or
// daemon process behind.
func assertGone(t *testing.T, dir, socket string, pid int) {
	t.Helper()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still exists: %v", dir, err)
	}
	if mps, err := Mounts(dir); err != nil || len(mps) > 0 {
		t.Errorf("mounts left under %s: %v %v", dir, mps, err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("containerd pid %d still there: %v", pid, err)
	}
	procs, err := processes()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if strings.Contains(strings.Join(p.args, " "), socket) || strings.Contains(strings.Join(p.args, " "), dir+"/") {
			t.Errorf("process %d left behind: %v", p.pid, p.args)
		}
	}
	if m, _ := filepath.Glob("/sys/fs/cgroup/*/" + filepath.Base(dir) + "-*"); len(m) > 0 {
		t.Errorf("cgroups left behind: %v", m)
	}
}

// TestCleanStale plays a test binary killed before Stop: its directory is
// found by the marker and everything in it ends.
func TestCleanStale(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := Start(t, V16, WithoutCRI())
	if err := d.RunTask(ctx, "default", "orphan", BusyboxImage, "", "sleep", "600"); err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(marker{Version: V16, OwnerPID: dead.Process.Pid, OwnerStart: "1"})
	if err := os.WriteFile(filepath.Join(d.Dir, markerFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	dir, socket, pid := d.Dir, d.Socket, d.PID()
	if err := CleanStale(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the stale daemon is still running")
	}
	assertGone(t, dir, socket, pid)
}
