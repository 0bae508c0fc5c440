package prompt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/theme"
)

var st = theme.New(theme.Options{NoColor: true})

func press(m Model, ks ...string) Model {
	for _, k := range ks {
		m, _ = m.Update(uitest.Press(k))
	}
	return m
}

func typeIn(m Model, s string) Model {
	for _, msg := range uitest.Type(s) {
		m, _ = m.Update(msg)
	}
	return m
}

func TestComplete(t *testing.T) {
	entries := []Entry{{Name: "images", Dir: true}, {Name: "img.tar"}, {Name: "img2.tar"}, {Name: ".hidden"}, {Name: "notes.txt"}}
	for _, c := range []struct {
		in, want string
		cands    []string
	}{
		{"./n", "./notes.txt", nil},
		{"./ima", "./images/", nil},
		{"im", "im", []string{"images/", "img.tar", "img2.tar"}},
		{"/tmp/img", "/tmp/img", []string{"img.tar", "img2.tar"}},
		{"img2", "img2.tar", nil},
		{"x", "x", nil},
		{".h", ".hidden", nil},
		{"", "", []string{"images/", "img.tar", "img2.tar", "notes.txt"}},
	} {
		got, cands := Complete(c.in, entries)
		if got != c.want || strings.Join(cands, ",") != strings.Join(c.cands, ",") {
			t.Errorf("Complete(%q) = %q %v, want %q %v", c.in, got, cands, c.want, c.cands)
		}
	}
}

func TestCompleteCmdReadsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "busybox.tar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	m, _ := New(7, Spec{Title: "import", Fields: []Field{{Kind: Path, Label: "path", Value: dir + "/b"}}}, st)
	m, cmd := m.Update(uitest.Press("tab"))
	msgs := uitest.Drain(cmd, time.Second)
	if len(msgs) != 1 {
		t.Fatalf("tab yields %v", msgs)
	}
	m, _ = m.Update(msgs[0])
	if got := m.Value(0); got != dir+"/busybox.tar" {
		t.Fatalf("completed to %q", got)
	}
	// A reply for another dialog, or for input that changed since, is ignored.
	m2, _ := m.Update(CompletedMsg{ID: 8, Input: m.Value(0), Value: "nope"})
	if m2.Value(0) != dir+"/busybox.tar" {
		t.Fatal("a reply for another dialog was applied")
	}
	m = typeIn(press(m, "ctrl+u"), dir+"/nothere/x")
	m, cmd = m.Update(uitest.Press("tab"))
	m, _ = m.Update(uitest.Drain(cmd, time.Second)[0])
	if v := ansi.Strip(m.View(80, 20)); !strings.Contains(v, "no directory") {
		t.Errorf("missing directory not said:\n%s", v)
	}
}

func TestPromptKeys(t *testing.T) {
	spec := Spec{Title: "pull into default", Submit: "pull", Fields: []Field{
		{Kind: Text, Label: "reference", Value: "docker.io/library/busybox:latest"},
		{Kind: Choice, Label: "via", Options: []string{"CRI", "containerd"}},
		{Kind: Toggle, Label: "all platforms"},
	}}
	m, _ := New(1, spec, st)
	if m.focus != 0 {
		t.Fatalf("focus %d, want the input", m.focus)
	}
	m = typeIn(press(m, "ctrl+u"), "nginx")
	if m.Value(0) != "nginx" {
		t.Fatalf("ctrl+u then typing gives %q", m.Value(0))
	}
	m = press(m, "down", "space", "tab", "space")
	if m.Choice(1) != 1 || !m.On(2) {
		t.Fatalf("choice %d toggle %v", m.Choice(1), m.On(2))
	}
	m = press(m, "up", "left")
	if m.Choice(1) != 0 {
		t.Fatalf("left cycles back: %d", m.Choice(1))
	}
	if m = press(m, "enter"); m.Status() != Submitted {
		t.Fatal("enter does not submit")
	}
	m, _ = m.Fail("not a valid reference")
	if m.Status() != Open || !strings.Contains(ansi.Strip(m.View(80, 20)), "not a valid reference") {
		t.Fatalf("Fail does not reopen with the sentence:\n%s", m.View(80, 20))
	}
	if m = press(m, "esc"); m.Status() != Canceled {
		t.Fatal("esc does not cancel")
	}
}

func TestQuestionDefaultsToCancel(t *testing.T) {
	spec := Spec{Title: "remove 2 images?", Lines: []string{"still used by: web [running]"}, Confirm: "Remove",
		Fields: []Field{{Kind: Toggle, Label: "wait for garbage collection"}}}
	m, _ := New(1, spec, st)
	if p := press(m, "enter"); p.Status() != Canceled {
		t.Fatal("enter on a fresh question does not cancel")
	}
	m = press(m, "up", "enter") // on the toggle: enter flips it, nothing else
	if m.Status() != Open || !m.On(0) {
		t.Fatalf("enter on the toggle: status %v on %v", m.Status(), m.On(0))
	}
	m = press(m, "down", "right", "enter")
	if m.Status() != Submitted {
		t.Fatal("Remove button does not confirm")
	}
}

func TestPasswordNeverShows(t *testing.T) {
	m, _ := New(1, Spec{Title: "log in to 127.0.0.1:5000", Fields: []Field{
		{Kind: Text, Label: "user", Value: "alice"}, {Kind: Password, Label: "password"}}}, st)
	m = press(m, "down")
	m = typeIn(m, "Sup3r-Secret")
	if m.Value(1) != "Sup3r-Secret" {
		t.Fatalf("value %q", m.Value(1))
	}
	if v := m.View(80, 20); strings.Contains(v, "Sup3r") || !strings.Contains(v, "••••") {
		t.Fatalf("password shown or not masked:\n%s", v)
	}
}

func TestViewFits(t *testing.T) {
	spec := Spec{Title: strings.Repeat("title ", 30), Lines: []string{strings.Repeat("long line ", 40), "b", "c", "d", "e"},
		Confirm: "Overwrite", Fields: []Field{{Kind: Path, Label: "path", Value: strings.Repeat("/x", 100)}, {Kind: Toggle, Label: "all"}}}
	m, _ := New(1, spec, st)
	m, _ = m.Fail(strings.Repeat("error words ", 30))
	for _, w := range []int{0, 5, 8, 20, 40, 80, 200} {
		for _, h := range []int{0, 3, 6, 12, 40} {
			v := m.View(w, h)
			lines := strings.Split(v, "\n")
			if v != "" && len(lines) > h {
				t.Errorf("%dx%d: %d lines", w, h, len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Errorf("%dx%d: line wider than the screen: %q", w, h, l)
				}
			}
		}
	}
	if v := ansi.Strip(m.View(80, 30)); !strings.Contains(v, "[ Cancel ]") || !strings.Contains(v, "[ Overwrite ]") {
		t.Errorf("buttons missing:\n%s", v)
	}
}

var _ tea.Msg = CompletedMsg{}
