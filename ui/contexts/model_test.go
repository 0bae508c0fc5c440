package contexts

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

// switcher is a fake Switcher: its contexts, and what Connect answers for
// each name (nil: connects).
type switcher struct {
	list  []Context
	fails map[string]error
	mu    sync.Mutex
	asked []string
}

func (s *switcher) Contexts(context.Context) ([]Context, error) { return s.list, nil }

func (s *switcher) Connect(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, name)
	return s.fails[name]
}

func twoNodes() *switcher {
	return &switcher{list: []Context{
		{Name: "local", Endpoint: "/run/containerd/containerd.sock"},
		{Name: "prod", Endpoint: "ssh://admin@node1", Namespace: "k8s.io", Sudo: true, Readonly: true},
		{Name: "gone", Endpoint: "ssh://admin@gone.invalid"},
	}, fails: map[string]error{"gone": errors.New("ssh://admin@gone.invalid: the host name does not resolve (ssh: Could not resolve hostname gone.invalid)")}}
}

func open(t *testing.T, s Switcher, running int) page.Page {
	t.Helper()
	m, cmd := New(Config{ID: 3, Ctx: context.Background(), Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}),
		Switcher: s, Current: "local", Running: func() int { return running }})
	p, _ := m.Update(page.SizeMsg{Width: 120, Height: 10})
	p, _ = uitest.Pump(t, p, cmd, 3)
	return p
}

func TestRow(t *testing.T) {
	for _, tt := range []struct {
		c    Context
		want string
	}{
		{Context{Name: "local"}, "local (current)|autodetected|-|-|-|-"},
		{Context{Name: "prod", Endpoint: "ssh://admin@node1", Namespace: "k8s.io", RuntimeEndpoint: "unix:///run/k3s/containerd/containerd.sock", Sudo: true, Readonly: true},
			"prod|ssh://admin@node1|k8s.io|unix:///run/k3s/containerd/containerd.sock|yes|yes"},
	} {
		if got := strings.Join(row(tt.c, "local").Cells, "|"); got != tt.want {
			t.Errorf("row(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestListsContextsCurrentMarked(t *testing.T) {
	v := ansi.Strip(open(t, twoNodes(), 0).View())
	for _, want := range []string{"NAME", "ENDPOINT", "NAMESPACE", "READONLY", "local (current)", "prod", "ssh://admin@node1", "k8s.io", "yes"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

// Enter on another context connects to it and quits the program, which
// cmd/ctui reopens on the new connection.
func TestEnterSwitches(t *testing.T) {
	s := twoNodes()
	p := open(t, s, 0)
	p, _ = p.Update(uitest.Press("j"))
	p, cmd := p.Update(uitest.Press("enter"))
	if got := p.(Model).Switching(); got != "prod" {
		t.Fatalf("switching %q, want prod", got)
	}
	// A second enter while connecting does not connect twice.
	_, again := p.Update(uitest.Press("enter"))
	if msgs := uitest.Drain(again, time.Second); len(msgs) != 1 || !strings.Contains(msgs[0].(page.FlashMsg).Text, "still connecting") {
		t.Errorf("second enter: %v", msgs)
	}
	_, other := uitest.Pump(t, p, cmd, 3)
	quit := false
	for _, msg := range other {
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
		}
	}
	if !quit || len(s.asked) != 1 || s.asked[0] != "prod" {
		t.Fatalf("enter on prod: messages %v, connects %v", other, s.asked)
	}
}

// A failing switch says why in one error flash (not the connection panel)
// and does not quit.
func TestFailedSwitchStays(t *testing.T) {
	p := open(t, twoNodes(), 0)
	p, _ = p.Update(uitest.Press("j"))
	p, _ = p.Update(uitest.Press("j"))
	p, cmd := p.Update(uitest.Press("enter"))
	p, other := uitest.Pump(t, p, cmd, 3)
	var flashes []page.FlashMsg
	for _, msg := range other {
		switch msg := msg.(type) {
		case tea.QuitMsg, page.ErrMsg:
			t.Fatalf("a failed switch yields %T", msg)
		case page.FlashMsg:
			flashes = append(flashes, msg)
		}
	}
	last := flashes[len(flashes)-1]
	if !last.Err || !strings.HasPrefix(last.Text, "context gone: ssh://admin@gone.invalid: the host name does not resolve") ||
		!strings.Contains(last.Text, "Could not resolve hostname") || strings.Contains(last.Text, "\n") {
		t.Errorf("failure flash %+v", last)
	}
	if p.(Model).Switching() != "" {
		t.Error("still switching after the failure")
	}
}

func TestNoSwitchToCurrentOrWithJobs(t *testing.T) {
	s := twoNodes()
	_, cmd := open(t, s, 0).Update(uitest.Press("enter"))
	if msgs := uitest.Drain(cmd, time.Second); len(msgs) != 1 || !strings.Contains(msgs[0].(page.FlashMsg).Text, "on context local already") {
		t.Errorf("enter on the current context: %v", msgs)
	}
	p := open(t, s, 2)
	p, _ = p.Update(uitest.Press("j"))
	_, cmd = p.Update(uitest.Press("enter"))
	msgs := uitest.Drain(cmd, time.Second)
	if len(msgs) != 1 || !msgs[0].(page.FlashMsg).Err || !strings.Contains(msgs[0].(page.FlashMsg).Text, "2 background job(s) still run") {
		t.Errorf("enter with jobs running: %v", msgs)
	}
	if len(s.asked) != 0 {
		t.Errorf("connected to %v", s.asked)
	}
}

func TestNoContexts(t *testing.T) {
	v := ansi.Strip(open(t, &switcher{}, 0).View())
	if !strings.Contains(v, "names no contexts") {
		t.Errorf("empty config:\n%s", v)
	}
	m, _ := New(Config{ID: 3, Ctx: context.Background(), Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	p, _ := m.Update(page.SizeMsg{Width: 100, Height: 5})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "no contexts here") {
		t.Errorf("no switcher:\n%s", v)
	}
}
