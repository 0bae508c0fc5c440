package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/fake"
)

// lcNode is the fake node with the lifecycle calls: in default, api and web
// run, old has stopped, frozen is paused; in k8s.io one CRI container and
// its sandbox; CRI lists pod default/web, Ready.
type lcNode struct {
	node
	tasks *fake.Tasks
	cri   *fake.CRITasks
}

func newLCNode(readonly bool) lcNode {
	n := newNode(1)
	run := func(id string, st backend.TaskStatus, exit uint32) backend.Container {
		return backend.Container{ID: id, Image: "docker.io/library/busybox:latest", Task: &backend.Task{ID: id, PID: 7, Status: st, ExitStatus: exit}}
	}
	n.native.Ctrs["default"] = []backend.Container{
		run("api", backend.TaskRunning, 0), run("frozen", backend.TaskPaused, 0), run("old", backend.TaskStopped, 3), run("web", backend.TaskRunning, 0),
	}
	cri := backend.Container{ID: "c0ffee", Image: "busybox", Kind: "container", PodName: "web", PodNamespace: "default", ContainerName: "logger",
		Task: &backend.Task{ID: "c0ffee", PID: 9, Status: backend.TaskRunning}}
	sb := backend.Container{ID: "sb1", Image: "pause", Kind: "sandbox", PodName: "web", PodNamespace: "default",
		Task: &backend.Task{ID: "sb1", PID: 8, Status: backend.TaskRunning}}
	n.native.Ctrs["k8s.io"] = []backend.Container{cri, sb}
	n.cri.PodList = []backend.Pod{{ID: "sb1", Name: "web", Namespace: "default", State: backend.PodReady, CreatedAt: testclock.Now()}}
	n.cri.PodCtrs = []backend.PodContainer{{ID: "c0ffee", Name: "logger", PodID: "sb1", PodName: "web", PodNamespace: "default", State: backend.ContainerRunning}}
	tasks := &fake.Tasks{Native: n.native}
	criTasks := &fake.CRITasks{Runtime: n.cri}
	n.b.Native, n.b.CRI = tasks, criTasks
	n.b.Config.Readonly = readonly
	n.b.Config.RuntimeEndpoint = "unix:///run/containerd/containerd.sock"
	return lcNode{node: n, tasks: tasks, cri: criTasks}
}

// colon runs a `:` command.
func colon(t *testing.T, m Model, line string) Model {
	t.Helper()
	m = keys(t, m, ":")
	m = typed(t, m, line)
	return keys(t, m, "enter")
}

// onRow filters the page on top down to id, so the cursor is on it.
func onRow(t *testing.T, m Model, id string) Model {
	t.Helper()
	m = keys(t, m, "/")
	m = typed(t, m, id)
	return keys(t, m, "enter")
}

func startLC(t *testing.T, n lcNode, page string) Model {
	t.Helper()
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: testclock.Clock()})
	m = feed(t, m, tea.WindowSizeMsg{Width: 140, Height: 30})
	m = run(t, m, m.Init())
	return colon(t, m, page)
}

func TestLifecycleKillAsksCancelFirst(t *testing.T) {
	n := newLCNode(false)
	m := startLC(t, n, "containers")
	m = onRow(t, m, "web")
	m = keys(t, m, "ctrl+k")
	s := screen(m)
	if !hasDialog(m) || !strings.Contains(s, "kill container web?") || !strings.Contains(s, "SIGKILL") {
		t.Fatalf("ctrl+k: no kill dialog with SIGKILL:\n%s", s)
	}
	fits(t, m, 140)
	m = keys(t, m, "enter") // on Cancel
	if hasDialog(m) || len(n.tasks.Calls()) != 0 {
		t.Fatalf("enter on the default button killed: %v", n.tasks.Calls())
	}
	m = keys(t, m, "ctrl+k", "up", "space", "down", "right", "enter") // SIGTERM, then Kill
	if got := n.tasks.Calls(); !slices.Equal(got, []string{"kill default/web SIGTERM"}) {
		t.Fatalf("calls %v", got)
	}
	if s := screen(m); !strings.Contains(s, "kill task web with SIGTERM: done") || !strings.Contains(s, "exited 143") {
		t.Fatalf("flash after kill:\n%s", s)
	}
	m = colon(t, m, "log")
	if s := screen(m); !strings.Contains(s, "ctr tasks kill --signal SIGTERM web") {
		t.Fatalf(":log lacks the ctr line:\n%s", s)
	}
}

func TestLifecycleStopWithGraceAndRefusals(t *testing.T) {
	n := newLCNode(false)
	m := startLC(t, n, "containers")
	m = onRow(t, m, "api")
	m = keys(t, m, "ctrl+t", "up", "ctrl+u")
	m = typed(t, m, "soon")
	m = keys(t, m, "down", "right", "enter")
	if s := screen(m); !hasDialog(m) || !strings.Contains(s, `grace period "soon"`) {
		t.Fatalf("a bad grace period was not refused in the dialog:\n%s", s)
	}
	m = keys(t, m, "up", "up", "ctrl+u")
	m = typed(t, m, "3")
	m = keys(t, m, "down", "right", "enter")
	if got := n.tasks.Calls(); !slices.Equal(got, []string{"stop default/api 3s"}) {
		t.Fatalf("calls %v", got)
	}
	if s := screen(m); !strings.Contains(s, "STOPPED") || !strings.Contains(s, "stop task api: done; exited 143 after SIGTERM (via containerd's task API)") {
		t.Fatalf("after stop:\n%s", s)
	}
	// Nothing to stop: a sentence, no dialog, no call.
	m = keys(t, m, "esc")
	m = onRow(t, m, "old")
	m = keys(t, m, "ctrl+t")
	if s := screen(m); hasDialog(m) || !strings.Contains(s, "task old already stopped (exit 3)") {
		t.Fatalf("stop of a stopped task:\n%s", s)
	}
	m = colon(t, m, "pause")
	if s := screen(m); !strings.Contains(s, "pause: task old already stopped") {
		t.Fatalf(":pause of a stopped task:\n%s", s)
	}
	if got := n.tasks.Calls(); len(got) != 1 {
		t.Fatalf("refusals called the backend: %v", got)
	}
}

func TestLifecyclePauseToggles(t *testing.T) {
	n := newLCNode(false)
	m := startLC(t, n, "tasks")
	m = onRow(t, m, "frozen")
	m = keys(t, m, "z")
	m = keys(t, m, "esc")
	m = onRow(t, m, "web")
	m = keys(t, m, "z")
	if got := n.tasks.Calls(); !slices.Equal(got, []string{"resume default/frozen", "pause default/web"}) {
		t.Fatalf("calls %v", got)
	}
	m = colon(t, m, "resume")
	m = colon(t, m, "resume")
	if s := screen(m); !strings.Contains(s, "task web is not paused (it is RUNNING)") {
		t.Fatalf("second :resume:\n%s", s)
	}
	m = colon(t, m, "log")
	for _, want := range []string{"ctr tasks resume frozen", "ctr tasks pause web", "ctr tasks resume web"} {
		if !strings.Contains(screen(m), want) {
			t.Errorf(":log lacks %q:\n%s", want, screen(m))
		}
	}
}

func TestLifecycleRemove(t *testing.T) {
	n := newLCNode(false)
	m := startLC(t, n, "tasks")
	// On the tasks page ctrl+d is ctr tasks rm: a running task is refused.
	m = onRow(t, m, "web")
	m = keys(t, m, "ctrl+d")
	if s := screen(m); hasDialog(m) || !strings.Contains(s, "task web is RUNNING; stop it (ctrl+t)") {
		t.Fatalf("tasks rm of a running task:\n%s", s)
	}
	m = keys(t, m, "esc")
	m = onRow(t, m, "old")
	m = keys(t, m, "ctrl+d", "right", "enter")
	if got := n.tasks.Calls(); !slices.Equal(got, []string{"rmtask default/old"}) {
		t.Fatalf("calls %v", got)
	}
	// On the containers page it is ctr containers rm; a running one needs
	// "stop it first".
	m = colon(t, m, "containers")
	m = onRow(t, m, "web")
	m = keys(t, m, "ctrl+d")
	if s := screen(m); !strings.Contains(s, "remove container web?") || !strings.Contains(s, "stop it first") {
		t.Fatalf("remove dialog:\n%s", s)
	}
	m = keys(t, m, "right", "enter")
	if s := screen(m); !hasDialog(m) || !strings.Contains(s, "still runs") {
		t.Fatalf("remove of a running container without stop-first went on:\n%s", s)
	}
	m = keys(t, m, "up", "up", "up", "space", "down", "down", "down", "enter")
	if got := n.tasks.Calls(); !slices.Equal(got, []string{"rmtask default/old", "rm default/web stopFirst=true"}) {
		t.Fatalf("calls %v", got)
	}
	if s := screen(m); !strings.Contains(s, "no rows match the filter") || !strings.Contains(s, "remove container web: done") {
		t.Fatalf("web still listed or no flash:\n%s", s)
	}
	m = colon(t, m, "log")
	if s := screen(m); !strings.Contains(s, "ctr containers rm web") || !strings.Contains(s, "ctr tasks rm old") {
		t.Fatalf(":log:\n%s", s)
	}
}

func TestLifecycleThroughCRI(t *testing.T) {
	n := newLCNode(false)
	m := startLC(t, n, "ns k8s.io")
	m = colon(t, m, "containers")
	m = onRow(t, m, "c0ffee")
	m = keys(t, m, "ctrl+t")
	if s := screen(m); !strings.Contains(s, "stop container default/web/logger?") || !strings.Contains(s, "through CRI (crictl stop)") {
		t.Fatalf("stop of a CRI container:\n%s", s)
	}
	m = keys(t, m, "right", "enter")
	if got := n.cri.Calls(); !slices.Equal(got, []string{"crictl stop c0ffee"}) || len(n.tasks.Calls()) != 0 {
		t.Fatalf("CRI calls %v, native %v", got, n.tasks.Calls())
	}
	if s := screen(m); !strings.Contains(s, "done through CRI") {
		t.Fatalf("flash does not say CRI:\n%s", s)
	}
	// Kill has no CRI call: containerd's task API, and the dialog says so.
	m = keys(t, m, "ctrl+k")
	if s := screen(m); !strings.Contains(s, "CRI has no kill") {
		t.Fatalf("kill dialog of a CRI container:\n%s", s)
	}
	m = keys(t, m, "esc")
	// Pods: kill is not for pods; ctrl+d is crictl rmp, stop-first on.
	m = colon(t, m, "pods")
	m = keys(t, m, "ctrl+k")
	if s := screen(m); !strings.Contains(s, "kill works on one container") {
		t.Fatalf("kill on a pod:\n%s", s)
	}
	m = keys(t, m, "ctrl+d", "up", "space", "down", "down", "enter")
	if got := n.cri.Calls(); !slices.Equal(got, []string{"crictl stop c0ffee", "crictl rmp sb1 stopFirst=true"}) {
		t.Fatalf("CRI calls %v", got)
	}
	m = colon(t, m, "log")
	s := screen(m)
	for _, want := range []string{"crictl --runtime-endpoint unix:///run/containerd/containerd.sock stopp sb1 && crictl", "stop --timeout 10 c0ffee", "CRI"} {
		if !strings.Contains(s, want) {
			t.Errorf(":log lacks %q:\n%s", want, s)
		}
	}
}

func TestLifecycleReadonly(t *testing.T) {
	n := newLCNode(true)
	m := startLC(t, n, "containers")
	m = onRow(t, m, "web")
	for _, k := range []string{"ctrl+t", "ctrl+k", "z", "ctrl+d"} {
		m = keys(t, m, k)
		if s := screen(m); hasDialog(m) || !strings.Contains(s, "--readonly") {
			t.Fatalf("%s under --readonly:\n%s", k, s)
		}
	}
	m = colon(t, m, "kill SIGTERM")
	if s := screen(m); !strings.Contains(s, "kill task web with SIGKILL: ctui runs with --readonly") && !strings.Contains(s, "--readonly") {
		t.Fatalf(":kill under --readonly:\n%s", s)
	}
	if len(n.tasks.Calls()) != 0 {
		t.Fatalf("calls under --readonly: %v", n.tasks.Calls())
	}
	m = keys(t, m, "?")
	if s := screen(m); strings.Contains(s, "ctrl+k") || strings.Contains(s, "pause the task") {
		t.Fatalf("help shows lifecycle keys under --readonly:\n%s", s)
	}
	m = keys(t, m, "?")
	// Without readonly help lists them on the containers page, not on images.
	n2 := newLCNode(false)
	m = startLC(t, n2, "containers")
	m = keys(t, m, "?")
	if s := screen(m); !strings.Contains(s, "ctrl+k") || !strings.Contains(s, "container actions") {
		t.Fatalf("help lacks the lifecycle keys:\n%s", s)
	}
}

func TestKillCommandPreselectsSignal(t *testing.T) {
	n := newLCNode(false)
	m := startLC(t, n, "containers")
	m = onRow(t, m, "web")
	m = colon(t, m, "kill hup")
	m = keys(t, m, "right", "enter")
	if got := n.tasks.Calls(); !slices.Equal(got, []string{"kill default/web SIGHUP"}) {
		t.Fatalf("calls %v", got)
	}
	m = colon(t, m, "kill NOPE")
	if s := screen(m); !strings.Contains(s, `unknown signal "SIGNOPE"`) {
		t.Fatalf(":kill NOPE:\n%s", s)
	}
}
