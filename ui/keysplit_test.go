package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/internal/uitest"
)

func title(m Model) string { return m.top().State().Title }

// Esc and a command typed quickly reach ctui in one read, which the
// terminal parser makes alt+: and single letters; ctui binds no alt key,
// so it is esc and : again, and the command runs instead of the letters
// acting on the page (s opened a shell on the pods page).
func TestEscAndCommandInOneRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"esc : containers enter", []byte("\x1b:containers\r"), "containers"},
		{"esc : ns enter", []byte("\x1b:ns\r"), "namespaces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msgs := uitest.Read(tc.in)
			if k, ok := msgs[0].(tea.KeyPressMsg); !ok || k.Mod&tea.ModAlt == 0 {
				t.Fatalf("the parser no longer reads esc+: as alt+: (%v); this test proves nothing", msgs[0])
			}
			n := newNode(3)
			m := start(t, n, 120, 24)
			m = keys(t, m, ":")
			m = typed(t, m, "pods")
			m = keys(t, m, "enter")
			if title(m) != "pods" {
				t.Fatalf("on %q, want pods", title(m))
			}
			m = feed(t, m, msgs...)
			if got := title(m); got != tc.want || m.cmdline.Active {
				t.Fatalf("on %q (command line open %v), want %q:\n%s", got, m.cmdline.Active, tc.want, screen(m))
			}
			if s := screen(m); strings.Contains(s, "shell") {
				t.Errorf("a letter of the command acted on the page:\n%s", s)
			}
		})
	}
}

// The same keys typed one by one do the same.
func TestEscAndCommandKeyByKey(t *testing.T) {
	m := start(t, newNode(3), 120, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "pods")
	m = keys(t, m, "enter", "esc", ":")
	m = typed(t, m, "ns")
	m = keys(t, m, "enter")
	if got := title(m); got != "namespaces" {
		t.Fatalf("on %q, want namespaces", got)
	}
}

// Esc then / in one read opens the filter; while the filter types, the
// text inputs' own alt keys (alt+b: word back) stay theirs.
func TestEscAndSlashInOneRead(t *testing.T) {
	m := start(t, newNode(30), 120, 24)
	m = feed(t, m, uitest.Read([]byte("\x1b/app0002"))...)
	if !m.top().State().Typing || !strings.Contains(screen(m), "app0002") {
		t.Fatalf("esc / did not open the filter:\n%s", screen(m))
	}
	m = feed(t, m, uitest.Read([]byte("\x1bb"))...)
	if !m.top().State().Typing {
		t.Fatal("alt+b while typing left the filter (it is the input's word back)")
	}
	if _, _, ok := splitAlt(tea.KeyPressMsg{Code: 'b', Mod: tea.ModAlt}, false); !ok {
		t.Error("alt+b on a list is not split into esc and b")
	}
	esc, rest, ok := splitAlt(uitest.Read([]byte("\x1bP"))[0].(tea.KeyPressMsg), false)
	if !ok || esc.Code != tea.KeyEscape || rest.Text != "P" || rest.String() != "P" {
		t.Errorf("esc P split into %v %q %v", esc, rest.Text, ok)
	}
}

// A paste is text for whoever types, and never keys for the page: a long
// line with q, :, s and newlines in it, bracketed (one PasteMsg) or not
// (one key per rune, as a terminal without bracketed paste sends it).
func TestPasteNeverActsAsPageKeys(t *testing.T) {
	const text = "app0001 q:pods s d\nctrl y?"
	t.Run("bracketed into the filter", func(t *testing.T) {
		m := start(t, newNode(30), 120, 24)
		m = keys(t, m, "/")
		m = feed(t, m, tea.PasteMsg{Content: text})
		s := screen(m)
		if title(m) != "images" || !m.top().State().Typing || !strings.Contains(s, "app0001 q:pods s d ctrl y?") {
			t.Fatalf("paste into the filter:\n%s", s)
		}
	})
	t.Run("unbracketed into the filter", func(t *testing.T) {
		m := start(t, newNode(30), 120, 24)
		m = keys(t, m, "/")
		m = typed(t, m, strings.ReplaceAll(text, "\n", " "))
		if s := screen(m); title(m) != "images" || !m.top().State().Typing || !strings.Contains(s, "app0001 q:pods s d ctrl y?") {
			t.Fatalf("typed into the filter:\n%s", s)
		}
	})
	t.Run("bracketed over a list is dropped", func(t *testing.T) {
		m := start(t, newNode(30), 120, 24)
		before := screen(m)
		tm, cmd := m.Update(tea.PasteMsg{Content: "q"})
		if cmd != nil || screen(tm.(Model)) != before {
			t.Fatalf("a paste over the list acted:\n%s", screen(tm.(Model)))
		}
	})
	t.Run("bracketed into the command line", func(t *testing.T) {
		m := start(t, newNode(30), 120, 24)
		m = keys(t, m, ":")
		m = feed(t, m, tea.PasteMsg{Content: "containers"})
		m = keys(t, m, "enter")
		if title(m) != "containers" {
			t.Fatalf("on %q, want containers", title(m))
		}
	})
	t.Run("bracketed into a dialog", func(t *testing.T) {
		m := startActs(t, newActNode(), 160, 30)
		m = keys(t, m, "p")
		if !hasDialog(m) {
			t.Fatal("p opened no dialog")
		}
		m = feed(t, m, tea.PasteMsg{Content: "registry.example:5000/team/app:v1 q"})
		if s := screen(m); !hasDialog(m) || !strings.Contains(s, "registry.example:5000/team/app:v1 q") {
			t.Fatalf("paste into the pull dialog:\n%s", s)
		}
	})
}
