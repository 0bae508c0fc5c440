package containers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

// metrics is a fake task metrics source whose CPU counters grow by a
// fixed share of a core per call, two seconds apart.
type metrics struct {
	calls int
	share map[string]float64 // cores
}

func (f *metrics) TaskMetrics(_ context.Context, _ string, ids []string) ([]backend.Usage, error) {
	f.calls++
	at := now.Add(time.Duration(f.calls) * 2 * time.Second)
	var out []backend.Usage
	for _, id := range ids {
		out = append(out, backend.Usage{ID: id, Time: at, HasCPU: true, CPUNanos: uint64(f.share[id] * 2e9 * float64(f.calls)),
			HasMemory: true, Memory: 1 << 20, Source: backend.SourceCgroupV1})
	}
	return out, nil
}

func TestStatsColumnsAndSortByCPU(t *testing.T) {
	run := &backend.Task{PID: 1, Status: backend.TaskRunning}
	f := &fake.Native{Ctrs: map[string][]backend.Container{"default": {
		{ID: "a-idle", Task: run}, {ID: "b-busy", Task: run}, {ID: "c-stopped", Task: &backend.Task{Status: backend.TaskStopped, ExitStatus: 137}},
	}}}
	src := &metrics{share: map[string]float64{"a-idle": 0, "b-busy": 0.9}}
	m, cmd := New(Config{ID: 3, Ctx: context.Background(), Lister: f, Namespace: "default", Timeout: time.Second,
		Styles: theme.New(theme.Options{}), Stats: usage.Sources{Tasks: src}, CPUs: 2})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 140, Height: 10})
	// The list, and the first sample that comes with it.
	for msgs := uitest.Drain(cmd, time.Second); len(msgs) > 0; {
		var next []tea.Msg
		for _, msg := range msgs {
			if r, ok := msg.(page.Reply); ok {
				var c tea.Cmd
				p, c = p.Update(r.Msg)
				next = append(next, uitest.Drain(c, time.Second)...)
			}
		}
		msgs = next
	}
	// The first sample came with the list, the second soon after for the
	// rate; then the tick.
	p, cmd = p.Update(page.StatsTickMsg{})
	for _, msg := range uitest.Drain(cmd, time.Second) {
		if r, ok := msg.(page.Reply); ok {
			p, _ = p.Update(r.Msg)
		}
	}
	if src.calls != 3 {
		t.Errorf("%d metrics calls, want 3: with the list, soon after for the rate, on the tick", src.calls)
	}
	p, _ = p.Update(uitest.Press("U"))
	v := ansi.Strip(p.View())
	lines := strings.Split(v, "\n")
	if len(lines) < 4 || !strings.Contains(lines[0], "CPU%") || !strings.Contains(lines[1], "b-busy") || !strings.Contains(lines[1], "90") ||
		!strings.Contains(lines[1], "45") || !strings.Contains(lines[1], "1.0 MiB") {
		t.Fatalf("sorted by CPU:\n%s", v)
	}
	// An OOM kill marks the stopped task.
	p, _ = p.Update(page.OOMMsg{Kill: page.OOMKill{Namespace: "default", ID: "c-stopped"}})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "OOMKilled") {
		t.Fatalf("after the OOM kill:\n%s", v)
	}
}

// With no running container on screen the page wants no sample: the tick
// asks nothing (no command, no call) and the root's timer may sleep; a
// running container off screen changes nothing, one scrolled onto the
// screen does.
func TestNoRunningRowOnScreenWantsNoStats(t *testing.T) {
	var ctrs []backend.Container
	for i := range 200 {
		ctrs = append(ctrs, backend.Container{ID: fmt.Sprintf("c-%03d", i), Image: "busybox"})
	}
	ctrs[150].Task = &backend.Task{PID: 150, Status: backend.TaskRunning}
	f := &fake.Native{Ctrs: map[string][]backend.Container{"default": ctrs}}
	src := &metrics{}
	m, cmd := New(Config{ID: 3, Ctx: context.Background(), Lister: f, Namespace: "default", Timeout: time.Second,
		Styles: theme.New(theme.Options{}), Stats: usage.Sources{Tasks: src}})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = uitest.Pump(t, p, cmd)
	if !strings.Contains(ansi.Strip(p.View()), "c-000") {
		t.Fatalf("not listed:\n%s", ansi.Strip(p.View()))
	}
	if p.(page.StatsWanter).WantsStats() {
		t.Error("the page wants a sample with no running container on screen")
	}
	if _, cmd := p.Update(page.StatsTickMsg{}); cmd != nil {
		t.Error("a tick with no running container on screen issued a command")
	}
	if src.calls != 0 {
		t.Errorf("%d metrics calls with no running container on screen", src.calls)
	}
	for range 150 {
		p, _ = p.Update(uitest.Press("j"))
	}
	if !p.(page.StatsWanter).WantsStats() {
		t.Fatalf("the page wants no sample with c-150 running on screen:\n%s", ansi.Strip(p.View()))
	}
	p, cmd = p.Update(page.StatsTickMsg{})
	uitest.Pump(t, p, cmd)
	if src.calls != 2 {
		t.Errorf("%d metrics calls with c-150 on screen, want 2: the tick's, and the first rate's soon after", src.calls)
	}
}
