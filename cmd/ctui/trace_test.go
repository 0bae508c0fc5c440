package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/page"
)

type listLoadedMsg struct{}

type stubModel struct{}

func (stubModel) Init() tea.Cmd                       { return nil }
func (stubModel) Update(tea.Msg) (tea.Model, tea.Cmd) { return stubModel{}, nil }
func (stubModel) View() tea.View                      { return tea.NewView("x") }

// The trace lists the phases in order, the first message of each kind once,
// and ends at the first terminal write after a view that follows the first
// list reply; it writes its file then, and nothing later changes it.
func TestStartupTraceBreakdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace")
	tr := newStartupTrace(path, time.Now())
	tr.mark("flags and config")
	m := tr.wrap(stubModel{})
	tr.filter(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	tr.filter(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	tr.filter(m, tea.BackgroundColorMsg{})
	m.View()
	tr.wrote(100) // a frame before the list: listed, not the end
	tr.filter(m, page.Reply{Msg: listLoadedMsg{}})
	m, _ = m.Update(page.Reply{Msg: listLoadedMsg{}})
	m.View()
	tr.wrote(2000)
	tr.wrote(50) // after the end: not listed
	tr.finish()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	want := []string{
		"flags and config",
		"first tea.WindowSizeMsg",
		"first tea.BackgroundColorMsg (terminal answered the background colour query)",
		"terminal write 1 (100 bytes)",
		"first page.Reply(main.listLoadedMsg) (first list reply)",
		"view with the list rendered",
		"first frame with the list written (2000 bytes)",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("trace lacks %q after offset %d:\n%s", w, at, got)
		}
		at += i + len(w)
	}
	for _, no := range []string{"50 bytes", "exit"} {
		if strings.Contains(got, no) {
			t.Errorf("trace has %q after its end:\n%s", no, got)
		}
	}
	if n := strings.Count(got, "WindowSizeMsg"); n != 1 {
		t.Errorf("WindowSizeMsg listed %d times:\n%s", n, got)
	}
}

// Without the flag nothing is recorded and nothing panics.
func TestStartupTraceOff(t *testing.T) {
	var tr *startupTrace = newStartupTrace("", time.Now())
	tr.mark("x")
	tr.wrote(1)
	tr.finish()
	if tr != nil {
		t.Fatal("a trace without a path")
	}
}
