package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// The lifecycle keys in a real terminal against containerd 2.x: a native
// task that ctr would have started is stopped from the containers page
// (SIGTERM, which it traps, so it exits 143 at once), the row turns
// STOPPED by itself from the task's exit event, and ctrl+d removes the
// container after the question, Cancel first; :log has the ctr lines and
// ctr no longer lists the container.
func TestEndToEndLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := testbed.Start(t, testbed.V2)
	const id = "e2e-victim"
	if err := d.RunTask(ctx, "default", id, testbed.BusyboxImage, "", "sh", "-c", "trap 'exit 143' TERM; while true; do sleep 0.1; done"); err != nil {
		t.Fatal(err)
	}
	s := startScreen(t, 120, 30, d.Env())
	s.waitFor(screenWait, "images")
	s.keys(":")
	s.typeText("containers")
	s.keys("Enter")
	s.waitFor(screenWait, id, "RUNNING")

	// ctrl+t asks; enter on the focused Cancel does nothing.
	s.keys("C-t")
	s.waitFor(screenWait, "stop container "+id+"?", "[ Cancel ]", "[ Stop ]")
	s.keys("Enter")
	s.waitGone(screenWait, "stop container "+id+"?")
	if txt := s.text(); !strings.Contains(txt, "RUNNING") {
		t.Fatalf("Cancel stopped the task:\n%s", txt)
	}
	s.keys("C-t")
	s.waitFor(screenWait, "stop container "+id+"?")
	s.keys("Right", "Enter")
	s.waitFor(screenWait, "STOPPED", "143", "stop task "+id+": done; exited 143 after SIGTERM")

	// ctrl+d removes it, with its snapshot.
	s.keys("C-d")
	s.waitFor(screenWait, "remove container "+id+"?", "ctr containers rm")
	s.keys("Right", "Enter")
	s.waitFor(screenWait, "remove container "+id+": done")
	s.waitGone(screenWait, "STOPPED")
	out, err := d.Ctr(ctx, "-n", "default", "containers", "ls", "-q")
	if err != nil || strings.Contains(out, id) {
		t.Fatalf("ctr containers ls after the remove: %v\n%s", err, out)
	}
	if out, _ := d.Ctr(ctx, "-n", "default", "snapshots", "ls"); strings.Contains(out, id) {
		t.Errorf("the snapshot survived:\n%s", out)
	}

	s.keys(":")
	s.typeText("log")
	s.keys("Enter")
	s.waitFor(screenWait, "tasks kill --signal SIGTERM "+id, "containers rm "+id, "ok")
	s.keys("C-c")
	if code := s.waitExit(screenWait); code != 0 {
		t.Errorf("ctui exited %d", code)
	}
}
