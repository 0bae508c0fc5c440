package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/uitest"
)

// TestPodsTasksDescribeOnRealDaemons walks the pods, a crash-looping pod's
// containers, tasks and describe against the demo node on containerd 1.6
// and 2.x, through the real adapters.
func TestPodsTasksDescribeOnRealDaemons(t *testing.T) {
	testbed.EachVersion(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		if _, err := d.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Namespace: "default", Timeout: 5 * time.Second}
		b := bothAPIs(ctx, t, cfg)
		// The real adapters answer when the daemon gets to it (seconds
		// on a loaded machine): each step waits for its screen.
		dr := &driver{t: t, m: New(ctx, b, Options{NoColor: true, Clock: testclock.Clock()}), loop: uitest.NewLoop(t)}
		dr.send(tea.WindowSizeMsg{Width: 160, Height: 40})
		dr.loop.Run(dr.m.Init())
		const step = time.Minute
		loaded := func(m Model) bool { return !strings.Contains(screen(m), "reading ") }

		dr.command("pods")
		dr.until("pods", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, testbed.DemoCrashPod) && strings.Contains(s, testbed.DemoLoggerPod) && strings.Contains(s, "(default)")
		})
		// The crash-looping pod is the newest: first row.
		dr.keys("enter")
		dr.until("the crash-looping pod's containers (three attempts, exit 3, Error)", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, "Exited") && strings.Contains(s, "Error") && strings.Count(s, "crasher") == 3
		})
		// The status comes after the runtime's info: search for it.
		dr.keys("G", "d")
		dr.until("describe the first attempt", step, func(m Model) bool {
			return strings.Contains(screen(m), "describe pod container") && loaded(m)
		})
		dr.keys("/")
		dr.send(uitest.Type(`"exitcode": 3`)...)
		dr.keys("enter")
		dr.until("the first attempt's exit code and reason found", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, `"exitCode": 3`) && strings.Contains(s, `"reason": "Error"`) && strings.Contains(s, "match 1/1")
		})

		dr.command("t")
		dr.until("tasks", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, testbed.DemoTickerTask) && strings.Contains(s, "RUNNING") && strings.Contains(s, "STOPPED")
		})
		dr.keys("/")
		dr.send(uitest.Type(testbed.DemoTickerTask)...)
		dr.keys("enter", "d")
		dr.until("describe the ticker task", step, func(m Model) bool {
			return strings.Contains(screen(m), "describe container ticker") && loaded(m)
		})
		// Its task runs; its args are further down, past the task's
		// resource use: search for each.
		dr.keys("/")
		dr.send(uitest.Type(`"status": "running"`)...)
		dr.keys("enter")
		dr.until("the ticker's task RUNNING in its description", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, "describe container ticker") && strings.Contains(s, "match 1/1") && strings.Contains(s, `"Status": "RUNNING"`)
		})
		dr.keys("esc", "/")
		dr.send(uitest.Type("tick $i")...)
		dr.keys("enter")
		dr.until("the ticker's args found in its description", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, "describe container ticker") && strings.Contains(s, "match 1/1") && strings.Contains(s, `echo \"tick $i\"`)
		})
	})
}

// bothAPIs connects ctui's real adapters, native and CRI, as cmd/ctui does,
// for a test driving the UI against a real daemon; closed when the test
// ends.
func bothAPIs(ctx context.Context, t *testing.T, cfg backend.Config) *backend.Backend {
	t.Helper()
	nc, err := containerd.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := cri.New(ctx, cfg)
	if err != nil {
		nc.Close()
		t.Fatal(err)
	}
	b := &backend.Backend{Config: cfg, Native: nc, CRI: rc}
	t.Cleanup(func() { b.Close() })
	return b
}
