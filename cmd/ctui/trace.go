package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/page"
)

// startupTrace records when each phase of ctui's start ended (--trace-startup):
// flags and config, each connect, the program's start, the first message of
// every kind the UI receives (the terminal's size and its answers to queries,
// the first list reply), and the terminal writes until the first frame that
// shows a list. It writes the breakdown to its file once that frame is out,
// or when ctui exits before one. A nil trace records nothing.
type startupTrace struct {
	path  string
	start time.Time

	mu      sync.Mutex
	marks   []traceMark
	seen    map[string]bool
	listAt  time.Duration // when the first list reply reached the UI; 0: not yet
	viewed  bool          // a view was rendered after it
	writes  int
	written bool
}

type traceMark struct {
	at   time.Duration
	what string
}

// maxTraceWrites bounds how many terminal writes are listed before the first
// frame with a list (a slow daemon can leave ctui redrawing its header).
const maxTraceWrites = 40

func newStartupTrace(path string, start time.Time) *startupTrace {
	if path == "" {
		return nil
	}
	t := &startupTrace{path: path, start: start, seen: map[string]bool{}}
	if age, ok := processAge(); ok {
		t.marks = append(t.marks, traceMark{at: -age, what: "exec: the kernel started the process (10 ms resolution; until main: loading, runtime and package init)"})
	}
	t.marks = append(t.marks, traceMark{what: "main"})
	return t
}

// processAge is how long ago the kernel started this process, from
// /proc/self/stat's start time and /proc/uptime, both in 1/100 s (USER_HZ).
func processAge() (time.Duration, bool) {
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	rest := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(rest) < 20 {
		return 0, false
	}
	startTicks, err1 := strconv.ParseInt(rest[19], 10, 64) // field 22, starttime
	f := strings.Fields(string(up))
	if err1 != nil || len(f) == 0 {
		return 0, false
	}
	upSec, err2 := strconv.ParseFloat(f[0], 64)
	if err2 != nil {
		return 0, false
	}
	return time.Duration(upSec*float64(time.Second)) - time.Duration(startTicks)*10*time.Millisecond, true
}

// mark records that phase what ended now.
func (t *startupTrace) mark(what string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(what)
}

func (t *startupTrace) add(what string) {
	if !t.written {
		t.marks = append(t.marks, traceMark{at: time.Since(t.start), what: what})
	}
}

// filter is a tea.WithFilter function: it marks the first message of each
// kind, the replies to pages by what they carry.
func (t *startupTrace) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	kind := fmt.Sprintf("%T", msg)
	reply := false
	if r, ok := msg.(page.Reply); ok {
		kind = fmt.Sprintf("page.Reply(%T)", r.Msg)
		reply = true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.written || t.seen[kind] {
		return msg
	}
	t.seen[kind] = true
	what := "first " + kind
	if note := queryAnswer(msg); note != "" {
		what += " (" + note + ")"
	}
	if reply && t.listAt == 0 && (strings.Contains(kind, "loaded") || strings.Contains(kind, "list")) {
		t.listAt = time.Since(t.start)
		what += " (first list reply)"
	}
	t.add(what)
	return msg
}

// queryAnswer says which terminal query msg answers, if any.
func queryAnswer(msg tea.Msg) string {
	switch msg.(type) {
	case tea.BackgroundColorMsg:
		return "terminal answered the background colour query"
	case tea.ModeReportMsg:
		return "terminal answered a mode query"
	case tea.KeyboardEnhancementsMsg:
		return "terminal answered the keyboard enhancements query"
	case tea.CapabilityMsg, tea.TerminalVersionMsg, tea.CursorPositionMsg:
		return "terminal answered a query"
	}
	return ""
}

// wrap wraps the root model so the trace sees its views.
func (t *startupTrace) wrap(m tea.Model) tea.Model { return tracedModel{Model: m, t: t} }

// tracedModel is the root model with each View marked in the trace.
type tracedModel struct {
	tea.Model
	t *startupTrace
}

func (m tracedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	inner, cmd := m.Model.Update(msg)
	m.Model = inner
	return m, cmd
}

func (m tracedModel) View() tea.View {
	v := m.Model.View()
	m.t.view()
	return v
}

// view marks the first view rendered after the first list reply: the
// renderer's next write to the terminal draws it.
func (t *startupTrace) view() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.listAt > 0 && !t.viewed && !t.written {
		t.viewed = true
		t.add("view with the list rendered (the model's View)")
	}
}

// wrote marks a write of n bytes to the terminal; the first after the view
// with the list is the first frame with the list, and ends the trace.
func (t *startupTrace) wrote(n int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.written {
		return
	}
	t.writes++
	if t.viewed {
		t.add(fmt.Sprintf("first frame with the list written (%d bytes)", n))
		t.flushLocked()
		return
	}
	if t.writes <= maxTraceWrites {
		t.add(fmt.Sprintf("terminal write %d (%d bytes)", t.writes, n))
	}
}

// finish writes the trace if the first frame never came.
func (t *startupTrace) finish() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.written {
		t.add("exit")
		t.flushLocked()
	}
}

func (t *startupTrace) flushLocked() {
	t.written = true
	var b strings.Builder
	fmt.Fprintf(&b, "ctui %s startup trace; main entered %s (ms since then, ms since the previous line)\n",
		ctuiVersion(), t.start.Format(time.RFC3339Nano))
	var prev time.Duration
	if len(t.marks) > 0 {
		prev = t.marks[0].at
	}
	for _, m := range t.marks {
		fmt.Fprintf(&b, "%9.1f %+8.1f  %s\n", ms(m.at), ms(m.at-prev), m.what)
		prev = m.at
	}
	data := b.String()
	_ = os.WriteFile(t.path, []byte(data), 0o600)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// tracedOutput is the terminal with each write marked in the trace. It keeps
// *os.File's methods (Fd, Read), so bubbletea still sees a terminal.
type tracedOutput struct {
	*os.File
	t *startupTrace
}

func (o tracedOutput) Write(p []byte) (int, error) {
	n, err := o.File.Write(p)
	o.t.wrote(n)
	return n, err
}
