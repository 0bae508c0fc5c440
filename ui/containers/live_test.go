package containers

import (
	"context"
	"fmt"
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

func send(t *testing.T, p page.Page, evs ...backend.Event) page.Page {
	t.Helper()
	p, cmd := p.Update(page.EventsMsg{Events: evs})
	p, _ = uitest.Pump(t, p, cmd)
	return p
}

func liveNode() (*fake.Native, *fake.Runtime) {
	f := &fake.Native{Ctrs: map[string][]backend.Container{
		"default": {
			{ID: "idle", Image: "docker.io/library/busybox:latest", Runtime: "io.containerd.runc.v2"},
			{ID: "web", Image: "docker.io/library/nginx:1", Runtime: "io.containerd.runc.v2", Task: &backend.Task{ID: "web", PID: 100, Status: backend.TaskRunning}},
		},
		"k8s.io": {
			{ID: "sb1", Image: "registry.k8s.io/pause:3.10", Kind: "sandbox", PodName: "crash", PodNamespace: "default"},
			{ID: "c1", Image: "busybox", Kind: "container", PodName: "crash", PodNamespace: "default", ContainerName: "app",
				Task: &backend.Task{PID: 7, Status: backend.TaskStopped, ExitStatus: 3}},
		},
	}}
	r := &fake.Runtime{PodCtrs: []backend.PodContainer{{ID: "c1", Name: "app", PodName: "crash", PodNamespace: "default", Attempt: 4}}}
	return f, r
}

func open(t *testing.T, f *fake.Native, r *fake.Runtime, ns string) page.Page {
	t.Helper()
	cfg := Config{ID: 3, Ctx: context.Background(), Lister: f, Namespace: ns, Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}), Clock: testclock.Clock()}
	if r != nil {
		cfg.CRI = r
	}
	m, cmd := New(cfg)
	p, _ := m.Update(page.SizeMsg{Width: 160, Height: 12})
	p, _ = uitest.Pump(t, p, cmd)
	return p
}

// line is the screen line of row id, without styles.
func line(p page.Page, id string) string {
	for l := range strings.SplitSeq(ansi.Strip(p.View()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), id+" ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func ev(topic, id string, pid, exit uint32) backend.Event {
	return backend.Event{Namespace: "default", Topic: topic, ID: id, PID: pid, ExitStatus: exit, Time: now}
}

func TestTaskEventsPatchRowsWithoutCalls(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	steps := []struct {
		ev   backend.Event
		want string
	}{
		{ev(backend.TopicTaskCreate, "idle", 42, 0), "idle docker.io/library/busybox:latest CREATED 42 -"},
		{ev(backend.TopicTaskStart, "idle", 42, 0), "idle docker.io/library/busybox:latest RUNNING 42 -"},
		{ev(backend.TopicTaskPaused, "idle", 0, 0), "idle docker.io/library/busybox:latest PAUSED 42 -"},
		{ev(backend.TopicTaskResumed, "idle", 0, 0), "idle docker.io/library/busybox:latest RUNNING 42 -"},
		// An exec'd process exiting is not the task exiting.
		{ev(backend.TopicTaskExit, "idle", 977, 1), "idle docker.io/library/busybox:latest RUNNING 42 -"},
		{ev(backend.TopicTaskExit, "idle", 42, 137), "idle docker.io/library/busybox:latest STOPPED 42 137"},
		{ev(backend.TopicTaskDelete, "idle", 42, 137), "idle docker.io/library/busybox:latest - - -"},
	}
	for _, s := range steps {
		p = send(t, p, s.ev)
		if got := line(p, "idle"); !strings.HasPrefix(got, s.want) {
			t.Fatalf("after %s pid %d: %q, want %q", s.ev.Topic, s.ev.PID, got, s.want)
		}
	}
	if _, lists, lookups := f.Calls(); len(lists) != 1 || len(lookups) != 0 {
		t.Fatalf("task events made calls: lists %v, lookups %v", lists, lookups)
	}
}

func TestNewContainerIsLookedUpOnce(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	added := backend.Container{ID: "new", Image: "docker.io/library/alpine:3", Runtime: "io.containerd.runc.v2",
		Task: &backend.Task{PID: 555, Status: backend.TaskRunning}}
	f.SetContainers("default", append(f.Ctrs["default"], added))
	// ctr run -d: the container, then its task; one lookup for both.
	p = send(t, p,
		ev(backend.TopicContainerCreate, "new", 0, 0),
		ev(backend.TopicTaskCreate, "new", 555, 0),
		ev(backend.TopicTaskStart, "new", 555, 0))
	if got := line(p, "new"); !strings.HasPrefix(got, "new docker.io/library/alpine:3 RUNNING 555") {
		t.Fatalf("new container: %q\n%s", got, ansi.Strip(p.View()))
	}
	if _, lists, lookups := f.Calls(); len(lists) != 1 || fmt.Sprint(lookups) != "[new]" {
		t.Fatalf("lists %v, lookups %v", lists, lookups)
	}
	if p.State().Info != "3" {
		t.Fatalf("info %s", p.State().Info)
	}
	// Removing it costs nothing.
	p = send(t, p, ev(backend.TopicTaskDelete, "new", 555, 0), ev(backend.TopicContainerDelete, "new", 0, 0))
	if line(p, "new") != "" || p.State().Info != "2" {
		t.Fatalf("deleted container still shown:\n%s", ansi.Strip(p.View()))
	}
	if _, lists, lookups := f.Calls(); len(lists) != 1 || len(lookups) != 1 {
		t.Fatalf("delete made calls: lists %v, lookups %v", lists, lookups)
	}
}

func TestBurstIsOneList(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	ctrs := f.Ctrs["default"]
	var evs []backend.Event
	for i := range 3 * maxLookups {
		id := fmt.Sprintf("scale-%03d", i)
		ctrs = append(ctrs, backend.Container{ID: id, Image: "localhost/scale:v1"})
		evs = append(evs, ev(backend.TopicContainerCreate, id, 0, 0))
	}
	f.SetContainers("default", ctrs)
	p = send(t, p, evs...)
	if _, lists, lookups := f.Calls(); len(lists) != 2 || len(lookups) != 0 {
		t.Fatalf("burst: lists %v, lookups %v", lists, lookups)
	}
	if p.State().Info != fmt.Sprint(2+3*maxLookups) {
		t.Fatalf("info %s", p.State().Info)
	}
}

func TestEventsAfterAListWin(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	// A safety re-list is asked while web runs; web exits before the
	// answer comes. The answer must not bring RUNNING back.
	p, cmd := p.Update(page.ResyncMsg{})
	replies := uitest.Drain(cmd, time.Second)
	p = send(t, p, ev(backend.TopicTaskExit, "web", 100, 0))
	for _, r := range replies {
		p, _ = p.Update(r.(page.Reply).Msg)
	}
	if got := line(p, "web"); !strings.Contains(got, "STOPPED 100 0") {
		t.Fatalf("stale list undid the exit: %q", got)
	}
	// The next list, made after the event, is believed again.
	p, cmd = p.Update(page.ResyncMsg{})
	p, _ = uitest.Pump(t, p, cmd)
	if got := line(p, "web"); !strings.Contains(got, "RUNNING 100") {
		t.Fatalf("fresh list not applied: %q", got)
	}
}

func TestOtherNamespacesEventsIgnored(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	e := ev(backend.TopicTaskStart, "idle", 9, 0)
	e.Namespace = "k8s.io"
	p = send(t, p, e)
	if got := line(p, "idle"); strings.Contains(got, "RUNNING") {
		t.Fatalf("k8s.io event patched default: %q", got)
	}
}

func TestK8sColumnsAndCRIRefreshOnEvents(t *testing.T) {
	f, r := liveNode()
	p := open(t, f, r, "k8s.io")
	if got := line(p, "c1"); got != "c1 busybox STOPPED 7 3 - default/crash app 4" {
		t.Fatalf("c1: %q", got)
	}
	if got := line(p, "sb1"); !strings.HasSuffix(got, "default/crash (sandbox) -") {
		t.Fatalf("sandbox: %q", got)
	}
	// kubelet restarts the container: CRI says attempt 5, asked once for
	// the whole burst.
	r.SetPodContainers([]backend.PodContainer{{ID: "c1", Name: "app", PodName: "crash", PodNamespace: "default", Attempt: 5}})
	start := ev(backend.TopicTaskStart, "c1", 8, 0)
	start.Namespace = "k8s.io"
	exit := ev(backend.TopicTaskExit, "c1", 8, 3)
	exit.Namespace = "k8s.io"
	p = send(t, p, start, exit)
	if got := line(p, "c1"); got != "c1 busybox STOPPED 8 3 - default/crash app 5" {
		t.Fatalf("after restart: %q", got)
	}
	if n := r.Count("PodContainers"); n != 2 {
		t.Fatalf("PodContainers called %d times", n)
	}
}

func TestCtrlRReloads(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	p, cmd := p.Update(uitest.Press("ctrl+r"))
	p, _ = uitest.Pump(t, p, cmd)
	if _, lists, _ := f.Calls(); len(lists) != 2 {
		t.Fatalf("ctrl+r: lists %v", lists)
	}
}

func TestSelectedIsTheRowUnderTheCursor(t *testing.T) {
	f, _ := liveNode()
	p := open(t, f, nil, "default")
	p, _ = p.Update(uitest.Press("j"))
	obj, ok := p.(page.Selector).Selected()
	if !ok || obj != (page.Object{Kind: page.KindContainer, Namespace: "default", ID: "web"}) {
		t.Fatalf("selected %+v %v", obj, ok)
	}
}

// A pod made with crictl runp has no io.kubernetes.pod.* labels: its
// container and its sandbox are named by the sandbox's metadata, which CRI
// answers in one PodRefs (a bulk pair of calls) beside PodContainers; the
// labels give way to CRI where both say something.
func TestPodWithoutKubeletLabelsNamedByItsSandbox(t *testing.T) {
	f := &fake.Native{Ctrs: map[string][]backend.Container{"k8s.io": {
		{ID: "sb9", Image: "registry.k8s.io/pause:3.10", Kind: "sandbox"},
		{ID: "c9", Image: "busybox", Kind: "container", Task: &backend.Task{PID: 9, Status: backend.TaskRunning}},
		{ID: "c8", Image: "busybox", Kind: "container", PodName: "stale", PodNamespace: "old", ContainerName: "web"},
	}}}
	r := &fake.Runtime{
		PodList: []backend.Pod{{ID: "sb9", Name: "runp", Namespace: "tools", UID: "u9"}},
		PodCtrs: []backend.PodContainer{
			{ID: "c9", Name: "app", PodID: "sb9", PodName: "runp", PodNamespace: "tools"},
			{ID: "c8", Name: "web", PodID: "sb9", PodName: "runp", PodNamespace: "tools", Attempt: 1},
		},
	}
	p := open(t, f, r, "k8s.io")
	for id, want := range map[string]string{
		"c9":  "tools/runp app 0",
		"sb9": "tools/runp (sandbox) -",
		"c8":  "tools/runp web 1",
	} {
		if got := line(p, id); !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, want it to end %q", id, got, want)
		}
	}
	if n := r.Count("PodRefs"); n != 1 {
		t.Errorf("PodRefs called %d times, want once per CRI refresh", n)
	}
}
