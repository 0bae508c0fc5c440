package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/pkg/oci"

	"github.com/ctui/ctui/backend/testbed"
)

// Resource use in a real terminal on containerd 1.6 and 2.x: Shift+U on
// the containers page puts the busy task (a shell loop) above the idle one
// with a CPU% and a working set; :top lists it first under the node's
// totals; enter goes back to its row; a task over its 20 MiB limit is
// OOM-killed, ctui flashes it and its row reads OOMKilled; :log has the
// ctr tasks metrics line.
func TestEndToEndStats(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testEndToEndStats(t, v)
		})
	}
}

func testEndToEndStats(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := testbed.Start(t, v)
	for _, task := range []struct {
		id   string
		args []string
	}{{"e2e-busy", testbed.BusyCommand}, {"e2e-idle", testbed.IdleCommand}} {
		if err := d.RunTask(ctx, "default", task.id, testbed.BusyboxImage, "", task.args...); err != nil {
			t.Fatal(err)
		}
	}
	s := startScreen(t, 140, 30, d.Env(), "--stats-interval", "500ms")
	s.waitFor(screenWait, "images")
	s.keys(":")
	s.typeText("containers")
	s.keys("Enter")
	s.waitFor(screenWait, "e2e-busy", "e2e-idle", "CPU%", "MEM")
	s.keys("U") // busiest first
	above(t, s, screenWait, "e2e-busy", "e2e-idle", regexp.MustCompile(`e2e-busy .* RUNNING .* \d+(\.\d)? +\d+(\.\d)? +\d+\.\d [KM]iB`))

	// :top, typed key by key: the busy task first, the node's totals above.
	for _, k := range []string{":", "t", "o", "p", "Enter"} {
		s.keys(k)
	}
	s.waitFor(screenWait, "node CPU", "cores", "mem ", "load ", "running (all namespaces)", "OOM kills since start: 0", "CPU, LAST MINUTE")
	above(t, s, screenWait, "e2e-busy", "e2e-idle", regexp.MustCompile(`default +e2e-busy .*[▁▂▃▄▅▆▇█]`))
	// Enter goes to the container's row on the containers page.
	s.keys("Enter")
	s.waitFor(screenWait, "containers")

	// Over its limit: flash, mark, OOMKilled.
	if err := d.RunTaskWith(ctx, "default", "e2e-hog", testbed.BusyboxImage, "", []oci.SpecOpts{oci.WithMemoryLimit(20 << 20)}, testbed.OOMCommand...); err != nil {
		t.Fatal(err)
	}
	s.waitFor(screenWait, "OOM kill: container default/e2e-hog went over its memory limit")
	s.waitFor(screenWait, "e2e-hog", "OOMKilled")

	s.keys(":")
	s.typeText("log")
	s.keys("Enter")
	s.waitFor(screenWait, "tasks metrics \"$id\"; done", "ok")
	s.keys("C-c")
	if code := s.waitExit(screenWait); code != 0 {
		t.Errorf("ctui exited %d", code)
	}
}

// above waits until a line matching row shows and first's line is above
// second's.
func above(t *testing.T, s *screen, timeout time.Duration, first, second string, row *regexp.Regexp) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		i, j := lineOf(txt, first), lineOf(txt, second)
		if i >= 0 && j >= 0 && i < j && row.MatchString(txt) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %s is not above %s with its figures (%s):\n%s", timeout, first, second, row, txt)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func lineOf(txt, s string) int {
	for i, l := range strings.Split(txt, "\n") {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}
