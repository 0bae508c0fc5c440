package ui

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/ui/internal/uitest"
)

// TestLogsAndExecOnRealDaemons drives the real root model, its commands run
// as bubbletea runs them, against the demo node on containerd 1.6 and 2.x:
// the logging pod's log follows new lines, search and filter work on it, the
// crash-looping pod's previous attempt shows, a native task's file:// log
// opens, and `:exec echo hi` runs through containerd and through CRI.
func TestLogsAndExecOnRealDaemons(t *testing.T) {
	testbed.EachVersion(t, 4*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		if _, err := d.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Namespace: "default", Timeout: 5 * time.Second}
		b := bothAPIs(ctx, t, cfg)
		r := newRealUI(ctx, t, b)

		r.keys(":")
		r.typed("pods")
		r.keys("enter", "/")
		r.typed(testbed.DemoLoggerPod)
		r.keys("enter")
		r.until(5*time.Second, "the logging pod", func(s string) bool {
			return strings.Contains(s, "logger") || strings.Contains(s, testbed.DemoLoggerPod)
		})

		// l on the pod: its one container's log, following.
		r.keys("l")
		s := r.until(10*time.Second, "the log following", func(s string) bool {
			return strings.Contains(s, "following") && strings.Contains(s, "line ")
		})
		n := lastNumber(t, s, `line (\d+)`)
		r.until(3*time.Second, "new lines", func(s string) bool { return lastNumber(t, s, `line (\d+)`) >= n+2 })

		// Search and filter over the kept lines.
		r.keys("/")
		r.typed("warning")
		r.keys("enter")
		r.until(time.Second, "a search hit", func(s string) bool {
			return strings.Contains(s, "/warning") && strings.Contains(s, "warning ")
		})
		r.keys("&")
		r.typed("warning")
		r.keys("enter")
		s = r.until(time.Second, "only warnings", func(s string) bool { return strings.Contains(s, "&warning") })
		if body := logBody(s); strings.Contains(body, "line ") || !strings.Contains(body, "warning ") {
			t.Fatalf("the filter leaves only warnings:\n%s", s)
		}
		r.keys("esc", "esc", "esc") // search, filter, back to the pods
		r.until(time.Second, "the pods again", func(s string) bool { return strings.Contains(s, "pods") && !strings.Contains(s, "following") })

		// :exec on the pod, natively (containerd has the CRI container).
		r.keys(":")
		r.typed("exec echo hi")
		r.keys("enter")
		r.until(10*time.Second, "echo's output", func(s string) bool {
			return strings.Contains(s, "via containerd") && strings.Contains(s, "\nhi") && strings.Contains(s, "exit code 0")
		})
		r.keys("esc")

		// The crash-looping pod: its current attempt, then the previous.
		r.keys("esc", "/")
		r.typed(testbed.DemoCrashPod)
		r.keys("enter", "l")
		r.until(10*time.Second, "the last attempt", func(s string) bool {
			return strings.Contains(s, "(attempt 2)") && strings.Contains(s, "fatal: missing config")
		})
		r.keys("p")
		r.until(10*time.Second, "the previous attempt", func(s string) bool {
			return strings.Contains(s, "(attempt 1)") && strings.Contains(s, "previous attempt") && strings.Contains(s, "starting attempt")
		})
		r.keys("esc")

		// A native task's file:// log.
		r.keys(":")
		r.typed("tasks")
		r.keys("enter", "/")
		r.typed(testbed.DemoTickerTask)
		r.keys("enter", "l")
		r.until(10*time.Second, "the ticker's log", func(s string) bool {
			return strings.Contains(s, "task "+testbed.DemoTickerTask) && strings.Contains(s, "tick ")
		})

		// :exec through CRI alone, as against a runtime other than
		// containerd.
		bc := &backend.Backend{Config: cfg, CRI: b.CRI, NativeErr: backend.Errorf(backend.ErrUnavailable, "not asked")}
		rc2 := newRealUI(ctx, t, bc)
		rc2.keys(":")
		rc2.typed("pods")
		rc2.keys("enter", "/")
		rc2.typed(testbed.DemoLoggerPod)
		rc2.keys("enter")
		rc2.until(5*time.Second, "the logging pod", func(s string) bool { return strings.Contains(s, testbed.DemoLoggerPod) })
		rc2.keys(":")
		rc2.typed("exec echo hi")
		rc2.keys("enter")
		rc2.until(10*time.Second, "echo's output through CRI", func(s string) bool {
			return strings.Contains(s, "via CRI") && strings.Contains(s, "\nhi") && strings.Contains(s, "exit code 0")
		})
	})
}

// realUI is the root model on a real daemon, run by a bubbletea-like loop
// that keeps long waits (a log's next batch) alive.
type realUI struct {
	t *testing.T
	l *uitest.Loop
	m Model
}

func newRealUI(ctx context.Context, t *testing.T, b *backend.Backend) *realUI {
	t.Helper()
	r := &realUI{t: t, l: uitest.NewLoop(t)}
	m := New(ctx, b, Options{NoColor: true})
	tm, cmd := m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	r.l.Run(cmd)
	r.l.Run(tm.(Model).Init())
	r.m = tm.(Model)
	r.until(10*time.Second, "the first page", func(s string) bool { return strings.Contains(s, "images") })
	return r
}

func (r *realUI) keys(ks ...string) {
	for _, k := range ks {
		tm, cmd := r.m.Update(uitest.Press(k))
		r.l.Run(cmd)
		r.m = tm.(Model)
		r.drain()
	}
}

func (r *realUI) typed(s string) {
	for _, k := range uitest.Type(s) {
		tm, cmd := r.m.Update(k)
		r.l.Run(cmd)
		r.m = tm.(Model)
	}
	r.drain()
}

// drain feeds what arrives within a moment, so a key's answer (a page
// pushed, a search applied) is in before the next key.
func (r *realUI) drain() {
	for {
		msg, ok := r.l.Next(150 * time.Millisecond)
		if !ok {
			return
		}
		if _, quit := msg.(tea.QuitMsg); quit {
			continue
		}
		tm, cmd := r.m.Update(msg)
		r.l.Run(cmd)
		r.m = tm.(Model)
	}
}

func (r *realUI) until(within time.Duration, what string, done func(string) bool) string {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for !done(screen(r.m)) {
		msg, ok := r.l.Next(time.Until(deadline))
		if !ok {
			r.t.Fatalf("%s: not on screen after %v:\n%s", what, within, screen(r.m))
		}
		if _, quit := msg.(tea.QuitMsg); quit {
			continue
		}
		tm, cmd := r.m.Update(msg)
		r.l.Run(cmd)
		r.m = tm.(Model)
	}
	return screen(r.m)
}

// lastNumber is the largest number the pattern's group captures in s.
func lastNumber(t *testing.T, s, pattern string) int {
	t.Helper()
	best := -1
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(s, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > best {
			best = n
		}
	}
	return best
}

// logBody is the log lines of a screen with a log page: between the page's
// header line and the status line.
func logBody(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) < headerLines+3 {
		return ""
	}
	return strings.Join(lines[headerLines+1:len(lines)-1], "\n")
}
