package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/events"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
)

// live starts the root with a bubbletea-like loop that keeps the event
// stream's wait running, and waits until the stream is open.
func live(t *testing.T, n node) (Model, *uitest.Loop) {
	t.Helper()
	l := uitest.NewLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := New(ctx, n.b, Options{NoColor: true, Clock: testclock.Clock()})
	tm, cmd := m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	l.Run(cmd)
	l.Run(tm.(Model).Init())
	m, _ = uitest.Until(t, l, tm.(Model), 2*time.Second, func(m Model) bool {
		return m.hub.Open() && strings.Contains(screen(m), "app00000")
	})
	return m, l
}

// do feeds msg to m and keeps the loop going until done.
func do(t *testing.T, l *uitest.Loop, m Model, msg tea.Msg, within time.Duration, done func(Model) bool) Model {
	t.Helper()
	tm, cmd := m.Update(msg)
	l.Run(cmd)
	m, _ = uitest.Until(t, l, tm.(Model), within, done)
	return m
}

func TestEventReachesPageWithoutKeys(t *testing.T) {
	n := newNode(3)
	m, l := live(t, n)
	m = do(t, l, m, uitest.Press(":"), time.Second, func(m Model) bool { return m.cmdline.Active })
	m = typedLive(t, l, m, "c")
	m = do(t, l, m, uitest.Press("enter"), time.Second, func(m Model) bool { return strings.Contains(screen(m), "containers 1") })

	n.native.SetContainers("default", append(n.native.Ctrs["default"],
		backend.Container{ID: "started-elsewhere", Image: "docker.io/library/busybox:latest", Task: &backend.Task{PID: 4321, Status: backend.TaskRunning}}))
	n.native.Emit(backend.Event{Namespace: "default", Topic: backend.TopicContainerCreate, ID: "started-elsewhere"})
	n.native.Emit(backend.Event{Namespace: "default", Topic: backend.TopicTaskStart, ID: "started-elsewhere", PID: 4321})
	m, took := uitest.Until(t, l, m, time.Second, func(m Model) bool {
		return strings.Contains(screen(m), "started-elsewhere") && strings.Contains(screen(m), "4321")
	})
	t.Logf("new task shown after %v", took)

	n.native.Emit(backend.Event{Namespace: "default", Topic: backend.TopicTaskExit, ID: "started-elsewhere", PID: 4321, ExitStatus: 2})
	uitest.Until(t, l, m, time.Second, func(m Model) bool { return strings.Contains(screen(m), "STOPPED") })
}

func typedLive(t *testing.T, l *uitest.Loop, m Model, s string) Model {
	t.Helper()
	for _, k := range uitest.Type(s) {
		tm, cmd := m.Update(k)
		l.Run(cmd)
		m = tm.(Model)
	}
	return m
}

func TestIdleIsQuiet(t *testing.T) {
	_, l := live(t, newNode(3))
	// Details and the first answers may still trickle in; after that,
	// nothing runs until the safety net.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if _, ok := l.Next(time.Until(deadline)); !ok {
			break
		}
	}
	if msg, ok := l.Next(1500 * time.Millisecond); ok {
		t.Fatalf("idle UI got %T %+v", msg, msg)
	}
}

func TestNamespaceSwitchResubscribes(t *testing.T) {
	n := newNode(3)
	m, l := live(t, n)
	gen := m.hub.Gen()
	m = do(t, l, m, page.SwitchNamespaceMsg{Namespace: "k8s.io"}, 2*time.Second, func(m Model) bool {
		return m.hub.Open() && m.hub.Gen() != gen && len(n.native.Subscribers()) == 1
	})
	if m.hub.Namespace() != "k8s.io" {
		t.Fatalf("stream filters for %q", m.hub.Namespace())
	}
	// An event of the old namespace no longer reaches the pages; one of
	// the new does.
	n.native.Emit(backend.Event{Namespace: "default", Topic: backend.TopicImageUpdate, ID: "x"})
	n.native.Emit(backend.Event{Namespace: "k8s.io", Topic: backend.TopicImageUpdate, ID: "y"})
	var got []backend.Event
	for len(got) == 0 {
		msg, ok := l.Next(time.Second)
		if !ok {
			t.Fatal("k8s.io's event not delivered")
		}
		if e, ok := msg.(events.BatchMsg); ok {
			got = e.Events
		}
		tm, cmd := m.Update(msg)
		m = tm.(Model)
		l.Run(cmd)
	}
	if len(got) != 1 || got[0].ID != "y" {
		t.Fatalf("delivered %+v", got)
	}
}

func TestBrokenStreamResubscribesAndRelists(t *testing.T) {
	n := newNode(3)
	m, l := live(t, n)
	lists, _, _ := n.native.Calls()
	n.native.Break(backend.Errorf(backend.ErrFailed, "stream reset"))
	m, _ = uitest.Until(t, l, m, 2*time.Second, func(m Model) bool {
		now, _, _ := n.native.Calls()
		return m.hub.Open() && len(now) == len(lists)+1
	})
	if !strings.Contains(screen(m), "live updates interrupted") {
		t.Fatalf("no flash for the broken stream:\n%s", screen(m))
	}
	if m.hub.Broken() {
		t.Fatal("still marked broken after the re-list")
	}
}

func TestLostConnectionStreamComesBackWithPanel(t *testing.T) {
	n := newNode(3)
	m, l := live(t, n)
	n.native.Break(backend.Errorf(backend.ErrUnavailable, "containerd at /run/containerd/containerd.sock ended the event stream"))
	m, _ = uitest.Until(t, l, m, time.Second, func(m Model) bool { return m.conn.Lost })
	// The probe answers (the fake daemon is up): panel closes, pages
	// reload, the stream is open again.
	uitest.Until(t, l, m, 4*time.Second, func(m Model) bool {
		return !m.conn.Lost && m.hub.Open() && slices.Equal(n.native.Subscribers(), []string{""})
	})
}

func TestSafetyNetListsPageOnScreen(t *testing.T) {
	n := newNode(3)
	m, l := live(t, n)
	lists, _, _ := n.native.Calls()
	uitest.Until(t, l, m, time.Second, func(m Model) bool { return true })
	m = do(t, l, m, events.SafetyMsg{Seq: m.hub.SafetySeq()}, time.Second, func(Model) bool {
		now, _, _ := n.native.Calls()
		return len(now) == len(lists)+1
	})
	if m.hub.SafetySeq() == 0 {
		t.Fatal("safety net not re-armed")
	}
}
