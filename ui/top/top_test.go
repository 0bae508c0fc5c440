package top

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

// metrics is a fake task metrics source: each call is two seconds after
// the last, and every task has used its share of a core meanwhile.
type metrics struct {
	calls map[string]int
	share map[string]float64
}

var start = time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)

func (f *metrics) TaskMetrics(_ context.Context, ns string, ids []string) ([]backend.Usage, error) {
	f.calls[ns]++
	n := f.calls[ns]
	var out []backend.Usage
	for _, id := range ids {
		out = append(out, backend.Usage{ID: id, Time: start.Add(time.Duration(n) * 2 * time.Second), HasCPU: true,
			CPUNanos: uint64(f.share[ns+"/"+id] * 2e9 * float64(n)), HasMemory: true, Memory: 4 << 20})
	}
	return out, nil
}

func TestTop(t *testing.T) {
	run := &backend.Task{PID: 1, Status: backend.TaskRunning}
	f := &fake.Native{
		NS: []backend.Namespace{{Name: "default"}, {Name: "k8s.io"}},
		Ctrs: map[string][]backend.Container{
			"default": {{ID: "idle", Task: run}, {ID: "stopped", Task: &backend.Task{Status: backend.TaskStopped}}},
			"k8s.io":  {{ID: "busy", Task: run, PodName: "web", PodNamespace: "shop", ContainerName: "app"}},
		},
	}
	src := &metrics{calls: map[string]int{}, share: map[string]float64{"k8s.io/busy": 1.5}}
	proc := t.TempDir()
	for name, text := range map[string]string{
		"stat":    "cpu  100 0 100 700 100 0 0 0\ncpu0 1 0 0 0 0 0 0 0\ncpu1 1 0 0 0 0 0 0 0\n",
		"meminfo": "MemTotal: 4096 kB\nMemAvailable: 1024 kB\n",
		"loadavg": "1.50 1.00 0.50 2/200 999\n",
	} {
		if err := os.WriteFile(filepath.Join(proc, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, cmd := New(Config{ID: 7, Ctx: context.Background(), Timeout: time.Second, Styles: theme.New(theme.Options{}),
		Clock: func() time.Time { return start }, Namespace: "default", All: true, Lister: f,
		Stats: usage.Sources{Tasks: src}, CPUs: 2, ProcDir: proc, OOMs: 1})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = uitest.Pump(t, p, cmd)
	// The first sample came with the list; a tick brings the second, and
	// the rates.
	p, c := p.Update(page.StatsTickMsg{})
	p, _ = uitest.Pump(t, p, c)

	v := ansi.Strip(p.View())
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[0], "node CPU") || !strings.Contains(lines[0], "of 2 cores") || !strings.Contains(lines[0], "mem 3.0 MiB of 4.0 MiB (75%)") ||
		!strings.Contains(lines[0], "load 1.50 1.00 0.50") {
		t.Errorf("node totals:\n%s", v)
	}
	if !strings.Contains(lines[1], "2 running (all namespaces)") || !strings.Contains(lines[1], "OOM kills since start: 1") {
		t.Errorf("container totals:\n%s", v)
	}
	if !strings.Contains(lines[3], "busy") || !strings.Contains(lines[3], "shop/web app") || !strings.Contains(lines[3], "150") ||
		!strings.Contains(lines[3], "75") || !strings.Contains(lines[4], "idle") || strings.Contains(v, "stopped") {
		t.Fatalf("busiest first, stopped left out:\n%s", v)
	}
	if !strings.ContainsAny(lines[3], "▁▂▃▄▅▆▇█") {
		t.Errorf("no history:\n%s", v)
	}
	if src.calls["default"] < 2 || src.calls["k8s.io"] < 2 {
		t.Errorf("metrics calls by namespace: %v", src.calls)
	}

	// Enter asks for the container's row; the selection is the container
	// in its own namespace, for l, s and d.
	obj, ok := p.(page.Selector).Selected()
	if !ok || obj.Namespace != "k8s.io" || obj.ID != "busy" || obj.Kind != page.KindContainer {
		t.Errorf("selected %+v", obj)
	}
	_, c = p.Update(uitest.Press("enter"))
	if g, ok := c().(page.GotoMsg); !ok || g.Namespace != "k8s.io" || g.ID != "busy" {
		t.Errorf("enter: %#v", c())
	}

	// a: the current namespace only.
	p, c = p.Update(uitest.Press("a"))
	p, _ = uitest.Pump(t, p, c)
	if v := ansi.Strip(p.View()); !strings.Contains(v, "1 running (namespace default)") || strings.Contains(v, "busy") {
		t.Errorf("after a:\n%s", v)
	}
	// An OOM kill counts.
	p, _ = p.Update(page.OOMMsg{Total: 2})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "OOM kills since start: 2") {
		t.Errorf("after an OOM kill:\n%s", v)
	}
}

// A k8s.io container of a pod made without kubelet's labels (crictl runp)
// is named by its sandbox's metadata, as CRI records it, in one PodRefs
// (ListPodSandbox and ListContainers) per list, whatever the number of
// rows; another namespace's container keeps no pod.
func TestTopNamesPodsBySandbox(t *testing.T) {
	run := &backend.Task{PID: 1, Status: backend.TaskRunning}
	f := &fake.Native{
		NS: []backend.Namespace{{Name: "default"}, {Name: "k8s.io"}},
		Ctrs: map[string][]backend.Container{
			"default": {{ID: "native", Task: run}},
			"k8s.io":  {{ID: "c9", Task: run}, {ID: "c8", Task: run}, {ID: "sb9", Task: run}},
		},
	}
	r := &fake.Runtime{
		PodList: []backend.Pod{{ID: "sb9", Name: "runp", Namespace: "tools"}},
		PodCtrs: []backend.PodContainer{{ID: "c9", Name: "app", PodID: "sb9"}, {ID: "c8", Name: "side", PodID: "sb9"}},
	}
	m, cmd := New(Config{ID: 7, Ctx: context.Background(), Timeout: time.Second, Styles: theme.New(theme.Options{}),
		Clock: func() time.Time { return start }, Namespace: "default", All: true, Lister: f, Pods: PodsOf(r)})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = uitest.Pump(t, p, cmd)
	v := ansi.Strip(p.View())
	for _, want := range []string{"c9 +tools/runp app", "c8 +tools/runp side", "sb9 +tools/runp", "native +-"} {
		if !regexp.MustCompile(want).MatchString(v) {
			t.Errorf("no %q on :top:\n%s", want, v)
		}
	}
	if n := r.Count("PodRefs"); n != 1 {
		t.Errorf("%d PodRefs calls for one list of 4 rows, want 1", n)
	}
	if PodsOf(nil) != nil {
		t.Error("PodsOf(nil) is not nil")
	}
}
