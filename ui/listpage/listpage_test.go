package listpage

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

var now = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)

// fruits is a page built on List with nothing of its own, as a new page
// starts.
type fruits struct{ List[string] }

func (m fruits) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

type source struct {
	byNS  map[string][]string
	err   error
	calls atomic.Int32
}

func (s *source) load(_ context.Context, ns string) ([]string, error) {
	s.calls.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	return s.byNS[ns], nil
}

func newFruits(src *source) (page.Page, tea.Cmd) {
	lc := Config[string]{
		ID: 3, Ctx: context.Background(), Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}),
		Title: "fruits", Type: page.Type("fruits"), Namespace: "default", Clock: backend.FixedClock(now),
		Columns: func(string) []table.Column { return []table.Column{{Title: "NAME", Key: 'n', Flex: 1, Min: 4}} },
		Row:     func(s, _ string, _ time.Time) table.Row { return table.Row{ID: s, Cells: []string{s}} },
		Relist:  func(ev backend.Event, ns string) bool { return ev.Namespace == ns },
	}
	if src != nil {
		lc.Load = src.load
	} else {
		lc.Unavailable = errors.New("no fruit API")
	}
	m := fruits{List: New(lc)}
	cmd := m.Reload()
	p, _ := m.Update(page.SizeMsg{Width: 40, Height: 6})
	return p, cmd
}

func screen(p page.Page) string { return ansi.Strip(p.View()) }

func TestLoadsRendersAndSwitchesNamespace(t *testing.T) {
	src := &source{byNS: map[string][]string{"default": {"apple", "pear"}, "k8s.io": {"kiwi"}}}
	p, cmd := newFruits(src)
	if s := screen(p); !strings.Contains(s, "listing the fruits of namespace default") {
		t.Fatalf("before the answer: %q", s)
	}
	p, other := uitest.Pump(t, p, cmd, 3)
	if s := screen(p); !strings.Contains(s, "apple") || !strings.Contains(s, "pear") {
		t.Fatalf("loaded:\n%s", s)
	}
	if len(other) != 1 || other[0] != (page.OKMsg{}) {
		t.Errorf("other messages %v, want one OKMsg", other)
	}
	if st := p.State(); st.Title != "fruits" || st.Type != "fruits" || st.Info != "2" {
		t.Errorf("state %+v", st)
	}
	p, cmd = p.Update(page.NamespaceMsg{Namespace: "k8s.io"})
	p, _ = uitest.Pump(t, p, cmd, 3)
	if s := screen(p); !strings.Contains(s, "kiwi") || strings.Contains(s, "apple") {
		t.Fatalf("k8s.io:\n%s", s)
	}
}

func TestResyncKeepsTheGenerationAndRefreshStartsANewOne(t *testing.T) {
	src := &source{byNS: map[string][]string{"default": {"apple"}}}
	p, cmd := newFruits(src)
	p, _ = uitest.Pump(t, p, cmd, 3)
	gen := p.(fruits).Gen()
	p, cmd = p.Update(page.ResyncMsg{})
	if g := p.(fruits).Gen(); g != gen {
		t.Fatalf("resync moved the generation %d -> %d", gen, g)
	}
	src.byNS["default"] = []string{"apple", "plum"}
	p, _ = uitest.Pump(t, p, cmd, 3)
	if s := screen(p); !strings.Contains(s, "plum") {
		t.Fatalf("after resync:\n%s", s)
	}
	p, cmd = p.Update(uitest.Press("ctrl+r"))
	if g := p.(fruits).Gen(); g != gen+1 || cmd == nil {
		t.Fatalf("ctrl+r: generation %d, want %d, cmd %v", g, gen+1, cmd != nil)
	}
	// An answer of the old generation is dropped.
	stale := page.Tag{Page: 3, Gen: gen}.Wrap(func() tea.Msg { return Loaded[string]{gen: gen, Items: []string{"old"}} })
	p, _ = uitest.Pump(t, p, stale, 3)
	if s := screen(p); strings.Contains(s, "old") {
		t.Fatalf("a stale answer was shown:\n%s", s)
	}
}

func TestFilterAndEscClearsIt(t *testing.T) {
	src := &source{byNS: map[string][]string{"default": {"apple", "pear"}}}
	p, cmd := newFruits(src)
	p, _ = uitest.Pump(t, p, cmd, 3)
	for _, k := range []string{"/", "p", "e", "enter"} {
		p, _ = p.Update(uitest.Press(k))
	}
	if st := p.State(); !st.Filtered || st.Info != "1/2" {
		t.Fatalf("filtered state %+v", st)
	}
	p, _ = p.Update(uitest.Press("esc"))
	if st := p.State(); st.Filtered {
		t.Fatalf("esc left the filter: %+v", st)
	}
}

func TestEventsRelistOncePerBurst(t *testing.T) {
	src := &source{byNS: map[string][]string{"default": {"apple"}}}
	p, cmd := newFruits(src)
	p, _ = uitest.Pump(t, p, cmd, 3)
	before := src.calls.Load()
	p, cmd = p.Update(page.EventsMsg{Events: []backend.Event{{Namespace: "other"}}})
	if cmd != nil {
		t.Fatal("an event of another namespace armed a re-list")
	}
	burst := page.EventsMsg{Events: []backend.Event{{Namespace: "default"}}}
	p, cmd = p.Update(burst)
	p, again := p.Update(burst)
	if cmd == nil || again != nil {
		t.Fatal("a burst must arm exactly one re-list")
	}
	p, _ = uitest.Pump(t, p, cmd, 3)
	if n := src.calls.Load() - before; n != 1 {
		t.Errorf("%d lists after a burst, want 1", n)
	}
}

func TestErrorsShowAndReport(t *testing.T) {
	p, cmd := newFruits(nil)
	if cmd != nil {
		t.Fatal("an unavailable list loads")
	}
	if s := strings.Join(strings.Fields(screen(p)), " "); !strings.Contains(s, "fruits of default: no fruit API") {
		t.Fatalf("unavailable: %q", s)
	}
	src := &source{err: backend.Errorf(backend.ErrNotFound, "no such orchard")}
	p, cmd = newFruits(src)
	p, other := uitest.Pump(t, p, cmd, 3)
	if s := strings.Join(strings.Fields(screen(p)), " "); !strings.Contains(s, "no such orchard") {
		t.Fatalf("failed: %q", s)
	}
	if len(other) != 1 {
		t.Fatalf("messages %v, want the error reported", other)
	}
	if e, ok := other[0].(page.ErrMsg); !ok || !errors.Is(e.Err, backend.ErrNotFound) {
		t.Errorf("reported %v", other[0])
	}
}
