package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/frame"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
)

const wait = 100 * time.Millisecond

type node struct {
	native *fake.Native
	cri    *fake.Runtime
	b      *backend.Backend
}

func newNode(images int) node {
	n := &fake.Native{
		NS:         []backend.Namespace{{Name: "default"}, {Name: "k8s.io"}},
		ImagesByNS: map[string][]backend.Image{},
		Details:    map[string]backend.ImageDetails{},
		Ver:        backend.ServerVersion{Version: "v2.1.4", Revision: "abc"},
		Ctrs: map[string][]backend.Container{
			"default": {{ID: "web", Image: "docker.io/library/nginx:1", Task: &backend.Task{PID: 99, Status: backend.TaskRunning}}},
		},
	}
	for i := range images {
		dg := fmt.Sprintf("sha256:%064x", i)
		n.ImagesByNS["default"] = append(n.ImagesByNS["default"], backend.Image{Name: fmt.Sprintf("docker.io/library/app%05d:v1", i), Digest: dg})
		n.Details[dg] = backend.ImageDetails{Size: 5 << 20, Platforms: []string{"linux/amd64"}}
	}
	n.ImagesByNS["k8s.io"] = []backend.Image{{Name: "registry.k8s.io/pause:3.10", Digest: "sha256:pause"}}
	r := &fake.Runtime{
		Ver: backend.RuntimeVersion{RuntimeName: "containerd", RuntimeVersion: "v2.1.4", RuntimeAPIVersion: "v1"},
		Stat: backend.RuntimeStatus{Conditions: []backend.Condition{
			{Type: backend.ConditionRuntimeReady, Status: true},
			{Type: backend.ConditionNetworkReady, Status: true},
		}},
	}
	b := &backend.Backend{
		Config: backend.Config{Address: "/run/containerd/containerd.sock", Namespace: "default", Timeout: time.Second},
		Native: n, CRI: r,
	}
	return node{native: n, cri: r, b: b}
}

// start builds the root at w x h and runs Init's commands to completion.
func start(t *testing.T, n node, w, h int) Model {
	t.Helper()
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: testclock.Clock()})
	m = feed(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return run(t, m, m.Init())
}

// feed gives msg to the root and runs what it returns.
func feed(t *testing.T, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		tm, cmd := m.Update(msg)
		m = run(t, tm.(Model), cmd)
	}
	return m
}

// run runs cmd and feeds back every message it yields, as bubbletea's loop
// does; timers longer than wait are left out.
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := uitest.Drain(cmd, wait)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		if _, ok := msg.(tea.QuitMsg); ok {
			continue
		}
		tm, c := m.Update(msg)
		m = tm.(Model)
		queue = append(queue, uitest.Drain(c, wait)...)
	}
	return m
}

func keys(t *testing.T, m Model, ks ...string) Model {
	t.Helper()
	for _, k := range ks {
		m = feed(t, m, uitest.Press(k))
	}
	return m
}

func typed(t *testing.T, m Model, s string) Model {
	t.Helper()
	return feed(t, m, uitest.Type(s)...)
}

func screen(m Model) string { return ansi.Strip(m.View().Content) }

func TestFirstScreen(t *testing.T) {
	n := newNode(30)
	m := start(t, n, 100, 24)
	s := screen(m)
	for _, want := range []string{"ns default", "containerd v2.1.4", "CRI containerd v2.1.4", "RuntimeReady ✓", "NetworkReady ✓",
		"/run/containerd/containerd.sock", "REF", "app00000:v1", "5.0 MiB", "linux/amd64", "images 30"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if v := m.View(); !v.AltScreen || v.MouseMode != tea.MouseModeCellMotion {
		t.Error("view does not ask for the alt screen and the mouse")
	}
}

func TestNoticesShowAtStart(t *testing.T) {
	n := newNode(1)
	m := New(context.Background(), n.b, Options{Notices: []string{"autodetected: k3s/RKE2's embedded containerd"}})
	m = feed(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m = run(t, m, m.Init())
	if !strings.Contains(screen(m), "autodetected: k3s/RKE2's embedded containerd") {
		t.Fatalf("notice not shown:\n%s", screen(m))
	}
}

func TestHeaderWarnsAndReadonly(t *testing.T) {
	n := newNode(1)
	n.cri.Stat.Conditions[1] = backend.Condition{Type: backend.ConditionNetworkReady, Reason: "NetworkPluginNotReady", Message: "cni plugin not initialized"}
	n.b.Config.Readonly = true
	s := screen(start(t, n, 120, 24))
	for _, want := range []string{"READONLY", "⚠ NetworkReady=false: NetworkPluginNotReady: cni plugin not initialized"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
}

func TestCRIUnavailable(t *testing.T) {
	n := newNode(1)
	n.b.CRI, n.b.CRIErr = nil, backend.Errorf(backend.ErrCRIUnavailable, "the cri plugin is disabled")
	s := screen(start(t, n, 100, 24))
	if !strings.Contains(s, "CRI unavailable") || !strings.Contains(s, "CRI: the cri plugin is disabled") {
		t.Fatalf("CRI side not explained:\n%s", s)
	}
	if !strings.Contains(s, "app00000:v1") {
		t.Fatal("native side should still work")
	}
}

func TestQuit(t *testing.T) {
	m := start(t, newNode(1), 80, 24)
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := m.Update(uitest.Press(k))
		if cmd == nil || cmd() != tea.Quit() {
			t.Errorf("%s does not quit", k)
		}
	}
	m = keys(t, m, "/")
	_, cmd := m.Update(uitest.Press("q"))
	if cmd != nil && cmd() == tea.Quit() {
		t.Error("q quits while typing a filter")
	}
	_, cmd = m.Update(uitest.Press("ctrl+c"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Error("ctrl+c does not quit while typing")
	}
}

func TestEscClearsFilterBeforeGoingBack(t *testing.T) {
	m := start(t, newNode(20), 80, 24)
	m = keys(t, m, "/")
	m = typed(t, m, "app0001")
	m = keys(t, m, "enter")
	if st := m.top().State(); !st.Filtered || st.Info != "10/20" {
		t.Fatalf("filter: %+v", st)
	}
	m = keys(t, m, "esc")
	if st := m.top().State(); st.Filtered || len(m.pages) != 1 {
		t.Fatalf("esc: %+v, %d pages", st, len(m.pages))
	}
	m = keys(t, m, "esc") // nothing to go back to: stays
	if len(m.pages) != 1 {
		t.Fatal("esc popped the last page")
	}
}

func TestCommandMode(t *testing.T) {
	n := newNode(3)
	m := start(t, n, 100, 24)
	m = keys(t, m, ":")
	if !m.cmdline.Active || !strings.Contains(screen(m), ":") {
		t.Fatal(": did not open the command line")
	}
	m = typed(t, m, "con")
	m = keys(t, m, "tab")
	if got := m.cmdline.Input.Value(); got != "containers" {
		t.Fatalf("tab completed to %q", got)
	}
	m = keys(t, m, "esc")
	if m.cmdline.Active {
		t.Fatal("esc did not close the command line")
	}

	// :ns NAME switches every page to NAME.
	m = keys(t, m, ":")
	m = typed(t, m, "ns k8s")
	m = keys(t, m, "tab")
	if got := m.cmdline.Input.Value(); got != "ns k8s.io" {
		t.Fatalf("namespace completed to %q", got)
	}
	m = keys(t, m, "enter")
	if m.ns != "k8s.io" || !strings.Contains(screen(m), "registry.k8s.io/pau") || !strings.Contains(screen(m), "ns k8s.io") {
		t.Fatalf("after :ns k8s.io, ns=%s:\n%s", m.ns, screen(m))
	}

	// A namespace that does not exist is refused with the ones that do.
	m = keys(t, m, ":")
	m = typed(t, m, "ns nope")
	m = keys(t, m, "enter")
	if m.ns != "k8s.io" || !strings.Contains(screen(m), "namespace nope does not exist; there are: default, k8s.io") {
		t.Fatalf("bad namespace accepted:\n%s", screen(m))
	}

	m = keys(t, m, ":")
	m = typed(t, m, "frobnicate")
	m = keys(t, m, "enter")
	if !strings.Contains(screen(m), "unknown command :frobnicate") {
		t.Fatalf("unknown command not reported:\n%s", screen(m))
	}

	m = keys(t, m, ":")
	m = typed(t, m, "q")
	_, cmd := m.Update(uitest.Press("enter"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal(":q does not quit")
	}
}

func TestNavigateBetweenPages(t *testing.T) {
	m := start(t, newNode(3), 100, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "c")
	m = keys(t, m, "enter")
	if s := screen(m); len(m.pages) != 2 || !strings.Contains(s, "RUNNING") || !strings.Contains(s, "containers 1") {
		t.Fatalf(":c did not open containers:\n%s", s)
	}
	m = keys(t, m, "esc")
	if len(m.pages) != 1 || !strings.Contains(screen(m), "app00000:v1") {
		t.Fatalf("esc did not go back to images:\n%s", screen(m))
	}
	// :ns opens the namespaces page; enter switches and goes back.
	m = keys(t, m, ":")
	m = typed(t, m, "ns")
	m = keys(t, m, "enter")
	if !strings.Contains(screen(m), "default (current)") {
		t.Fatalf(":ns did not open namespaces:\n%s", screen(m))
	}
	m = keys(t, m, "j", "enter")
	if m.ns != "k8s.io" || len(m.pages) != 1 || !strings.Contains(screen(m), "registry.k8s.io/pau") {
		t.Fatalf("enter on k8s.io: ns=%s pages=%d\n%s", m.ns, len(m.pages), screen(m))
	}
	// A page already on the stack is returned to, not stacked twice.
	m = keys(t, m, ":")
	m = typed(t, m, "img")
	m = keys(t, m, "enter")
	if len(m.pages) != 1 {
		t.Fatalf(":img stacked a second images page: %d", len(m.pages))
	}
}

func TestHelpIsGeneratedFromKeymaps(t *testing.T) {
	m := start(t, newNode(1), 120, 40)
	m = keys(t, m, "?")
	s := screen(m)
	for _, want := range []string{"global", "images", "commands", "ctrl+r", "refresh the list", "sort by SIZE", ":containers :c", "filter: text"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	m = keys(t, m, "esc")
	if m.help || len(m.pages) != 1 {
		t.Fatal("esc should close help only")
	}
}

func TestConnectionLostAndRecovered(t *testing.T) {
	n := newNode(5)
	m := start(t, n, 100, 24)
	lost := backend.Errorf(backend.ErrUnavailable, "list images: nothing is listening on /run/containerd/containerd.sock; is containerd running?")
	n.native.SetErr(lost)
	m = keys(t, m, "ctrl+r")
	s := screen(m)
	if !m.conn.Lost || !strings.Contains(s, "is containerd running?") || !strings.Contains(s, "retrying") {
		t.Fatalf("no connection panel:\n%s", s)
	}
	if !strings.Contains(s, "images") || len(strings.Split(m.View().Content, "\n")) > 24 {
		t.Fatalf("panel should not take the screen over:\n%s", s)
	}
	// The probe keeps failing while the daemon is down...
	m = feed(t, m, frame.ProbeMsg{Seq: m.conn.Seq()})
	if !m.conn.Lost {
		t.Fatal("recovered while the daemon is down")
	}
	// ...and the panel closes by itself once it answers; pages reload.
	calls := len(n.native.ListCalls)
	n.native.SetErr(nil)
	m = feed(t, m, frame.ProbeMsg{Seq: m.conn.Seq()})
	if m.conn.Lost || !strings.Contains(screen(m), "connection restored") {
		t.Fatalf("not recovered:\n%s", screen(m))
	}
	if len(n.native.ListCalls) != calls+1 {
		t.Fatalf("pages did not reload: %d list calls, had %d", len(n.native.ListCalls), calls)
	}
	if !strings.Contains(screen(m), "app00004:v1") {
		t.Fatalf("list not back:\n%s", screen(m))
	}
}

func TestTransientErrorFlashes(t *testing.T) {
	m := start(t, newNode(1), 100, 24)
	m = feed(t, m, page.ErrMsg{Err: backend.Errorf(backend.ErrNotFound, "tag busybox: image not found")})
	if !strings.Contains(screen(m), "tag busybox: image not found") || m.conn.Lost {
		t.Fatalf("no flash:\n%s", screen(m))
	}
	m = feed(t, m, frame.FlashExpiredMsg{Seq: m.flash.Seq() - 1}) // an older flash's timer
	if !strings.Contains(screen(m), "image not found") {
		t.Fatal("an older timer cleared a newer flash")
	}
	m = feed(t, m, frame.FlashExpiredMsg{Seq: m.flash.Seq()})
	if strings.Contains(screen(m), "image not found") {
		t.Fatal("flash did not expire")
	}
}

func TestRepliesForGonePagesAreDropped(t *testing.T) {
	m := start(t, newNode(1), 100, 24)
	before := screen(m)
	m = feed(t, m, page.Reply{Tag: page.Tag{Page: 999, Gen: 1}, Msg: "whatever"})
	if screen(m) != before {
		t.Fatal("a reply for no page changed the screen")
	}
}

func TestBackgroundColourRebuildsStyles(t *testing.T) {
	n := newNode(1)
	m := New(context.Background(), n.b, Options{})
	tm, _ := m.Update(tea.BackgroundColorMsg{Color: ansiWhite{}})
	if !tm.(Model).styles.Options().Light {
		t.Fatal("light background not picked up")
	}
}

type ansiWhite struct{}

func (ansiWhite) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestViewFitsEverySize(t *testing.T) {
	n := newNode(50)
	base := start(t, n, 100, 30)
	lost := feed(t, base, page.ErrMsg{Err: backend.Errorf(backend.ErrUnavailable, "connection lost to containerd at /run/containerd/containerd.sock")})
	helped := keys(t, base, "?")
	for _, m0 := range []Model{base, lost, helped} {
		for w := 0; w <= 200; w += 1 + w/40 {
			for h := 0; h <= 60; h += 1 + w%4 {
				tm, _ := m0.Update(tea.WindowSizeMsg{Width: w, Height: h})
				v := tm.(Model).View().Content
				lines := strings.Split(v, "\n")
				if v != "" && len(lines) > h {
					t.Fatalf("%dx%d: %d lines", w, h, len(lines))
				}
				for _, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Fatalf("%dx%d: line %q is %d wide", w, h, l, lw)
					}
				}
			}
		}
	}
}

func TestTooSmallSaysSo(t *testing.T) {
	m := start(t, newNode(1), 30, 6)
	if s := screen(m); !strings.Contains(s, "bigger window") {
		t.Fatalf("too small a screen not explained: %q", s)
	}
}

func TestKeybindingsDocIsCurrent(t *testing.T) {
	got, err := os.ReadFile("../docs/keybindings.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != KeybindingsMarkdown() {
		t.Fatal("docs/keybindings.md is out of date: run go generate ./ui")
	}
}

// BenchmarkFilterKeystrokeRoot10k is a filter keystroke at 10,000 images
// through the whole program path: root routing, images page, table, and the
// full frame with header and status line.
func BenchmarkFilterKeystrokeRoot10k(b *testing.B) {
	n := newNode(10000)
	m := New(context.Background(), n.b, Options{})
	tm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	m = tm.(Model)
	for _, msg := range uitest.Drain(m.init, time.Second) {
		tm, _ = m.Update(msg)
		m = tm.(Model)
	}
	if m.top().State().Info != "10000" {
		b.Fatalf("not loaded: %+v", m.top().State())
	}
	tm, _ = m.Update(uitest.Press("/"))
	m = tm.(Model)
	ks := []tea.Msg{uitest.Press("a"), uitest.Press("p"), uitest.Press("p"), uitest.Press("9"), uitest.Press("backspace"), uitest.Press("backspace"), uitest.Press("backspace"), uitest.Press("backspace")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tm, _ = m.Update(ks[i%len(ks)])
		m = tm.(Model)
		_ = m.View()
	}
}
