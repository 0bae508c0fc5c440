package ui

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/usage"
)

// meteredNative is the fake native side with task metrics (pure UI-model
// test): it counts the calls.
type meteredNative struct {
	*fake.Native
	calls atomic.Int32
}

func (n *meteredNative) TaskMetrics(_ context.Context, _ string, ids []string) ([]backend.Usage, error) {
	n.calls.Add(1)
	out := make([]backend.Usage, 0, len(ids))
	for _, id := range ids {
		out = append(out, backend.Usage{ID: id, HasMemory: true, Memory: 1 << 20})
	}
	return out, nil
}

// An idle :containers page with no running container on screen costs
// nothing: the stats tick issues no command (no sample, no re-arm, so no
// further tick, update or frame) until a message leaves a running row on
// screen, which wakes the timer again.
func TestStatsTimerSleepsWithNoRunningRowOnScreen(t *testing.T) {
	n := newNode(0)
	var ctrs []backend.Container
	for i := range 40 {
		ctrs = append(ctrs, backend.Container{ID: fmt.Sprintf("c-%02d", i), Image: "busybox"})
	}
	n.native.Ctrs["default"] = ctrs
	metered := &meteredNative{Native: n.native}
	n.b.Native = metered
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: testclock.Clock(), StatsInterval: time.Millisecond})
	m = feed(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m = run(t, m, m.Init())
	m = keys(t, m, ":")
	m = typed(t, m, "containers")
	m = keys(t, m, "enter")
	if got := m.top().State().Title; got != "containers" {
		t.Fatalf("on %q, want containers\n%s", got, screen(m))
	}
	tick := m.stats.Arm()()
	tm, cmd := m.Update(tick)
	m = tm.(Model)
	if cmd != nil {
		t.Errorf("a stats tick with no running container on screen returned a command: %v", uitest.Drain(cmd, wait))
	}
	if c := metered.calls.Load(); c != 0 {
		t.Errorf("%d task metrics calls with no running container", c)
	}

	// A task starts on screen (a refresh shows it): the timer wakes.
	ctrs[3].Task = &backend.Task{PID: 3, Status: backend.TaskRunning}
	queue := uitest.Drain(func() tea.Msg { return uitest.Press("ctrl+r") }, wait)
	woke := false
	for i := 0; i < 100 && len(queue) > 0 && !woke; i++ {
		msg := queue[0]
		queue = queue[1:]
		if _, ok := msg.(usage.TickMsg); ok {
			woke = true
			break
		}
		tm, cmd := m.Update(msg)
		m = tm.(Model)
		queue = append(queue, uitest.Drain(cmd, wait)...)
	}
	if !woke {
		t.Fatalf("no stats tick after a task started on screen\n%s", screen(m))
	}
	if c := metered.calls.Load(); c == 0 {
		t.Error("no task metrics call for the running container on screen")
	}
}
