package containers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

// now is the test time the fixtures are made around, and the pages' clock.
var now = testclock.Now()

func TestRow(t *testing.T) {
	running := backend.Container{ID: "web", Image: "docker.io/library/nginx:1", Runtime: "io.containerd.runc.v2", CreatedAt: now.Add(-5 * time.Minute),
		Task: &backend.Task{PID: 4242, Status: backend.TaskRunning}}
	crashed := backend.Container{ID: "0123456789abcdef", Image: "busybox", Runtime: "io.containerd.runc.v2", CreatedAt: now.Add(-3 * time.Hour),
		Task: &backend.Task{Status: backend.TaskStopped, ExitStatus: 3}, PodName: "crash", PodNamespace: "default", ContainerName: "app", Kind: "container"}
	sandbox := backend.Container{ID: "sb", Image: "registry.k8s.io/pause:3.10", Runtime: "io.containerd.runc.v2", Kind: "sandbox", PodName: "crash", PodNamespace: "default"}
	bare := backend.Container{ID: "bare"}
	tests := []struct {
		name    string
		c       backend.Container
		withPod bool
		want    string
	}{
		{"running", running, false, "web|docker.io/library/nginx:1|RUNNING|4242|-|5m|runc.v2"},
		{"exited with status", crashed, false, "0123456789abcdef|busybox|STOPPED|-|3|3h|runc.v2"},
		{"pod container in k8s.io", crashed, true, "0123456789abcdef|busybox|STOPPED|-|3|3h|runc.v2|default/crash|app|-"},
		{"sandbox", sandbox, true, "sb|registry.k8s.io/pause:3.10|-|-|-|-|runc.v2|default/crash|(sandbox)|-"},
		{"no task, no image", bare, true, "bare|-|-|-|-|-||-|-|-"},
	}
	for _, tt := range tests {
		if got := strings.Join(row(tt.c, nil, tt.withPod, now).Cells, "|"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// A CRI container whose task CRI deleted after it exited shows how it
	// ended, from CRI.
	gone := backend.Container{ID: "c2", Image: "busybox", Runtime: "io.containerd.runc.v2", Kind: "container", PodName: "crash", PodNamespace: "default", ContainerName: "app"}
	pc := &backend.PodContainer{ID: "c2", Name: "app", State: backend.ContainerExited, ExitCode: 3, Attempt: 2}
	if got, want := strings.Join(row(gone, pc, true, now).Cells, "|"), "c2|busybox|EXITED|-|3|-|runc.v2|default/crash|app|2"; got != want {
		t.Errorf("exited CRI container without a task: %q, want %q", got, want)
	}
}

func TestColumnKeysLeaveReservedLettersFree(t *testing.T) {
	for _, c := range Columns(backend.CRINamespace) {
		if c.Key == 'g' || c.Key == 'p' {
			t.Errorf("column %s takes %c", c.Title, c.Key)
		}
	}
}

func load(t *testing.T, f *fake.Native, ns string) Model {
	t.Helper()
	m, cmd := New(Config{ID: 3, Ctx: context.Background(), Lister: f, Namespace: ns, Timeout: time.Second, Styles: theme.New(theme.Options{}), Clock: testclock.Clock()})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 140, Height: 10})
	for _, msg := range uitest.Drain(cmd, time.Second) {
		p, _ = p.Update(msg.(page.Reply).Msg)
	}
	return p.(Model)
}

func TestLoadAndNamespaceColumns(t *testing.T) {
	f := &fake.Native{Ctrs: map[string][]backend.Container{
		"default": {{ID: "web", Task: &backend.Task{PID: 1, Status: backend.TaskRunning}}},
		"k8s.io":  {{ID: "c1", PodName: "p", PodNamespace: "kube-system", ContainerName: "coredns"}},
	}}
	m := load(t, f, "default")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "RUNNING") || strings.Contains(v, "POD") {
		t.Fatalf("default:\n%s", v)
	}
	p, cmd := m.Update(page.NamespaceMsg{Namespace: "k8s.io"})
	for _, msg := range uitest.Drain(cmd, time.Second) {
		p, _ = p.Update(msg.(page.Reply).Msg)
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "POD") || !strings.Contains(v, "kube-system/p") || !strings.Contains(v, "coredns") {
		t.Fatalf("k8s.io:\n%s", v)
	}
}

func TestRefreshDropsStaleReply(t *testing.T) {
	f := &fake.Native{Ctrs: map[string][]backend.Container{"default": {{ID: "a"}}}}
	m, first := New(Config{ID: 3, Ctx: context.Background(), Lister: f, Namespace: "default", Timeout: time.Second, Styles: theme.New(theme.Options{}), Clock: testclock.Clock()})
	old := uitest.Drain(first, time.Second)
	p, _ := m.Update(uitest.Press("ctrl+r"))
	p, _ = p.Update(old[0].(page.Reply).Msg)
	if p.State().Info != "0" {
		t.Fatalf("stale reply applied: %s", p.State().Info)
	}
}
