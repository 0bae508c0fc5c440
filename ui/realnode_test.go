package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
)

// TestPodsTasksDescribeOnRealDaemons walks the pods, a crash-looping pod's
// containers, tasks and describe against the demo node on containerd 1.6
// and 2.x, through the real adapters.
func TestPodsTasksDescribeOnRealDaemons(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			d := testbed.Start(t, v)
			if _, err := d.SeedDemo(ctx); err != nil {
				t.Fatal(err)
			}
			cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Namespace: "default", Timeout: 5 * time.Second}
			nc, err := containerd.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := cri.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			b := &backend.Backend{Config: cfg, Native: nc, CRI: rc}
			defer b.Close()
			m := start(t, node{b: b}, 160, 40)

			m = keys(t, m, ":")
			m = typed(t, m, "pods")
			m = keys(t, m, "enter")
			s := screen(m)
			if !strings.Contains(s, testbed.DemoCrashPod) || !strings.Contains(s, testbed.DemoLoggerPod) || !strings.Contains(s, "(default)") {
				t.Fatalf("pods:\n%s", s)
			}
			// The crash-looping pod is the newest: first row.
			m = keys(t, m, "enter")
			s = screen(m)
			if !strings.Contains(s, "Exited") || !strings.Contains(s, "Error") || strings.Count(s, "crasher") != 3 {
				t.Fatalf("the crash-looping pod's containers (three attempts, exit 3, Error):\n%s", s)
			}
			// The status comes after the runtime's info: search for it.
			m = keys(t, m, "G", "d", "/")
			m = typed(t, m, `"exitcode": 3`)
			m = keys(t, m, "enter")
			if s := screen(m); !strings.Contains(s, `"exitCode": 3`) || !strings.Contains(s, `"reason": "Error"`) || !strings.Contains(s, "match 1/1") {
				t.Fatalf("describe the first attempt:\n%s", s)
			}

			m = keys(t, m, ":")
			m = typed(t, m, "t")
			m = keys(t, m, "enter")
			s = screen(m)
			if !strings.Contains(s, testbed.DemoTickerTask) || !strings.Contains(s, "RUNNING") || !strings.Contains(s, "STOPPED") {
				t.Fatalf("tasks:\n%s", s)
			}
			m = keys(t, m, "/")
			m = typed(t, m, testbed.DemoTickerTask)
			m = keys(t, m, "enter", "d", "/")
			m = typed(t, m, "tick $i")
			m = keys(t, m, "enter")
			if s := screen(m); !strings.Contains(s, "describe container ticker") || !strings.Contains(s, "match 1/1") || !strings.Contains(s, `"RUNNING"`) {
				t.Fatalf("describe the ticker task, search its args:\n%s", s)
			}
		})
	}
}
