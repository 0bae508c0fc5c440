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

// TestEndToEndTopEnter: on containerd 1.6 and 2.x, a busy pod container
// shows first on :top; enter opens the containers page of its namespace
// (k8s.io) with the cursor on its row: d describes it, l opens its log and
// s a shell in it. :top, and g and enter, are sent in one write, then key
// by key.
func TestEndToEndTopEnter(t *testing.T) {
	testbed.EachVersion(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		_, ids, err := d.RunPod(ctx, testbed.PodSpec{Name: "spinner", Containers: []testbed.ContainerSpec{
			// The loop ends by itself should the test be killed.
			{Name: "spin", Command: []string{"sh", "-c", `echo "spinning up"; exec timeout -s KILL 300 sh -c 'while :; do :; done'`}},
			{Name: "rest", Command: testbed.IdleCommand},
		}})
		if err != nil {
			t.Fatalf("pod: %v\n%s", err, d.LogTail(20))
		}
		spinID := ids[0]
		s := startScreen(t, 140, 30, d.Env(), "--stats-interval", "500ms")
		s.waitFor(screenWait, "images")
		for _, oneWrite := range []bool{true, false} {
			if oneWrite {
				s.sendBytes(":top\r")
			} else {
				s.keys(":", "t", "o", "p", "Enter")
			}
			s.waitUntil(screenWait, "the busy container first on :top", func(txt string) bool {
				lines := strings.Split(txt, "\n")
				for i, l := range lines {
					if strings.Contains(l, "NAMESPACE") && strings.Contains(l, "CONTAINER") {
						return i+1 < len(lines) && strings.Contains(lines[i+1], "default/spinner spin") &&
							strings.Contains(lines[i+1], "k8s.io") && strings.Contains(txt, "default/spinner rest")
					}
				}
				return false
			})
			// The cursor stays on the row it was on while the rows
			// re-sort: g puts it on the busiest, enter goes there.
			if oneWrite {
				s.sendBytes("g\r")
			} else {
				s.keys("g", "Enter")
			}
			// The containers page, listed (its status line: :top's
			// screen after the namespace switch shows the rest).
			s.waitFor(screenWait, "ns k8s.io", "containers 3", "default/spinner")
			// The cursor is on its row: d and l act on it.
			s.keys("d")
			s.waitFor(screenWait, "describe container "+spinID)
			s.keys("Escape")
			s.waitGone(screenWait, "describe container")
			s.keys("l")
			s.waitFor(screenWait, "spinner/spin", "spinning up")
			s.keys("Escape")
			s.waitGone(screenWait, "spinning up")
			if !oneWrite {
				shellRoundTrip(t, s, 120, 30, "ns k8s.io", "spinner")
			}
		}
		s.keys("C-c")
		if code := s.waitExit(exitWait); code != 0 {
			t.Errorf("ctui exited %d", code)
		}
	})
}
