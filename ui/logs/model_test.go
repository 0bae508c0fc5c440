package logs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
	"github.com/ctui/ctui/ui/theme"
)

// host runs the page as the root would: replies unwrapped, and what the
// page asks of the root (flash, errors) recorded.
type host struct {
	p       Model
	flashes *[]string
}

func (h host) Init() tea.Cmd { return nil }

func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if r, ok := msg.(page.Reply); ok {
		msg = r.Msg
	}
	switch msg := msg.(type) {
	case page.FlashMsg:
		*h.flashes = append(*h.flashes, msg.Text)
		return h, nil
	case page.ErrMsg:
		*h.flashes = append(*h.flashes, "error: "+msg.Err.Error())
		return h, nil
	case page.OKMsg:
		return h, nil
	}
	p, cmd := h.p.Update(msg)
	h.p = p.(Model)
	return h, cmd
}

func (h host) View() tea.View { return tea.NewView(h.p.View()) }

// bed is a pod container with a current and a previous CRI log.
type bed struct {
	dir, cur, prev string
	rt             *fake.Runtime
}

func criLine(i int, stream, text string) string {
	at := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	return at.Format(time.RFC3339Nano) + " " + stream + " F " + text + "\n"
}

func newBed(t *testing.T, lines int) bed {
	t.Helper()
	dir := t.TempDir()
	b := bed{dir: dir, cur: filepath.Join(dir, "1.log"), prev: filepath.Join(dir, "0.log")}
	var cur, prev strings.Builder
	for i := 1; i <= lines; i++ {
		cur.WriteString(criLine(i, "stdout", fmt.Sprintf("line %d", i)))
		if i%5 == 0 {
			cur.WriteString(criLine(i, "stderr", fmt.Sprintf("warning %d", i)))
		}
	}
	prev.WriteString(criLine(0, "stdout", "starting attempt 0"))
	prev.WriteString(criLine(1, "stderr", "fatal: missing config"))
	if err := os.WriteFile(b.cur, []byte(cur.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.prev, []byte(prev.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.rt = &fake.Runtime{PodCtrs: []backend.PodContainer{{
		ID: "c1", Name: "logger", PodID: "p1", PodName: "web", PodNamespace: "default",
		State: backend.ContainerRunning, Attempt: 1, LogPath: b.cur,
	}}}
	return b
}

func (b bed) append(t *testing.T, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(b.cur, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		if _, err := f.WriteString(l); err != nil {
			t.Fatal(err)
		}
	}
}

// open starts the log page of obj at w x h and runs it until the history is
// on screen.
func open(t *testing.T, f target.Finder, obj page.Object, w, h int, ready func(Model) bool) (*uitest.Loop, host) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := Config{ID: 1, Ctx: ctx, Object: obj, Finder: f, Timeout: time.Second,
		Styles: theme.New(theme.Options{NoColor: true}), SaveDir: t.TempDir()}
	p, cmd := New(cfg)
	l := uitest.NewLoop(t)
	hs := host{p: p, flashes: new([]string)}
	tm, _ := hs.Update(page.SizeMsg{Width: w, Height: h})
	hs = tm.(host)
	l.Run(cmd)
	hs = until(t, l, hs, ready)
	t.Cleanup(hs.p.Close)
	return l, hs
}

func until(t *testing.T, l *uitest.Loop, h host, done func(Model) bool) host {
	t.Helper()
	h, _ = uitest.Until(t, l, h, 10*time.Second, func(h host) bool { return done(h.p) })
	return h
}

// press feeds keys and runs what they return until the page is quiet.
func press(t *testing.T, l *uitest.Loop, h host, keys ...string) host {
	t.Helper()
	for _, k := range keys {
		var msgs []tea.Msg
		if len(k) > 1 && !strings.Contains(k, "+") && k != "enter" && k != "esc" && k != "up" && k != "down" && k != "pgup" && k != "pgdown" && k != "space" && k != "end" && k != "home" {
			msgs = uitest.Type(k)
		} else {
			msgs = []tea.Msg{uitest.Press(k)}
		}
		for _, msg := range msgs {
			tm, cmd := h.Update(msg)
			h = tm.(host)
			l.Run(cmd)
		}
	}
	return settle(t, l, h)
}

// settle feeds what comes within a short while, for commands that answer
// at once (a search's flash, a save).
func settle(t *testing.T, l *uitest.Loop, h host) host {
	t.Helper()
	for {
		msg, ok := l.Next(100 * time.Millisecond)
		if !ok {
			return h
		}
		tm, cmd := h.Update(msg)
		h = tm.(host)
		l.Run(cmd)
	}
}

func screen(m Model) string { return ansi.Strip(m.View()) }

func podCtr() page.Object { return page.Object{Kind: page.KindPodContainer, ID: "c1", Name: "c1"} }

func following(n int) func(Model) bool {
	return func(m Model) bool { return m.ring.Len() >= n && m.atEnd }
}

func TestFollowShowsNewLinesAtOnce(t *testing.T) {
	b := newBed(t, 20)
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 60, 10, following(24))
	s := screen(h.p)
	if !strings.Contains(s, "container web/logger (attempt 1)") || !strings.Contains(s, "following") || !strings.Contains(s, "line 20") {
		t.Fatalf("the tail, following:\n%s", s)
	}
	if got := strings.Count(s, "\n") + 1; got != 10 {
		t.Errorf("%d lines drawn on a 10-line page", got)
	}
	// The reader polls every 50 ms; until's deadline is generous for a
	// loaded machine, and no key or timer but the follow brings them.
	b.append(t, criLine(21, "stdout", "line 21"), criLine(22, "stderr", "boom 22"))
	h = until(t, l, h, func(m Model) bool { return strings.Contains(screen(m), "boom 22") })
	if last := h.p.at(h.p.count() - 1); last.Stream != backend.StreamStderr {
		t.Errorf("stream lost: %+v", last)
	}
}

func TestHeldViewKeepsItsPlaceBySeq(t *testing.T) {
	b := newBed(t, 40) // 48 lines
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 60, 6, following(48))
	h = press(t, l, h, "k", "k")
	if h.p.follow {
		t.Fatal("k holds the view")
	}
	first := h.p.at(mustStart(h.p)).Seq
	b.append(t, criLine(41, "stdout", "line 41"))
	h = until(t, l, h, following(49))
	if got := h.p.at(mustStart(h.p)).Seq; got != first {
		t.Errorf("the view moved from line %d to %d while held", first, got)
	}
	if !strings.Contains(screen(h.p), "held") {
		t.Errorf("the header says the view is held:\n%s", screen(h.p))
	}
	h = press(t, l, h, "G")
	if !h.p.follow || !strings.Contains(screen(h.p), "line 41") {
		t.Errorf("G follows again:\n%s", screen(h.p))
	}
	h = press(t, l, h, "s")
	if h.p.follow {
		t.Error("s holds the view")
	}
	h = press(t, l, h, "s")
	if !h.p.follow {
		t.Error("s again follows")
	}
	h = press(t, l, h, "g")
	if h.p.follow || mustStart(h.p) != 0 {
		t.Errorf("g goes to the oldest line: start %d", mustStart(h.p))
	}
	h = press(t, l, h, "ctrl+d", "ctrl+d")
	if got := mustStart(h.p); got != 4 {
		t.Errorf("two half pages of a 5-line body: start %d, want 4", got)
	}
	h = press(t, l, h, "pgdown", "pgup")
	if got := mustStart(h.p); got != 4 {
		t.Errorf("page down then up: start %d, want 4", got)
	}
	for range 20 {
		h = press(t, l, h, "ctrl+d")
	}
	if !h.p.follow {
		t.Error("scrolling down to the bottom follows again")
	}
}

func mustStart(m Model) int {
	s, _ := m.window()
	return s
}

func TestPreviousAttempt(t *testing.T) {
	b := newBed(t, 3)
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 80, 10, following(3))
	h = press(t, l, h, "p")
	h = until(t, l, h, func(m Model) bool { return !m.reading && m.ring.Len() == 2 })
	s := screen(h.p)
	if !strings.Contains(s, "fatal: missing config") || strings.Contains(s, "line 1") || !strings.Contains(s, "previous attempt") ||
		!strings.Contains(s, "attempt 0") || !strings.Contains(s, "end of log") {
		t.Fatalf("the previous attempt's log, not followed:\n%s", s)
	}
	h = press(t, l, h, "p")
	h = until(t, l, h, following(3))
	if s := screen(h.p); !strings.Contains(s, "line 3") || strings.Contains(s, "previous attempt") {
		t.Errorf("p again: the current attempt:\n%s", s)
	}
}

func TestSearchHighlightsAndJumps(t *testing.T) {
	b := newBed(t, 100) // 120 lines: warnings every 5
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 60, 8, following(120))
	h = press(t, l, h, "/", "WARNING 1", "enter")
	// Smart case: upper case in the pattern matches case, so nothing.
	if h.p.hit != 0 || len(*h.flashes) == 0 || !strings.Contains((*h.flashes)[len(*h.flashes)-1], "no kept line matches") {
		t.Fatalf("an upper-case search matches case: hit %d, flashes %q", h.p.hit, *h.flashes)
	}
	h = press(t, l, h, "/", "ctrl+u")
	h = press(t, l, h, "~warning 1\\d$", "enter")
	if h.p.hit == 0 {
		t.Fatal("no hit")
	}
	first, _ := h.p.ring.Get(h.p.hit)
	if first.Text != "warning 10" {
		t.Fatalf("first hit from the top of the screen, wrapping: %q", first.Text)
	}
	if !strings.Contains(screen(h.p), "warning 10") || h.p.follow {
		t.Errorf("the hit is shown and the view held:\n%s", screen(h.p))
	}
	h = press(t, l, h, "n")
	if l, _ := h.p.ring.Get(h.p.hit); l.Text != "warning 15" {
		t.Errorf("n: %q, want warning 15", l.Text)
	}
	h = press(t, l, h, "N", "N")
	if l, _ := h.p.ring.Get(h.p.hit); l.Text != "warning 15" {
		t.Errorf("N N from 15 wraps past 10 back to the last, 15: %q", l.Text)
	}
	if !h.p.State().Filtered {
		t.Error("a kept search makes esc clear it first")
	}
	h = press(t, l, h, "esc")
	if h.p.search != nil || h.p.State().Filtered {
		t.Error("esc clears the search")
	}
}

func TestFilterAppliesToEveryKeptLine(t *testing.T) {
	b := newBed(t, 100)
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 60, 8, following(120))
	h = press(t, l, h, "&", "line 1")
	// line 1, 10-19, 100: 12 lines, over the whole ring, not the screen.
	if h.p.count() != 12 || h.p.prompt != promptFilter {
		t.Fatalf("filter while typing: %d rows", h.p.count())
	}
	h = press(t, l, h, "enter")
	if h.p.prompt != promptNone || h.p.count() != 12 || !strings.Contains(screen(h.p), "&line 1") {
		t.Fatalf("kept filter:\n%s", screen(h.p))
	}
	b.append(t, criLine(101, "stdout", "line 101"), criLine(102, "stdout", "line 202"))
	h = until(t, l, h, following(122))
	if h.p.count() != 13 {
		t.Errorf("a new matching line joins the filtered rows: %d", h.p.count())
	}
	h = press(t, l, h, "2")
	if h.p.count() != 0 || !strings.Contains(screen(h.p), "none of the 122 kept lines matches stderr only &line 1") {
		t.Errorf("stderr only and the filter:\n%s", screen(h.p))
	}
	h = press(t, l, h, "esc")
	if h.p.count() != 122 {
		t.Errorf("esc clears both filters: %d", h.p.count())
	}
	h = press(t, l, h, "2")
	if h.p.count() != 20 {
		t.Errorf("stderr only: %d rows, want 20", h.p.count())
	}
	h = press(t, l, h, "0")
	if h.p.count() != 122 {
		t.Errorf("0: both streams: %d", h.p.count())
	}
	h = press(t, l, h, "f", "~[", "enter")
	if h.p.prompt != promptFilter || h.p.inputErr == "" {
		t.Error("a regexp that does not compile stays in the prompt with its error")
	}
	h = press(t, l, h, "esc")
	if h.p.prompt != promptNone || h.p.filter != "" {
		t.Error("esc while typing cancels the filter")
	}
}

func TestRingBoundsTheLines(t *testing.T) {
	b := newBed(t, 100)
	cfgLines := 50
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, cmd := New(Config{ID: 1, Ctx: ctx, Object: podCtr(), Finder: target.Finder{CRI: b.rt}, Timeout: time.Second,
		Styles: theme.New(theme.Options{NoColor: true}), Lines: cfgLines, Tail: 1000})
	l := uitest.NewLoop(t)
	h := host{p: p, flashes: new([]string)}
	tm, _ := h.Update(page.SizeMsg{Width: 40, Height: 5})
	h = tm.(host)
	l.Run(cmd)
	h = until(t, l, h, func(m Model) bool { return m.atEnd })
	defer h.p.Close()
	if h.p.ring.Len() != cfgLines || h.p.at(cfgLines-1).Text != "warning 100" {
		t.Errorf("kept %d lines, last %q", h.p.ring.Len(), h.p.at(h.p.ring.Len()-1).Text)
	}
}

func TestSaveAsksBeforeOverwriting(t *testing.T) {
	b := newBed(t, 5)
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 80, 8, following(6))
	h = press(t, l, h, "ctrl+s")
	if line := strings.Split(screen(h.p), "\n")[7]; strings.HasSuffix(line, "…") || ansi.StringWidth(line) > 80 {
		t.Errorf("the save prompt fits: %q", line)
	}
	if h.p.prompt != promptSave || !strings.HasPrefix(h.p.input.Value(), h.p.cfg.SaveDir+"/ctui-default_web_logger-") {
		t.Fatalf("ctrl+s proposes a file named after the container: %q", h.p.input.Value())
	}
	path := filepath.Join(b.dir, "saved.log")
	h = press(t, l, h, "ctrl+u", path, "enter")
	data, err := os.ReadFile(path)
	if err != nil || strings.Count(string(data), "\n") != 6 || !strings.HasPrefix(string(data), "line 1\n") {
		t.Fatalf("saved %q, %v", data, err)
	}
	if got := (*h.flashes)[len(*h.flashes)-1]; got != "saved 6 lines to "+path {
		t.Errorf("flash %q", got)
	}
	h = press(t, l, h, "2", "t", "ctrl+s", "ctrl+u", path, "enter")
	if h.p.prompt != promptOverwrite || !strings.Contains(screen(h.p), "overwrite the existing file? y/N") {
		t.Fatalf("an existing file asks:\n%s", screen(h.p))
	}
	h = press(t, l, h, "n")
	if data2, _ := os.ReadFile(path); string(data2) != string(data) {
		t.Error("n leaves the file alone")
	}
	h = press(t, l, h, "ctrl+s", "ctrl+u", path, "enter")
	h = press(t, l, h, "y")
	data, _ = os.ReadFile(path)
	if string(data) != "2026-01-10T12:00:00.005Z warning 5\n" {
		t.Errorf("y overwrites with the lines shown (stderr), with timestamps: %q", data)
	}
}

func TestNoLogIsASentence(t *testing.T) {
	n := &fake.Native{Ctrs: map[string][]backend.Container{"default": {
		{ID: "fifo", Task: &backend.Task{ID: "fifo", Status: backend.TaskRunning, Stdout: "/run/containerd/fifo/123/fifo-stdout"}},
		{ID: "idle"},
	}}}
	f := target.Finder{Native: n}
	_, h := open(t, f, page.Object{Kind: page.KindContainer, Namespace: "default", ID: "fifo"}, 60, 8, func(m Model) bool { return m.err != nil })
	s := screen(h.p)
	if !strings.Contains(s, "no log for fifo: task fifo writes to the fifo") || !strings.Contains(s, "--log-uri") {
		t.Errorf("why and what to do:\n%s", s)
	}
	_, h = open(t, f, page.Object{Kind: page.KindContainer, Namespace: "default", ID: "idle"}, 60, 8, func(m Model) bool { return m.err != nil })
	if s := screen(h.p); !strings.Contains(s, "has no task") {
		t.Errorf("a container without a task:\n%s", s)
	}
}

func TestRawTaskLog(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ticker.log")
	if err := os.WriteFile(p, []byte("tick 1\ntick 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := &fake.Native{Ctrs: map[string][]backend.Container{"default": {
		{ID: "ticker", Task: &backend.Task{ID: "ticker", Status: backend.TaskRunning, Stdout: "file://" + p}},
	}}}
	l, h := open(t, target.Finder{Native: n}, page.Object{Kind: page.KindContainer, Namespace: "default", ID: "ticker"}, 60, 8, following(2))
	if s := screen(h.p); !strings.Contains(s, "task ticker") || !strings.Contains(s, "tick 2") {
		t.Fatalf("a task's file:// log:\n%s", s)
	}
	h = press(t, l, h, "2", "t", "p", "S")
	if h.p.stream != "" || h.p.timestamps || h.p.previous || h.p.since != 0 || len(*h.flashes) != 4 {
		t.Errorf("streams, timestamps, previous and since are refused with a sentence on a raw log: %q", *h.flashes)
	}
	for _, k := range h.p.Keys() {
		if k.Help().Key == "p" && k.Enabled() {
			t.Error("p is left out of help for a native task")
		}
	}
}

func TestPodPicksItsRunningContainer(t *testing.T) {
	b := newBed(t, 2)
	b.rt.PodCtrs = append(b.rt.PodCtrs,
		backend.PodContainer{ID: "old", Name: "logger", PodID: "p1", State: backend.ContainerExited, LogPath: b.prev},
		backend.PodContainer{ID: "side", Name: "sidecar", PodID: "p1", State: backend.ContainerExited, LogPath: b.prev})
	_, h := open(t, target.Finder{CRI: b.rt}, page.Object{Kind: page.KindPod, ID: "p1", Name: "default/web"}, 100, 8, following(2))
	if h.p.ctr.ID != "c1" || strings.Join(h.p.ctr.Others, ",") != "sidecar" {
		t.Errorf("picked %s, others %v", h.p.ctr.ID, h.p.ctr.Others)
	}
	if s := screen(h.p); !strings.Contains(s, "pod also runs sidecar") {
		t.Errorf("the header names the other containers:\n%s", s)
	}
}

func TestCloseEndsTheReader(t *testing.T) {
	b := newBed(t, 2)
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 60, 8, following(2))
	h.p.Close()
	h = until(t, l, h, func(m Model) bool { return !m.reading })
}

func TestViewFitsAnySize(t *testing.T) {
	b := newBed(t, 30)
	l, h := open(t, target.Finder{CRI: b.rt}, podCtr(), 60, 8, following(36))
	h = press(t, l, h, "w", "t", "/", "line", "enter")
	for _, size := range [][2]int{{0, 0}, {1, 1}, {3, 2}, {10, 3}, {200, 50}, {25, 12}} {
		tm, _ := h.Update(page.SizeMsg{Width: size[0], Height: size[1]})
		hs := tm.(host)
		v := hs.p.View()
		lines := strings.Split(v, "\n")
		if v != "" && len(lines) > size[1] {
			t.Errorf("%v: %d lines", size, len(lines))
		}
		for i, ln := range lines {
			if w := ansi.StringWidth(ln); w > size[0] {
				t.Errorf("%v: line %d is %d wide", size, i, w)
			}
		}
	}
}
