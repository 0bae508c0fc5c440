package tasks

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
	running := backend.Container{ID: "ticker", Task: &backend.Task{PID: 4242, Status: backend.TaskRunning}}
	done := backend.Container{ID: "hello", Task: &backend.Task{Status: backend.TaskStopped, ExitedAt: now.Add(-3 * time.Minute)}}
	crashed := backend.Container{ID: "0123456789abcdef", PodName: "crashy", PodNamespace: "jobs", ContainerName: "crasher", Kind: "container",
		Task: &backend.Task{Status: backend.TaskStopped, ExitStatus: 3, ExitedAt: now.Add(-5 * time.Second)}}
	sandbox := backend.Container{ID: "sb", PodName: "crashy", PodNamespace: "jobs", Kind: "sandbox", Task: &backend.Task{PID: 7, Status: backend.TaskRunning}}
	created := backend.Container{ID: "new", Task: &backend.Task{PID: 9, Status: backend.TaskCreated}}
	tests := []struct {
		name    string
		c       backend.Container
		withPod bool
		want    string
	}{
		{"running", running, false, "ticker|4242|RUNNING|-|-"},
		{"exited 0", done, false, "hello|-|STOPPED|0|3m"},
		{"crash-looping pod container", crashed, true, "0123456789abcdef|-|STOPPED|3|5s|jobs/crashy|crasher"},
		{"sandbox", sandbox, true, "sb|7|RUNNING|-|-|jobs/crashy|(sandbox)"},
		{"created, not started", created, true, "new|9|CREATED|-|-|-|-"},
	}
	for _, tt := range tests {
		if got := strings.Join(row(tt.c, tt.withPod, now).Cells, "|"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestColumnKeysLeaveReservedLettersFree(t *testing.T) {
	for _, c := range Columns(backend.CRINamespace) {
		if c.Key == 'g' || c.Key == 'p' {
			t.Errorf("column %s takes %c", c.Title, c.Key)
		}
	}
}

func native() *fake.Native {
	return &fake.Native{Ctrs: map[string][]backend.Container{
		"default": {
			{ID: "hello", Task: &backend.Task{Status: backend.TaskStopped}},
			{ID: "no-task"},
			{ID: "ticker", Task: &backend.Task{PID: 42, Status: backend.TaskRunning}},
		},
		"k8s.io": {
			{ID: "c1", PodName: "web", PodNamespace: "default", ContainerName: "logger", Kind: "container", Task: &backend.Task{PID: 50, Status: backend.TaskRunning}},
		},
	}}
}

func cfg(l backend.ContainerLister, ns string) Config {
	return Config{ID: 4, Ctx: context.Background(), Lister: l, Namespace: ns, Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}), Clock: testclock.Clock()}
}

func load(t *testing.T, c Config) page.Page {
	t.Helper()
	m, cmd := New(c)
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = uitest.Pump(t, p, cmd)
	return p
}

func screen(p page.Page) string { return ansi.Strip(p.View()) }

func TestOnlyContainersWithATask(t *testing.T) {
	p := load(t, cfg(native(), "default"))
	s := screen(p)
	if strings.Contains(s, "no-task") || !strings.Contains(s, "ticker") || !strings.Contains(s, "STOPPED") || strings.Contains(s, "POD") {
		t.Fatalf("default:\n%s", s)
	}
	if st := p.State(); st.Title != "tasks" || st.Info != "2" {
		t.Errorf("state %+v", st)
	}
	obj, ok := p.(page.Selector).Selected()
	if !ok || obj != (page.Object{Kind: page.KindContainer, Namespace: "default", ID: "hello"}) {
		t.Errorf("selected %+v", obj)
	}
	// k8s.io adds the pod and the container name.
	p, cmd := p.Update(page.NamespaceMsg{Namespace: "k8s.io"})
	p, _ = uitest.Pump(t, p, cmd)
	s = screen(p)
	if !strings.Contains(s, "POD") || !strings.Contains(s, "default/web") || !strings.Contains(s, "logger") {
		t.Fatalf("k8s.io:\n%s", s)
	}
	if obj, _ := p.(page.Selector).Selected(); obj.Namespace != "k8s.io" || obj.ID != "c1" {
		t.Errorf("selected %+v", obj)
	}
}

func TestTaskEventsRelistOncePerBurst(t *testing.T) {
	n := native()
	p := load(t, cfg(n, "default"))
	_, lists, _ := n.Calls()
	before := len(lists)
	p, cmd := p.Update(page.EventsMsg{Events: []backend.Event{{Namespace: "k8s.io", Topic: backend.TopicTaskExit, ID: "c1"}}})
	if cmd != nil {
		t.Fatal("an event of another namespace armed a re-list")
	}
	burst := page.EventsMsg{Events: []backend.Event{{Namespace: "default", Topic: backend.TopicTaskExit, ID: "ticker", ExitStatus: 137}}}
	p, cmd = p.Update(burst)
	p, again := p.Update(burst)
	if cmd == nil || again != nil {
		t.Fatal("a burst must arm exactly one flush")
	}
	n.SetContainers("default", []backend.Container{{ID: "ticker", Task: &backend.Task{Status: backend.TaskStopped, ExitStatus: 137}}})
	p, _ = uitest.Pump(t, p, cmd)
	_, lists, _ = n.Calls()
	if s := screen(p); len(lists) != before+1 || !strings.Contains(s, "137") {
		t.Errorf("after the flush (%d lists):\n%s", len(lists)-before, s)
	}
}

func TestUnavailable(t *testing.T) {
	c := cfg(nil, "default")
	c.Unavailable = backend.Errorf(backend.ErrSocketMissing, "containerd socket /run/containerd/containerd.sock does not exist")
	p := load(t, c)
	if s := strings.Join(strings.Fields(screen(p)), " "); !strings.Contains(s, "tasks of default: containerd socket") {
		t.Errorf("screen %q", s)
	}
}

func TestViewFitsEverySize(t *testing.T) {
	for _, w := range []int{0, 1, 10, 40, 80, 200} {
		for _, h := range []int{0, 1, 3, 24} {
			m, cmd := New(cfg(native(), "k8s.io"))
			var p page.Page = m
			p, _ = p.Update(page.SizeMsg{Width: w, Height: h})
			p, _ = uitest.Pump(t, p, cmd)
			v := p.View()
			if ls := strings.Split(v, "\n"); v != "" && len(ls) > h {
				t.Errorf("%dx%d: %d lines", w, h, len(ls))
			}
			for _, l := range strings.Split(v, "\n") {
				if ansi.StringWidth(l) > w {
					t.Errorf("%dx%d: %q too wide", w, h, ansi.Strip(l))
				}
			}
		}
	}
}

// A crictl runp pod's tasks carry no pod labels: CRI's sandbox metadata
// names the pod (one PodRefs per list), over labels where both speak; the
// labels stay when CRI does not answer.
func TestPodWithoutKubeletLabelsNamedByItsSandbox(t *testing.T) {
	n := &fake.Native{Ctrs: map[string][]backend.Container{"k8s.io": {
		{ID: "sb9", Kind: "sandbox", Task: &backend.Task{PID: 60, Status: backend.TaskRunning}},
		{ID: "c9", Kind: "container", Task: &backend.Task{PID: 61, Status: backend.TaskRunning}},
		{ID: "c1", PodName: "web", PodNamespace: "default", ContainerName: "logger", Kind: "container", Task: &backend.Task{PID: 50, Status: backend.TaskRunning}},
	}}}
	r := &fake.Runtime{
		PodList: []backend.Pod{{ID: "sb9", Name: "runp", Namespace: "tools"}},
		PodCtrs: []backend.PodContainer{{ID: "c9", Name: "app", PodID: "sb9"}},
	}
	c := cfg(n, "k8s.io")
	c.Pods = r
	s := screen(load(t, c))
	for _, want := range []string{"sb9 60 RUNNING - - tools/runp (sandbox)", "c9 61 RUNNING - - tools/runp app", "c1 50 RUNNING - - default/web logger"} {
		found := false
		for l := range strings.SplitSeq(s, "\n") {
			if strings.Join(strings.Fields(l), " ") == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no line %q in\n%s", want, s)
		}
	}
	if n := r.Count("PodRefs"); n != 1 {
		t.Errorf("PodRefs called %d times, want once per list", n)
	}
	r.Err = backend.Errorf(backend.ErrCRIUnavailable, "CRI is off")
	if s := screen(load(t, c)); !strings.Contains(s, "default/web") || strings.Contains(s, "tools/runp") {
		t.Errorf("CRI failing: the labels should stand:\n%s", s)
	}
}
