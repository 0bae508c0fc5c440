package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/fake"
)

// describing is a node whose both sides can describe: the fakes joined with
// one fake.Describer.
func describing(t *testing.T) (node, *fake.Describer) {
	t.Helper()
	n := newNode(3)
	d := &fake.Describer{Docs: map[string]string{
		"container default/web": `{"ID":"web","Spec":{"process":{"args":["nginx","-g","daemon off;"]}}}`,
		"pod sb-crashy":         `{"status":{"metadata":{"name":"crashy"}},"info":{"pid":7}}`,
		"pod container crash1":  `{"status":{"exitCode":3,"reason":"Error"}}`,
	}}
	n.cri.PodList = []backend.Pod{{ID: "sb-crashy", Name: "crashy", Namespace: "jobs", State: backend.PodReady, CreatedAt: testclock.Now()}}
	n.cri.PodCtrs = []backend.PodContainer{
		{ID: "crash0", Name: "crasher", PodID: "sb-crashy", State: backend.ContainerExited, ExitCode: 3, Reason: "Error", CreatedAt: testclock.Now().Add(-time.Minute)},
		{ID: "crash1", Name: "crasher", PodID: "sb-crashy", State: backend.ContainerExited, ExitCode: 3, Reason: "Error", Attempt: 1, CreatedAt: testclock.Now()},
	}
	n.b.Native = struct {
		*fake.Native
		*fake.Describer
	}{n.native, d}
	n.b.CRI = struct {
		*fake.Runtime
		*fake.Describer
	}{n.cri, d}
	return n, d
}

func TestPodsDrillInAndDescribe(t *testing.T) {
	n, _ := describing(t)
	m := start(t, n, 120, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "po")
	m = keys(t, m, "enter")
	if s := screen(m); len(m.pages) != 2 || !strings.Contains(s, "crashy") || !strings.Contains(s, "(default)") || !strings.Contains(s, "pods 1") {
		t.Fatalf(":po did not open pods:\n%s", s)
	}
	m = keys(t, m, "enter")
	if s := screen(m); len(m.pages) != 3 || !strings.Contains(s, "pod jobs/crashy 2") || !strings.Contains(s, "Error") || !strings.Contains(s, "60s") {
		t.Fatalf("enter did not open the pod's containers:\n%s", s)
	}
	m = keys(t, m, "d")
	s := screen(m)
	if len(m.pages) != 4 || !strings.Contains(s, `"exitCode": 3`) || !strings.Contains(s, "describe pod container crash1") {
		t.Fatalf("d did not describe the newest attempt:\n%s", s)
	}
	m = keys(t, m, "y")
	if s := screen(m); !strings.Contains(s, "exitCode: 3") || !strings.Contains(s, "reason: Error") {
		t.Fatalf("y did not flip to YAML:\n%s", s)
	}
	// esc walks back: containers, pods; d there describes the pod.
	m = keys(t, m, "esc", "esc")
	if len(m.pages) != 2 {
		t.Fatalf("esc esc: %d pages", len(m.pages))
	}
	m = keys(t, m, "d")
	if s := screen(m); !strings.Contains(s, `"pid": 7`) || !strings.Contains(s, "describe pod jobs/crashy") {
		t.Fatalf("d on pods:\n%s", s)
	}
	// :pods again returns to the open pods page rather than stacking one.
	m = keys(t, m, ":")
	m = typed(t, m, "pods")
	m = keys(t, m, "enter")
	if len(m.pages) != 2 {
		t.Fatalf(":pods stacked a page: %d", len(m.pages))
	}
}

func TestTasksAndDescribeSearch(t *testing.T) {
	n, d := describing(t)
	m := start(t, n, 120, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "t")
	m = keys(t, m, "enter")
	if s := screen(m); len(m.pages) != 2 || !strings.Contains(s, "TASK") || !strings.Contains(s, "RUNNING") || !strings.Contains(s, "tasks 1") {
		t.Fatalf(":t did not open tasks:\n%s", s)
	}
	m = keys(t, m, "d")
	if s := screen(m); !strings.Contains(s, `"nginx",`) || d.Calls[len(d.Calls)-1] != "container default/web" {
		t.Fatalf("d on a task:\n%s", s)
	}
	// While searching, q and d are typed, not quit or describe.
	m = keys(t, m, "/")
	m = typed(t, m, "daemon")
	if s := screen(m); !strings.Contains(s, "/daemon") || !strings.Contains(s, "match 1/1") {
		t.Fatalf("search:\n%s", s)
	}
	m = keys(t, m, "enter", "esc")
	if len(m.pages) != 3 || strings.Contains(screen(m), "match") {
		t.Fatalf("esc clears the search before going back: %d pages\n%s", len(m.pages), screen(m))
	}
	m = keys(t, m, "esc")
	if len(m.pages) != 2 {
		t.Fatalf("esc goes back to tasks: %d pages", len(m.pages))
	}
}

func TestPodsWithoutCRISayWhy(t *testing.T) {
	n := newNode(1)
	n.b.CRI, n.b.CRIErr = nil, backend.Errorf(backend.ErrCRIUnavailable, "the cri plugin is disabled")
	m := start(t, n, 100, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "pods")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "pods need the CRI API: the cri plugin is disabled") {
		t.Fatalf("pods without CRI:\n%s", s)
	}
}

func TestDescribeAnImageFromTheFirstPage(t *testing.T) {
	n, d := describing(t)
	d.SetDoc("image default/docker.io/library/app00000:v1", `{"Name":"docker.io/library/app00000:v1","Manifest":{"layers":[]}}`)
	m := start(t, n, 120, 24)
	m = keys(t, m, "d")
	if s := screen(m); len(m.pages) != 2 || !strings.Contains(s, `"layers": []`) || !strings.Contains(s, "describe image docker.io/library/app00000:v1") {
		t.Fatalf("d on images:\n%s", s)
	}
}
