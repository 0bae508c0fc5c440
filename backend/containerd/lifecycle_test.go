package containerd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/pkg/namespaces"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
)

// Stop, kill, pause, resume and remove through containerd's task API, on
// both daemon versions, against tasks started as ctr run -d starts them.
func TestLifecycle(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testLifecycle(t, v)
		})
	}
}

func testLifecycle(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	d := testbed.Start(t, v, testbed.WithoutCRI())
	const ns = "default"
	// "polite" exits on SIGTERM (143, as a shell that traps it does);
	// "stubborn" is a pid 1 without a handler, which the kernel shields
	// from SIGTERM, so only SIGKILL ends it.
	tasks := map[string][]string{
		"polite":   {"sh", "-c", "trap 'exit 143' TERM; while true; do sleep 0.1; done"},
		"stubborn": {"sleep", "2147483647"},
		"killme":   {"sleep", "2147483647"},
		"pauseme":  {"sleep", "2147483647"},
		"rmrun":    {"sleep", "2147483647"},
		"done":     {"true"},
	}
	for id, args := range tasks {
		if err := d.RunTask(ctx, ns, id, testbed.BusyboxImage, "", args...); err != nil {
			t.Fatal(err)
		}
	}
	newContainerWithoutTask(ctx, t, d, ns, "notask")
	waitTaskStatus(ctx, t, d, ns, "done", "stopped")
	c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Logf("containerd %s: tasks ready in %v", v, time.Since(start).Round(time.Millisecond))
	status := func(id string) backend.TaskStatus {
		t.Helper()
		ctr, err := c.Container(ctx, ns, id)
		if err != nil {
			t.Fatal(err)
		}
		return ctr.Status()
	}

	t.Run("StopExitsOnSIGTERM", func(t *testing.T) {
		res, err := c.StopTask(ctx, ns, backend.StopOptions{ID: "polite"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Killed || res.Exit != 143 || res.Waited > 5*time.Second {
			t.Errorf("got %+v, want exit 143 after SIGTERM alone", res)
		}
		if st := status("polite"); st != backend.TaskStopped {
			t.Errorf("status %s, want STOPPED", st)
		}
		_, err = c.StopTask(ctx, ns, backend.StopOptions{ID: "polite"})
		if !errors.Is(err, backend.ErrNotRunning) || !strings.Contains(err.Error(), "already stopped") {
			t.Errorf("second stop: %v, want 'already stopped'", err)
		}
	})
	t.Run("StopKillsAfterGrace", func(t *testing.T) {
		res, err := c.StopTask(ctx, ns, backend.StopOptions{ID: "stubborn", Timeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Killed || res.Exit != 137 {
			t.Errorf("got %+v, want SIGKILL after the grace period, exit 137", res)
		}
		if !strings.Contains(res.String(), "SIGKILL") {
			t.Errorf("outcome %q does not say SIGKILL ended it", res.String())
		}
	})
	t.Run("KillWithSIGKILL", func(t *testing.T) {
		res, err := c.KillTask(ctx, ns, backend.KillOptions{ID: "killme", Signal: "SIGKILL"})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Exited || res.Exit != 137 {
			t.Errorf("got %+v, want exit 137", res)
		}
	})
	t.Run("KillBadSignal", func(t *testing.T) {
		_, err := c.KillTask(ctx, ns, backend.KillOptions{ID: "pauseme", Signal: "SIGNOPE"})
		if !errors.Is(err, backend.ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	})
	t.Run("PauseResume", func(t *testing.T) {
		if err := c.PauseTask(ctx, ns, backend.PauseOptions{ID: "pauseme"}); err != nil {
			t.Fatal(err)
		}
		if st := status("pauseme"); st != backend.TaskPaused {
			t.Errorf("after pause: %s, want PAUSED", st)
		}
		if err := c.PauseTask(ctx, ns, backend.PauseOptions{ID: "pauseme"}); !errors.Is(err, backend.ErrPaused) {
			t.Errorf("second pause: %v, want ErrPaused", err)
		}
		if err := c.PauseTask(ctx, ns, backend.PauseOptions{ID: "pauseme", Resume: true}); err != nil {
			t.Fatal(err)
		}
		if st := status("pauseme"); st != backend.TaskRunning {
			t.Errorf("after resume: %s, want RUNNING", st)
		}
		if err := c.PauseTask(ctx, ns, backend.PauseOptions{ID: "pauseme", Resume: true}); !errors.Is(err, backend.ErrInvalid) {
			t.Errorf("resume of a running task: %v, want ErrInvalid", err)
		}
	})
	t.Run("NoTask", func(t *testing.T) {
		_, err := c.StopTask(ctx, ns, backend.StopOptions{ID: "notask"})
		if !errors.Is(err, backend.ErrNotRunning) || !strings.Contains(err.Error(), "has no task") {
			t.Errorf("got %v, want 'has no task'", err)
		}
		_, err = c.KillTask(ctx, ns, backend.KillOptions{ID: "nosuch"})
		if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("got %v, want 'does not exist'", err)
		}
	})
	t.Run("RemoveTaskKeepsContainer", func(t *testing.T) {
		if _, err := c.RemoveTask(ctx, ns, backend.TaskRemoveOptions{ID: "pauseme"}); !errors.Is(err, backend.ErrRunning) {
			t.Errorf("remove of a running task: %v, want ErrRunning", err)
		}
		exit, err := c.RemoveTask(ctx, ns, backend.TaskRemoveOptions{ID: "done"})
		if err != nil || exit != 0 {
			t.Fatalf("got %d, %v; want exit 0", exit, err)
		}
		ctr, err := c.Container(ctx, ns, "done")
		if err != nil || ctr.Task != nil {
			t.Errorf("after tasks rm: %+v, %v; want the container without a task", ctr, err)
		}
	})
	t.Run("RemoveContainer", func(t *testing.T) {
		_, err := c.RemoveContainer(ctx, ns, backend.ContainerRemoveOptions{ID: "rmrun"})
		if !errors.Is(err, backend.ErrRunning) || !strings.Contains(err.Error(), "RUNNING") {
			t.Errorf("remove of a running container: %v, want ErrRunning naming RUNNING", err)
		}
		for _, id := range []string{"rmrun", "polite", "notask"} {
			res, err := c.RemoveContainer(ctx, ns, backend.ContainerRemoveOptions{ID: id, StopFirst: true, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if res.Snapshot != id {
				t.Errorf("%s: snapshot %q removed, want %q", id, res.Snapshot, id)
			}
			if id == "rmrun" && (res.Stopped == nil || res.Stopped.Exit != 137) {
				t.Errorf("rmrun: %+v, want stopped first with SIGKILL", res)
			}
			if _, err := c.Container(ctx, ns, id); !errors.Is(err, backend.ErrNotFound) {
				t.Errorf("%s still there: %v", id, err)
			}
		}
		cl, err := d.Client()
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		nctx := namespaces.WithNamespace(ctx, ns)
		for _, id := range []string{"rmrun", "polite", "notask"} {
			if _, err := cl.SnapshotService("").Stat(nctx, id); err == nil {
				t.Errorf("snapshot %s survived the remove", id)
			}
		}
	})
}
