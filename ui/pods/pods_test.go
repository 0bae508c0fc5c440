package pods

import (
	"context"
	"errors"
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

const (
	webID   = "aaaaaaaaaaaaaaaa1111111111111111111111111111111111111111111111"
	crashID = "bbbbbbbbbbbbbbbb2222222222222222222222222222222222222222222222"
)

func TestPodRow(t *testing.T) {
	tests := []struct {
		name  string
		p     backend.Pod
		count int
		want  string
	}{
		{"ready, default handler", backend.Pod{ID: webID, Name: "web", Namespace: "default", State: backend.PodReady, CreatedAt: now.Add(-2 * time.Hour)}, 1,
			"web|default|Ready|2h|0|(default)|1|aaaaaaaaaaaaa"},
		{"not ready, named handler, second attempt", backend.Pod{ID: "short", Name: "gv", Namespace: "jobs", State: backend.PodNotReady, Attempt: 1, RuntimeHandler: "runsc"}, 0,
			"gv|jobs|NotReady|-|1|runsc|0|short"},
		{"containers unknown", backend.Pod{ID: "x", State: backend.PodReady}, -1, "-|-|Ready|-|0|(default)|-|x"},
	}
	for _, tt := range tests {
		if got := strings.Join(podRow(tt.p, tt.count, now).Cells, "|"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestContainerRow(t *testing.T) {
	tests := []struct {
		name string
		c    backend.PodContainer
		want string
	}{
		{"crash loop", backend.PodContainer{ID: "sha256:" + crashID, Name: "crasher", State: backend.ContainerExited, Attempt: 2, ExitCode: 3, Reason: "Error",
			CreatedAt: now.Add(-30 * time.Second), Image: "localhost/test/busybox:latest"},
			"crasher|Exited|2|3|Error|30s|localhost/test/busybox:latest|bbbbbbbbbbbbb"},
		{"running: no exit code yet", backend.PodContainer{ID: "c1", Name: "logger", State: backend.ContainerRunning, Image: "busybox"},
			"logger|Running|0|-|-|-|busybox|c1"},
		{"completed", backend.PodContainer{ID: "c2", Name: "init", State: backend.ContainerExited, Reason: "Completed"},
			"init|Exited|0|0|Completed|-|-|c2"},
	}
	for _, tt := range tests {
		if got := strings.Join(containerRow(tt.c, now).Cells, "|"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestColumnKeysLeaveReservedLettersFree(t *testing.T) {
	for _, c := range append(Columns(), ContainerColumns()...) {
		if c.Key == 'g' || c.Key == 'p' || c.Key == 'd' || c.Key == 'y' {
			t.Errorf("column %s takes %c", c.Title, c.Key)
		}
	}
}

// node is a CRI with a logging pod and a crash-looping one (newer), whose
// container has exited twice and runs a third time.
func node() *fake.Runtime {
	return &fake.Runtime{
		PodList: []backend.Pod{
			{ID: webID, Name: "web", Namespace: "default", State: backend.PodReady, CreatedAt: now.Add(-time.Hour)},
			{ID: crashID, Name: "crashy", Namespace: "jobs", State: backend.PodReady, CreatedAt: now.Add(-time.Minute)},
		},
		PodCtrs: []backend.PodContainer{
			{ID: "log0", Name: "logger", PodID: webID, State: backend.ContainerRunning, CreatedAt: now.Add(-time.Hour)},
			{ID: "crash0", Name: "crasher", PodID: crashID, State: backend.ContainerExited, ExitCode: 3, Reason: "Error", CreatedAt: now.Add(-50 * time.Second)},
			{ID: "crash1", Name: "crasher", PodID: crashID, State: backend.ContainerExited, ExitCode: 3, Reason: "Error", Attempt: 1, CreatedAt: now.Add(-40 * time.Second)},
			{ID: "crash2", Name: "crasher", PodID: crashID, State: backend.ContainerRunning, Attempt: 2, CreatedAt: now.Add(-2 * time.Second)},
		},
	}
}

func cfg(rt backend.Runtime) Config {
	return Config{ID: 5, Ctx: context.Background(), Runtime: rt, Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}), Clock: backend.FixedClock(now)}
}

func load(t *testing.T, c Config) page.Page {
	t.Helper()
	m, cmd := New(c)
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = uitest.Pump(t, p, cmd)
	return p
}

func lines(p page.Page) []string { return strings.Split(ansi.Strip(p.View()), "\n") }

func TestPodsNewestFirstWithCounts(t *testing.T) {
	p := load(t, cfg(node()))
	l := lines(p)
	if !strings.Contains(l[0], "CREATED↓") || !strings.Contains(l[0], "POD ID") {
		t.Errorf("header %q", l[0])
	}
	for i, want := range []string{"crashy  ", "web  "} {
		if !strings.Contains(l[i+1], want) {
			t.Errorf("row %d = %q, want %q", i, l[i+1], want)
		}
	}
	for i, want := range []string{"crashy jobs Ready 60s 0 (default) 3 bbbbbbbbbbbbb", "web default Ready 60m 0 (default) 1 aaaaaaaaaaaaa"} {
		if got := strings.Join(strings.Fields(l[i+1]), " "); got != want {
			t.Errorf("row %d = %q, want %q", i, got, want)
		}
	}
	if st := p.State(); st.Title != "pods" || st.Info != "2" {
		t.Errorf("state %+v", st)
	}
	// Shift+N sorts by name.
	p, _ = p.Update(uitest.Press("N"))
	if l := lines(p); !strings.Contains(l[1], "crashy") || !strings.Contains(l[0], "NAME↑") {
		t.Errorf("sort by name:\n%s", strings.Join(l, "\n"))
	}
	obj, ok := p.(page.Selector).Selected()
	if !ok || obj != (page.Object{Kind: page.KindPod, ID: crashID, Name: "jobs/crashy"}) {
		t.Errorf("selected %+v %v", obj, ok)
	}
}

func TestEnterOpensThePodsContainers(t *testing.T) {
	rt := node()
	p := load(t, cfg(rt))
	p, cmd := p.Update(uitest.Press("enter"))
	msgs := uitest.Drain(cmd, time.Second)
	if len(msgs) != 1 {
		t.Fatalf("enter yields %v", msgs)
	}
	open, ok := msgs[0].(page.OpenMsg)
	if !ok {
		t.Fatalf("enter yields %T, want page.OpenMsg", msgs[0])
	}
	c, first := open.Open(9)
	c, _ = c.Update(page.SizeMsg{Width: 120, Height: 10})
	// The seed shows before the page's own list answers.
	l := lines(c)
	if len(l) < 4 || !strings.Contains(l[1], "crasher") || !strings.Contains(l[1], "Running") {
		t.Fatalf("seeded:\n%s", strings.Join(l, "\n"))
	}
	for _, r := range uitest.Drain(first, time.Second) {
		if r.(page.Reply).Tag.Page != 9 {
			t.Fatalf("the opened page's reply is tagged %+v", r.(page.Reply).Tag)
		}
		c, _ = c.Update(r.(page.Reply).Msg)
	}
	l = lines(c)
	if len(l) != 4 {
		t.Fatalf("want the header and three attempts:\n%s", strings.Join(l, "\n"))
	}
	// Newest attempt first; the earlier ones exited 3 with reason Error.
	for i, want := range []string{"crasher Running 2 - -", "crasher Exited 1 3 Error", "crasher Exited 0 3 Error"} {
		if got := strings.Join(strings.Fields(l[i+1]), " "); !strings.HasPrefix(got, want) {
			t.Errorf("row %d = %q, want %q…", i, got, want)
		}
	}
	if st := c.State(); st.Title != "pod jobs/crashy" || st.Info != "3" {
		t.Errorf("state %+v", st)
	}
	c, _ = c.Update(uitest.Press("j"))
	if obj, ok := c.(page.Selector).Selected(); !ok || obj.Kind != page.KindPodContainer || obj.ID != "crash1" {
		t.Errorf("selected %+v", obj)
	}
}

func TestCRIUnavailableSaysWhy(t *testing.T) {
	c := cfg(nil)
	c.Unavailable = backend.Errorf(backend.ErrCRIUnavailable, "unix:///run/containerd/containerd.sock does not serve the CRI API (v1)")
	p := load(t, c)
	s := strings.Join(strings.Fields(ansi.Strip(p.View())), " ")
	if !strings.Contains(s, "pods need the CRI API: unix:///run/containerd/containerd.sock does not serve the CRI API (v1)") {
		t.Errorf("screen %q", s)
	}
	if _, ok := p.(page.Selector).Selected(); ok {
		t.Error("nothing to describe, yet something is selected")
	}
}

func TestContainerListFailureStillShowsPods(t *testing.T) {
	rt := &failingContainers{Runtime: node()}
	m, cmd := New(cfg(rt))
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	p, other := uitest.Pump(t, p, cmd)
	if l := lines(p); len(l) != 3 || strings.Fields(l[1])[6] != "-" {
		t.Errorf("pods without counts:\n%s", strings.Join(l, "\n"))
	}
	reported := false
	for _, o := range other {
		if e, ok := o.(page.ErrMsg); ok && errors.Is(e.Err, backend.ErrTimeout) {
			reported = true
		}
	}
	if !reported {
		t.Errorf("the failure is not reported: %v", other)
	}
}

type failingContainers struct{ *fake.Runtime }

func (failingContainers) PodContainers(context.Context) ([]backend.PodContainer, error) {
	return nil, backend.Errorf(backend.ErrTimeout, "list pod containers: did not answer in time")
}

func TestEventsInK8sRelistOncePerBurst(t *testing.T) {
	rt := node()
	p := load(t, cfg(rt))
	before := rt.Count("Pods")
	// Events of another namespace do not touch CRI.
	p, cmd := p.Update(page.EventsMsg{Events: []backend.Event{{Namespace: "default", Topic: backend.TopicTaskExit, ID: "x"}}})
	if cmd != nil {
		t.Fatal("an event in default armed a CRI re-list")
	}
	burst := page.EventsMsg{Events: []backend.Event{
		{Namespace: backend.CRINamespace, Topic: backend.TopicContainerCreate, ID: "new"},
		{Namespace: backend.CRINamespace, Topic: backend.TopicTaskStart, ID: "new"},
	}}
	p, cmd = p.Update(burst)
	p, again := p.Update(burst)
	if cmd == nil || again != nil {
		t.Fatalf("a burst must arm one flush: %v %v", cmd, again)
	}
	rt.PodList = append(rt.PodList, backend.Pod{ID: "new", Name: "fresh", State: backend.PodReady, CreatedAt: now})
	p, _ = uitest.Pump(t, p, cmd) // the Coalesce tick, then the list
	if rt.Count("Pods") != before+1 || !strings.Contains(lines(p)[1], "fresh") {
		t.Errorf("after the flush: %d lists\n%s", rt.Count("Pods")-before, strings.Join(lines(p), "\n"))
	}
}

func TestRefreshDropsStaleReply(t *testing.T) {
	rt := node()
	m, first := New(cfg(rt))
	old := uitest.Drain(first, time.Second)
	p, _ := m.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = p.Update(uitest.Press("ctrl+r"))
	p, _ = p.Update(old[0].(page.Reply).Msg)
	if !strings.Contains(p.View(), "listing pods") {
		t.Fatalf("stale reply applied:\n%s", p.View())
	}
}

func TestViewFitsEverySize(t *testing.T) {
	rt := node()
	for _, w := range []int{0, 1, 10, 40, 80, 200} {
		for _, h := range []int{0, 1, 3, 24} {
			m, cmd := New(cfg(rt))
			var p page.Page = m
			p, _ = p.Update(page.SizeMsg{Width: w, Height: h})
			for i := range 2 {
				if i == 1 {
					p, _ = uitest.Pump(t, p, cmd)
				}
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
}
