package usage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// taskSource is a fake task metrics source: pure UI-model tests only.
type taskSource struct {
	usage map[string]backend.Usage
	err   error
	asked [][]string
}

func (s *taskSource) TaskMetrics(_ context.Context, _ string, ids []string) ([]backend.Usage, error) {
	s.asked = append(s.asked, ids)
	var out []backend.Usage
	for _, id := range ids {
		if u, ok := s.usage[id]; ok {
			out = append(out, u)
		}
	}
	return out, s.err
}

func run(t *testing.T, cmd tea.Cmd) SampledMsg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no sample command")
	}
	return cmd().(page.Reply).Msg.(SampledMsg)
}

func TestTracker(t *testing.T) {
	at := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	src := &taskSource{usage: map[string]backend.Usage{
		"busy": {ID: "busy", Time: at, HasCPU: true, CPUNanos: 1e9, HasMemory: true, Memory: 10 << 20, MemoryLimit: 20 << 20},
	}}
	tr := NewTracker(func() time.Time { return at }, true)
	req := Request{Namespace: "default", Tasks: []string{"busy", "gone"}}
	tag := page.Tag{Page: 1, Gen: 1}
	cmd := tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req)
	if tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req) != nil {
		t.Error("a second sample while one is in flight")
	}
	changed, logCmd := tr.Apply(run(t, cmd))
	if len(changed) != 1 || changed[0] != "busy" {
		t.Errorf("changed %v", changed)
	}
	var q page.StatsQueriedMsg
	follow := false
	walk(logCmd, func(m tea.Msg) {
		switch m := m.(type) {
		case page.StatsQueriedMsg:
			q = m
		case page.Reply:
			_, follow = m.Msg.(page.StatsTickMsg)
		}
	})
	if !follow {
		t.Error("no second sample soon after a first one without a rate")
	}
	if len(q.Queries) != 1 || q.Queries[0].Via != "containerd" || len(q.Queries[0].IDs) != 2 {
		t.Errorf("queries %+v", q.Queries)
	}
	s, ok := tr.Get("busy")
	if !ok || s.CPUKnown() {
		t.Errorf("first sample: %+v %v", s, ok)
	}
	cells, _ := Cells(s, ok, 2)
	if got := strings.Join(cells, "|"); got != "-|-|10.0 MiB|50" {
		t.Errorf("cells after one sample: %s", got)
	}

	// Half a core over two seconds.
	src.usage["busy"] = backend.Usage{ID: "busy", Time: at.Add(2 * time.Second), HasCPU: true, CPUNanos: 2e9, HasMemory: true, Memory: 10 << 20}
	tr.Apply(run(t, tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req)))
	s, ok = tr.Get("busy")
	cells, num := Cells(s, ok, 2)
	if got := strings.Join(cells, "|"); got != "50|25|10.0 MiB|-" || num[0] != 5000 {
		t.Errorf("cells after two samples: %s %v", got, num)
	}
	if h := tr.History("busy").Values(); len(h) != 2 || h[1] != 50 {
		t.Errorf("history %v", h)
	}

	// The task goes away: its cells go back to dashes.
	delete(src.usage, "busy")
	changed, _ = tr.Apply(run(t, tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req)))
	if _, ok := tr.Get("busy"); ok || len(changed) != 1 {
		t.Errorf("a task without a sample kept its stats (changed %v)", changed)
	}

	// A failing source is reported once, not every interval.
	src.err = backend.Errorf(backend.ErrUnsupported, "read task metrics: not supported")
	_, c1 := tr.Apply(run(t, tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req)))
	_, c2 := tr.Apply(run(t, tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req)))
	if n1, n2 := countErrs(c1), countErrs(c2); n1 != 1 || n2 != 0 {
		t.Errorf("error reported %d then %d times, want 1 then 0", n1, n2)
	}
}

func countErrs(cmd tea.Cmd) int {
	n := 0
	walk(cmd, func(m tea.Msg) {
		if _, ok := m.(page.ErrMsg); ok {
			n++
		}
	})
	return n
}

// walk runs cmd and every command of its batches, handing each message to f.
func walk(cmd tea.Cmd, f func(tea.Msg)) {
	if cmd == nil {
		return
	}
	switch m := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range m {
			walk(c, f)
		}
	default:
		f(m)
	}
}

func TestCellsWithoutSample(t *testing.T) {
	cells, num := Cells(backend.Stats{}, false, 4)
	if strings.Join(cells, "") != "----" || num[0] != -1 {
		t.Errorf("%v %v", cells, num)
	}
	// A runtime that answers without figures, or a problem: dashes.
	s := backend.Stats{Usage: backend.Usage{Problem: "unknown type"}, CPU: -1}
	if cells, _ := Cells(s, true, 4); strings.Join(cells, "") != "----" {
		t.Errorf("%v", cells)
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 50, 100, -1, 200}, 6); got != " ▁▂▄ █" {
		t.Errorf("%q", got)
	}
	if got := Sparkline(nil, 3); got != "   " {
		t.Errorf("%q", got)
	}
}

func TestOOMs(t *testing.T) {
	var o OOMs
	k := page.OOMKill{Namespace: "k8s.io", ID: "c1", PodName: "hog", PodNamespace: "default", PodUID: "u1", Container: "hog"}
	o.Add(k)
	msg := o.Add(k)
	if msg.Total != 2 || msg.ByPod["u1"] != 2 || o.ByPod()["u1"] != 2 {
		t.Errorf("%+v", msg)
	}
	if f := Flash(k); !strings.Contains(f, "container hog of pod default/hog") || !strings.Contains(f, "OOMKilled") {
		t.Errorf("%s", f)
	}
	if s := (page.OOMKill{Namespace: "default", ID: "x"}).Subject(); s != "container default/x" {
		t.Errorf("%s", s)
	}
}

// A row whose figures read the same as last time is not redrawn (an idle
// container at 5,000 rows costs no render and no re-sort); a changed figure
// is, and :top's tracker (with history) redraws every sampled row, since its
// sparklines move.
func TestTrackerSkipsRowsThatReadTheSame(t *testing.T) {
	at := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	idle := func(n int, mem uint64) backend.Usage {
		return backend.Usage{ID: "idle", Time: at.Add(time.Duration(n) * 2 * time.Second), HasCPU: true, CPUNanos: 5e6, HasMemory: true, Memory: mem}
	}
	src := &taskSource{usage: map[string]backend.Usage{"idle": idle(0, 1<<20)}}
	req := Request{Namespace: "default", Tasks: []string{"idle"}}
	tag := page.Tag{Page: 1, Gen: 1}
	for _, withHistory := range []bool{false, true} {
		tr := NewTracker(func() time.Time { return at }, withHistory)
		var got [][]string
		for n, mem := range []uint64{1 << 20, 1 << 20, 1 << 20, 2 << 20} {
			src.usage["idle"] = idle(n, mem)
			changed, _ := tr.Apply(run(t, tr.Sample(tag, context.Background(), time.Second, Sources{Tasks: src}, req)))
			got = append(got, changed)
		}
		// first sample (memory), second (CPU 0.0 appears), third (same:
		// skipped without history), fourth (memory grew).
		want := "[[idle] [idle] [] [idle]]"
		if withHistory {
			want = "[[idle] [idle] [idle] [idle]]"
		}
		if s := fmt.Sprint(got); s != want {
			t.Errorf("history %v: changed per sample %s, want %s", withHistory, s, want)
		}
	}
}
