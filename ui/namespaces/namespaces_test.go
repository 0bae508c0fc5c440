package namespaces

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

func TestRow(t *testing.T) {
	tests := []struct {
		ns      backend.Namespace
		current string
		want    string
	}{
		{backend.Namespace{Name: "default"}, "default", "default (current)|…|…|…|-"},
		{backend.Namespace{Name: "k8s.io", Labels: map[string]string{"b": "2", "a": "1"}}, "default", "k8s.io|…|…|…|a=1,b=2"},
	}
	for _, tt := range tests {
		if got := strings.Join(row(tt.ns, tt.current, nil, false).Cells, "|"); got != tt.want {
			t.Errorf("row(%v) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}

func TestEnterAsksToSwitch(t *testing.T) {
	f := &fake.Native{NS: []backend.Namespace{{Name: "default"}, {Name: "k8s.io"}}}
	m, cmd := New(Config{ID: 2, Ctx: context.Background(), Lister: f, Current: "default", Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 80, Height: 10})
	for _, msg := range uitest.Drain(cmd, time.Second) {
		p, _ = p.Update(msg.(page.Reply).Msg)
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "default (current)") {
		t.Fatalf("current not marked:\n%s", v)
	}
	p, _ = p.Update(uitest.Press("j"))
	_, cmd = p.Update(uitest.Press("enter"))
	msgs := uitest.Drain(cmd, time.Second)
	if len(msgs) != 1 || msgs[0] != (page.SwitchNamespaceMsg{Namespace: "k8s.io"}) {
		t.Fatalf("enter yields %v", msgs)
	}
}

func countNode() *fake.Native {
	return &fake.Native{
		NS: []backend.Namespace{{Name: "default"}, {Name: "k8s.io"}},
		ImagesByNS: map[string][]backend.Image{
			"default": {{Name: "a"}, {Name: "b"}},
			"k8s.io":  {{Name: "pause"}},
		},
		Ctrs: map[string][]backend.Container{
			"default": {{ID: "web", Task: &backend.Task{Status: backend.TaskRunning}}, {ID: "old", Task: &backend.Task{Status: backend.TaskStopped}}, {ID: "bare"}},
		},
	}
}

func line(p page.Page, name string) string {
	for l := range strings.SplitSeq(ansi.Strip(p.View()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), name+" ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func openCounts(t *testing.T, f *fake.Native) page.Page {
	t.Helper()
	m, cmd := New(Config{ID: 2, Ctx: context.Background(), Lister: f, Counter: f, Current: "default", Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	p, _ := m.Update(page.SizeMsg{Width: 100, Height: 10})
	if got := line(p, "default"); got != "" {
		t.Fatalf("rows before the list: %q", got)
	}
	p, _ = uitest.Pump(t, p, cmd)
	return p
}

func TestCountsShownWhenReady(t *testing.T) {
	f := countNode()
	m, cmd := New(Config{ID: 2, Ctx: context.Background(), Lister: f, Counter: f, Current: "default", Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 100, Height: 10})
	// The list first, counts pending.
	p, cmd = p.Update(uitest.Drain(cmd, time.Second)[0].(page.Reply).Msg)
	if got := line(p, "default"); got != "default (current) … … … -" {
		t.Fatalf("pending counts: %q", got)
	}
	p, _ = uitest.Pump(t, p, cmd)
	if got := line(p, "default"); got != "default (current) 2 3 1 -" {
		t.Fatalf("default: %q", got)
	}
	if got := line(p, "k8s.io"); got != "k8s.io 1 0 0 -" {
		t.Fatalf("k8s.io: %q", got)
	}
}

func TestEventsRecountAndListNamespaces(t *testing.T) {
	f := countNode()
	p := openCounts(t, f)
	// A task starts in default; k8s.io is not counted again.
	f.SetContainers("default", []backend.Container{{ID: "web", Task: &backend.Task{Status: backend.TaskRunning}}, {ID: "old", Task: &backend.Task{Status: backend.TaskRunning}}})
	_, before, _ := f.Calls()
	p, cmd := p.Update(page.EventsMsg{Events: []backend.Event{
		{Namespace: "default", Topic: backend.TopicTaskStart, ID: "old"},
		{Namespace: "default", Topic: backend.TopicContainerDelete, ID: "bare"},
	}})
	p, _ = uitest.Pump(t, p, cmd)
	if got := line(p, "default"); got != "default (current) 2 2 2 -" {
		t.Fatalf("default after events: %q", got)
	}
	if _, after, _ := f.Calls(); len(after)-len(before) != 1 {
		t.Fatalf("recount lists: %v", after[len(before):])
	}
	// ctr ns create: listed again and counted; ctr ns rm: gone at once.
	f.NS = append(f.NS, backend.Namespace{Name: "moby", Labels: map[string]string{"x": "1"}})
	p, cmd = p.Update(page.EventsMsg{Events: []backend.Event{{Namespace: "moby", Topic: backend.TopicNamespaceCreate, ID: "moby"}}})
	p, _ = uitest.Pump(t, p, cmd)
	if got := line(p, "moby"); got != "moby 0 0 0 x=1" {
		t.Fatalf("moby: %q", got)
	}
	p, _ = p.Update(page.EventsMsg{Events: []backend.Event{{Namespace: "moby", Topic: backend.TopicNamespaceDelete, ID: "moby"}}})
	if line(p, "moby") != "" || p.State().Info != "2" {
		t.Fatalf("moby still shown:\n%s", ansi.Strip(p.View()))
	}
}
