package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/uitest"
)

// TestLiveOnRealDaemons drives the real root model, with its commands run
// as bubbletea runs them, against containerd 1.6 and 2.x: a task started by
// `ctr run -d` must show on the containers page within a second of ctr
// returning, without a key press, and its exit within a second of `ctr
// task kill`.
func TestLiveOnRealDaemons(t *testing.T) {
	testbed.EachVersion(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		if err := d.ImportTestImages(ctx, "default"); err != nil {
			t.Fatal(err)
		}
		cfg := backend.Config{Address: d.Socket, Namespace: "default", Timeout: 5 * time.Second}
		nc, err := containerd.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		b := &backend.Backend{Config: cfg, Native: nc, CRIErr: backend.Errorf(backend.ErrCRIUnavailable, "not asked")}
		defer b.Close()

		l := uitest.NewLoop(t)
		m := New(ctx, b, Options{NoColor: true})
		tm, cmd := m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
		l.Run(cmd)
		l.Run(tm.(Model).Init())
		m, _ = uitest.Until(t, l, tm.(Model), 10*time.Second, func(m Model) bool {
			return m.hub.Open() && strings.Contains(screen(m), testbed.BusyboxImage)
		})
		for _, k := range []string{":", "c", "enter"} {
			tm, cmd := m.Update(uitest.Press(k))
			l.Run(cmd)
			m = tm.(Model)
		}
		m, _ = uitest.Until(t, l, m, 5*time.Second, func(m Model) bool { return strings.Contains(screen(m), "no rows") })

		// ctr's runc root and cgroup would be shared with the other
		// daemon's test: give the task the test bed's own.
		id := fmt.Sprintf("live-%d", os.Getpid())
		runcRoot := filepath.Join(d.Dir, "runc")
		cgroup := "/" + filepath.Base(d.Dir) + "-default-" + id
		ran := make(chan time.Time, 1)
		go func() {
			if out, err := d.Ctr(ctx, "-n", "default", "run", "-d", "--runc-root", runcRoot, "--cgroup", cgroup,
				testbed.BusyboxImage, id, "sleep", "300"); err != nil {
				t.Errorf("ctr run: %v: %s", err, out)
			}
			ran <- time.Now()
		}()
		running := func(m Model) bool { return rowOf(m, id) != "" && strings.Contains(rowOf(m, id), "RUNNING") }
		m, _ = uitest.Until(t, l, m, 30*time.Second, running)
		shown := time.Now()
		ranAt := <-ran
		t.Logf("containerd %s: task shown %v after ctr run returned: %s", d.Version, shown.Sub(ranAt).Round(time.Millisecond), rowOf(m, id))
		if late := shown.Sub(ranAt); late > testclock.Generous {
			t.Errorf("task shown %v after ctr run returned", late)
		}

		if out, err := d.Ctr(ctx, "-n", "default", "task", "kill", "-s", "SIGKILL", id); err != nil {
			t.Fatalf("ctr task kill: %v: %s", err, out)
		}
		m, took := uitest.Until(t, l, m, testclock.Generous, func(m Model) bool {
			return strings.Contains(rowOf(m, id), "STOPPED")
		})
		t.Logf("containerd %s: exit shown %v after ctr task kill returned: %s", d.Version, took.Round(time.Millisecond), rowOf(m, id))
		if !strings.Contains(rowOf(m, id), " 137 ") {
			t.Errorf("exit status not 137: %s", rowOf(m, id))
		}

		// ctr task rm and ctr c rm: the row loses its task, then goes.
		for _, args := range [][]string{{"task", "rm", id}, {"container", "rm", id}} {
			if out, err := d.Ctr(ctx, append([]string{"-n", "default"}, args...)...); err != nil {
				t.Fatalf("ctr %v: %v: %s", args, err, out)
			}
		}
		m, _ = uitest.Until(t, l, m, testclock.Generous, func(m Model) bool { return rowOf(m, id) == "" })

		// Then nothing runs: no message for longer than the flush
		// windows, the next being the 30 s safety net.
		settle := time.Now().Add(time.Second)
		for {
			msg, ok := l.Next(time.Until(settle))
			if !ok {
				break
			}
			tm, cmd := m.Update(msg)
			l.Run(cmd)
			m = tm.(Model)
		}
		if msg, ok := l.Next(2 * time.Second); ok {
			t.Errorf("idle UI got %T %+v", msg, msg)
		}
	})
}

// rowOf is the screen line of the row whose first cell is id, spaces
// squeezed; "" when not shown.
func rowOf(m Model, id string) string {
	for l := range strings.SplitSeq(screen(m), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == id {
			return strings.Join(f, " ")
		}
	}
	return ""
}
