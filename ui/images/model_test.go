package images

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

const wait = time.Second

func fakeNative(n int) *fake.Native {
	f := &fake.Native{ImagesByNS: map[string][]backend.Image{}, Details: map[string]backend.ImageDetails{}}
	for i := range n {
		dg := fmt.Sprintf("sha256:%064d", i/2) // two names per target
		f.ImagesByNS["default"] = append(f.ImagesByNS["default"], backend.Image{
			Name: fmt.Sprintf("docker.io/library/img%05d:latest", i), Digest: dg,
		})
		f.Details[dg] = backend.ImageDetails{Size: int64(i+1) << 20, Platforms: []string{"linux/amd64"}}
	}
	f.ImagesByNS["other"] = []backend.Image{{Name: "k8s.io/pause:3.10", Digest: "sha256:p"}}
	return f
}

func newPage(f *fake.Native) (Model, tea.Cmd) {
	m, cmd := New(Config{
		ID: 7, Ctx: context.Background(), Lister: f, Namespace: "default",
		Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}), Clock: testclock.Clock(),
	})
	p, _ := m.Update(page.SizeMsg{Width: 120, Height: 11})
	return p.(Model), cmd
}

func TestLoadThenDetails(t *testing.T) {
	f := fakeNative(100)
	m, cmd := newPage(f)
	if !m.Loading() || !strings.Contains(m.View(), "listing the images of namespace default") {
		t.Fatalf("before the reply: loading=%v view %q", m.Loading(), m.View())
	}
	msgs := uitest.Drain(cmd, wait)
	if len(msgs) != 1 {
		t.Fatalf("load yields %d messages", len(msgs))
	}
	r := msgs[0].(page.Reply)
	if r.Tag != (page.Tag{Page: 7, Gen: 1}) {
		t.Fatalf("reply tag %+v", r.Tag)
	}
	p, cmd := m.Update(r.Msg)
	m = p.(Model)
	if m.Table.Len() != 100 {
		t.Fatalf("table has %d rows", m.Table.Len())
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "img00000:latest") || !strings.Contains(v, "…") {
		t.Fatalf("list not shown at once with pending sizes:\n%s", v)
	}
	// The first details asked are those of the rows on screen, at most
	// maxInflight at a time.
	first := uitest.Drain(cmd, wait)
	var details int
	for _, msg := range first {
		if r, ok := msg.(page.Reply); ok {
			if _, ok := r.Msg.(detailsMsg); ok {
				details++
			}
		}
	}
	if details != maxInflight {
		t.Fatalf("%d details calls started, want %d", details, maxInflight)
	}
	if !slices.Contains(f.DetailCalls, fmt.Sprintf("sha256:%064d", 0)) {
		t.Fatalf("first details calls %v skip the top row", f.DetailCalls)
	}
	// Feed everything: every digest is asked once, though two names share
	// each.
	m, _ = uitest.Pump(t, m, tea.Batch(func() tea.Msg { return first[0] }, nil), 7)
	for _, msg := range first[1:] {
		m, _ = uitest.Pump(t, m, func() tea.Msg { return msg }, 7)
	}
	if len(f.DetailCalls) != 50 {
		t.Fatalf("%d details calls for 50 digests", len(f.DetailCalls))
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "2.0 MiB") || !strings.Contains(v, "linux/amd64") {
		t.Fatalf("details not shown:\n%s", v)
	}
}

func TestSortBySizeAfterDetails(t *testing.T) {
	f := fakeNative(10)
	m, cmd := newPage(f)
	m, _ = uitest.Pump(t, m, cmd, 7)
	p, _ := m.Update(uitest.Press("S"))
	p, _ = p.Update(uitest.Press("S")) // descending
	p, _ = p.Update(uitest.Press("g"))
	m = p.(Model)
	if id, _ := m.Table.SelectedID(); id != "docker.io/library/img00009:latest" {
		t.Fatalf("largest first: cursor on %s", id)
	}
}

func TestStaleRepliesAreDropped(t *testing.T) {
	f := fakeNative(4)
	m, first := newPage(f)
	old := uitest.Drain(first, wait)
	p, refresh := m.Update(uitest.Press("ctrl+r"))
	m = p.(Model)
	if m.Gen() != 2 {
		t.Fatalf("ctrl+r: gen %d", m.Gen())
	}
	f.ImagesByNS["default"] = f.ImagesByNS["default"][:1]
	p, _ = m.Update(old[0].(page.Reply).Msg) // the first load answers late
	m = p.(Model)
	if m.Table.Len() != 0 {
		t.Fatalf("stale reply applied: %d rows", m.Table.Len())
	}
	m, _ = uitest.Pump(t, m, refresh, 7)
	if m.Table.Len() != 1 {
		t.Fatalf("fresh reply: %d rows", m.Table.Len())
	}
}

func TestNamespaceSwitchReloads(t *testing.T) {
	f := fakeNative(4)
	m, cmd := newPage(f)
	m, _ = uitest.Pump(t, m, cmd, 7)
	p, cmd := m.Update(page.NamespaceMsg{Namespace: "other"})
	m = p.(Model)
	m, _ = uitest.Pump(t, m, cmd, 7)
	if got := f.ListCalls; len(got) != 2 || got[1] != "other" {
		t.Fatalf("list calls %v", got)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "k8s.io/pause:3.10") || strings.Contains(v, "img00000") {
		t.Fatalf("after switch:\n%s", v)
	}
}

func TestLoadErrorIsShownAndReported(t *testing.T) {
	f := fakeNative(4)
	f.Err = backend.Errorf(backend.ErrUnavailable, "list images: nothing is listening on /run/containerd/containerd.sock; is containerd running?")
	m, cmd := newPage(f)
	m, other := uitest.Pump(t, m, cmd, 7)
	if len(other) != 1 {
		t.Fatalf("messages to the root: %v", other)
	}
	if e, ok := other[0].(page.ErrMsg); !ok || !page.ConnectionLost(e.Err) {
		t.Fatalf("reported %#v", other[0])
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "is containerd running?") {
		t.Fatalf("error not shown:\n%s", v)
	}
	f.SetErr(nil)
	p, cmd := m.Update(page.ReconnectedMsg{})
	m, _ = uitest.Pump(t, p.(Model), cmd, 7)
	if m.Err() != nil || m.Table.Len() != 4 {
		t.Fatalf("after reconnect: err=%v rows=%d", m.Err(), m.Table.Len())
	}
}

func TestUnavailableNative(t *testing.T) {
	why := backend.Errorf(backend.ErrSocketMissing, "containerd socket /run/containerd/containerd.sock does not exist")
	m, cmd := New(Config{ID: 1, Ctx: context.Background(), Unavailable: why, Namespace: "default", Styles: theme.New(theme.Options{})})
	if cmd != nil {
		t.Fatal("a page without a lister should not call anything")
	}
	p, _ := m.Update(page.SizeMsg{Width: 80, Height: 5})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "/run/containerd/containerd.sock does not") {
		t.Fatalf("reason not shown: %q", v)
	}
}

func TestEscClearsFilter(t *testing.T) {
	f := fakeNative(10)
	m, cmd := newPage(f)
	m, _ = uitest.Pump(t, m, cmd, 7)
	var p page.Page = m
	for _, k := range append([]tea.Msg{uitest.Press("/")}, uitest.Type("img00001")...) {
		p, _ = p.Update(k)
	}
	p, _ = p.Update(uitest.Press("enter"))
	if st := p.State(); st.Typing || !st.Filtered || st.Info != "1/10" {
		t.Fatalf("after filter: %+v", st)
	}
	p, _ = p.Update(uitest.Press("esc"))
	if st := p.State(); st.Filtered || st.Info != "10" {
		t.Fatalf("after esc: %+v", st)
	}
}
