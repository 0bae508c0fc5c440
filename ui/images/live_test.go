package images

import (
	"context"
	"slices"
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

// line is the screen line of the row whose ref starts with ref.
func line(p page.Page, ref string) string {
	for l := range strings.SplitSeq(ansi.Strip(p.View()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), ref) {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func openLive(t *testing.T, f *fake.Native, r *fake.Runtime, ns string) Model {
	t.Helper()
	cfg := Config{ID: 7, Ctx: context.Background(), Lister: f, Containers: f, Namespace: ns,
		Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true}), Clock: testclock.Clock()}
	if r != nil {
		cfg.CRI = r
	}
	m, cmd := New(cfg)
	p, _ := m.Update(page.SizeMsg{Width: 180, Height: 12})
	m, _ = uitest.Pump(t, p.(Model), cmd, 7)
	return m
}

func events(t *testing.T, m Model, evs ...backend.Event) Model {
	t.Helper()
	p, cmd := m.Update(page.EventsMsg{Events: evs})
	m, _ = uitest.Pump(t, p.(Model), cmd, 7)
	return m
}

const (
	busybox = "docker.io/library/busybox:1.36"
	alpine  = "docker.io/library/alpine:3.20"
)

func liveNative() *fake.Native {
	return &fake.Native{
		ImagesByNS: map[string][]backend.Image{"default": {{Name: busybox, Digest: "sha256:bb"}}},
		Details: map[string]backend.ImageDetails{
			"sha256:bb": {Size: 2 << 20, Platforms: []string{"linux/amd64"}},
			"sha256:al": {Size: 3 << 20, Platforms: []string{"linux/arm64"}},
		},
		Ctrs: map[string][]backend.Container{"default": {{ID: "a", Image: busybox}, {ID: "b", Image: busybox}}},
	}
}

func TestImageEventsAddAndRemoveRows(t *testing.T) {
	f := liveNative()
	m := openLive(t, f, nil, "default")
	if got := line(m, busybox); got != busybox+" sha256:bb 2.0 MiB linux/amd64 - 2" {
		t.Fatalf("busybox: %q", got)
	}
	// ctr pull: the image appears, with its size fetched in the background.
	f.SetImages("default", append(f.ImagesByNS["default"], backend.Image{Name: alpine, Digest: "sha256:al"}))
	m = events(t, m, backend.Event{Namespace: "default", Topic: backend.TopicImageCreate, ID: alpine})
	if got := line(m, alpine); got != alpine+" sha256:al 3.0 MiB linux/arm64 - 0" {
		t.Fatalf("alpine after create: %q\n%s", got, ansi.Strip(m.View()))
	}
	if !slices.Contains(f.DetailCalls, "sha256:al") {
		t.Fatalf("details of the new image not asked: %v", f.DetailCalls)
	}
	// ctr rm: the row goes at once, without a list.
	lists, _, _ := f.Calls()
	m = events(t, m, backend.Event{Namespace: "default", Topic: backend.TopicImageDelete, ID: alpine})
	if line(m, alpine) != "" || m.State().Info != "1" {
		t.Fatalf("alpine still shown:\n%s", ansi.Strip(m.View()))
	}
	if now, _, _ := f.Calls(); len(now) != len(lists) {
		t.Fatalf("delete listed again: %v", now)
	}
}

func TestUsedByFollowsContainerEvents(t *testing.T) {
	f := liveNative()
	m := openLive(t, f, nil, "default")
	f.SetContainers("default", []backend.Container{{ID: "a", Image: busybox}})
	m = events(t, m,
		backend.Event{Namespace: "default", Topic: backend.TopicContainerDelete, ID: "b"},
		backend.Event{Namespace: "default", Topic: backend.TopicTaskExit, ID: "b"}) // not the images page's
	if got := line(m, busybox); !strings.HasSuffix(got, " 1") {
		t.Fatalf("USED BY after delete: %q", got)
	}
	if _, ctrLists, _ := f.Calls(); len(ctrLists) != 2 {
		t.Fatalf("container lists %v", ctrLists)
	}
}

func TestCRIViewInK8s(t *testing.T) {
	f := liveNative()
	f.ImagesByNS["k8s.io"] = []backend.Image{
		{Name: "registry.k8s.io/pause:3.10", Digest: "sha256:pp"},
		{Name: "registry.k8s.io/pause@sha256:pp", Digest: "sha256:pp"},
		{Name: "sha256:0123456789abcdef0123", Digest: "sha256:pp"},
		{Name: "docker.io/library/nginx:1", Digest: "sha256:ng"}, // pulled by ctr: CRI does not know the name
	}
	f.Ctrs["k8s.io"] = []backend.Container{{ID: "sb", Image: "registry.k8s.io/pause:3.10"}, {ID: "sb2", Image: "registry.k8s.io/pause:3.10"}}
	r := &fake.Runtime{Imgs: []backend.CRIImage{{
		ID: "sha256:0123456789abcdef0123", RepoTags: []string{"registry.k8s.io/pause:3.10"},
		RepoDigests: []string{"registry.k8s.io/pause@sha256:pp"}, Pinned: true,
	}}}
	m := openLive(t, f, r, "k8s.io")
	for _, ref := range []string{"registry.k8s.io/pause:3.10", "registry.k8s.io/pause@sha256:pp", "sha256:0123456789abcdef0123"} {
		if got := line(m, ref); !strings.HasSuffix(got, " 2 true 0123456789abc") {
			t.Errorf("%s: %q", ref, got)
		}
	}
	if got := line(m, "docker.io/library/nginx:1"); !strings.HasSuffix(got, " 0 - -") {
		t.Errorf("nginx: %q", got)
	}
	// An image event asks CRI again, once for a burst.
	before := r.Count("Images")
	ev := backend.Event{Namespace: "k8s.io", Topic: backend.TopicImageUpdate, ID: "registry.k8s.io/pause:3.10"}
	events(t, m, ev, ev, ev)
	if n := r.Count("Images") - before; n != 1 {
		t.Fatalf("CRI Images asked %d times", n)
	}
}

func TestResyncKeepsRowsUntilAnswer(t *testing.T) {
	f := liveNative()
	m := openLive(t, f, nil, "default")
	p, cmd := m.Update(page.ResyncMsg{})
	if p.State().Info != "1" || p.(Model).Gen() != m.Gen() {
		t.Fatalf("resync dropped rows or bumped gen: %+v", p.State())
	}
	m, _ = uitest.Pump(t, p.(Model), cmd, 7)
	if lists, ctrLists, _ := f.Calls(); len(lists) != 2 || len(ctrLists) != 2 {
		t.Fatalf("resync calls: %v %v", lists, ctrLists)
	}
}
