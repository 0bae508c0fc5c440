package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// TestEndToEndSSHLogAcrossDrop follows a native task's log over ssh:// in
// tmux while sshd is killed and started again: the panel shows, then goes,
// and the log goes on with every line the task wrote while the link was
// down (its "tick N" lines on screen have no gap). The screen is tall so
// that the lines from before the drop stay on it on a slow reconnect.
func TestEndToEndSSHLogAcrossDrop(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			sshd := testbed.StartSSHD(t, d.Socket)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if _, err := d.SeedDemo(ctx); err != nil {
				t.Fatalf("seed: %v\n%s", err, d.LogTail(20))
			}
			ep := sshd.Endpoint(sshd.User, "", true)
			s := startScreen(t, 100, 70, []string{"CONTAINERD_ADDRESS=" + ep, "CTUI_SSH=" + sshd.SSHCommand})
			s.waitFor(screenWait, "busybox:latest")
			filterTasks(s, testbed.DemoTickerTask)
			s.keys("l")
			before := lastTick(s.waitFor(screenWait, "following", "tick "))

			sshd.Kill()
			s.waitFor(screenWait, "connection lost")
			time.Sleep(4 * time.Second) // ticks written on the node while the link is down
			if err := sshd.Start(); err != nil {
				t.Fatal(err)
			}
			s.waitGone(30*time.Second, "connection lost")
			// Wait until the lines after the outage are on screen too.
			txt := s.waitUntil(screenWait, "ticks after the outage", func(txt string) bool { return lastTick(txt) >= before+8 })
			ticks := allTicks(txt)
			for i := 1; i < len(ticks); i++ {
				if ticks[i] != ticks[i-1]+1 {
					t.Fatalf("tick %d after tick %d: a line lost across the dropped link:\n%s", ticks[i], ticks[i-1], txt)
				}
			}
			if len(ticks) == 0 || ticks[0] > before {
				t.Fatalf("the screen does not reach back to tick %d, seen before the drop:\n%s", before, txt)
			}
			s.keys("q")
		})
	}
}

var tickRE = regexp.MustCompile(`tick (\d+)`)

// allTicks are the tick numbers on the screen, top to bottom.
func allTicks(txt string) []int {
	var out []int
	for _, m := range tickRE.FindAllStringSubmatch(txt, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

func lastTick(txt string) int {
	ts := allTicks(txt)
	if len(ts) == 0 {
		return 0
	}
	return ts[len(ts)-1]
}
