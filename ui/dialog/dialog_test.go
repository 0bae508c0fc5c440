package dialog

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/prompt"
	"github.com/ctui/ctui/ui/theme"
)

type answered struct {
	ref string
	all bool
	via int
}

func press(t *testing.T, m Model, ks ...string) (Model, tea.Cmd, bool) {
	t.Helper()
	var cmd tea.Cmd
	open := true
	for _, k := range ks {
		var msgs []tea.Msg
		if len(k) > 1 && k != "enter" && k != "space" && k != "tab" && k != "down" && k != "up" && k != "esc" {
			msgs = uitest.Type(k)
		} else {
			msgs = []tea.Msg{uitest.Press(k)}
		}
		for _, msg := range msgs {
			m, cmd, open = m.Update(msg)
		}
	}
	return m, cmd, open
}

func TestSubmitReadsTypedFields(t *testing.T) {
	f := Form{Title: "pull an image", Submit: "pull", Lines: []string{"into namespace default"}}
	ref := f.Text(prompt.Field{Label: "reference"})
	all := f.Toggle("all platforms", false)
	var via Choice // not added: reads the first option
	var got answered
	f.OnSubmit(func(a Answers) (tea.Cmd, error) {
		got = answered{ref.In(a), all.In(a), via.In(a)}
		if got.ref == "" {
			return nil, errors.New("type a reference")
		}
		return func() tea.Msg { return "pulled" }, nil
	})
	m, _ := Open(1, f, theme.New(theme.Options{NoColor: true}))
	if m.Title() != "pull an image" || m.ID() != 1 {
		t.Fatalf("title %q id %d", m.Title(), m.ID())
	}
	// An error keeps the dialog open and says what is wrong.
	m, _, open := press(t, m, "enter")
	if !open || !strings.Contains(ansi.Strip(m.View(80, 20)), "type a reference") {
		t.Fatalf("open %v after a refused submit:\n%s", open, ansi.Strip(m.View(80, 20)))
	}
	m, _, _ = press(t, m, "busybox", "down", "space")
	if m.Field("reference") != "busybox" || m.Field("all platforms") != "on" {
		t.Fatalf("fields %q %q", m.Field("reference"), m.Field("all platforms"))
	}
	m, cmd, open := press(t, m, "enter")
	if open || cmd == nil || cmd() != "pulled" {
		t.Fatalf("submit: open %v", open)
	}
	if got != (answered{"busybox", true, 0}) {
		t.Errorf("answers %+v", got)
	}
}

func TestQuestionDefaultsToCancel(t *testing.T) {
	f := Form{Title: "remove nginx?", Confirm: "Remove"}
	sync := f.Toggle("wait for garbage collection", true)
	submitted := false
	f.OnSubmit(func(a Answers) (tea.Cmd, error) {
		submitted = sync.In(a)
		return nil, nil
	})
	m, _ := Open(2, f, theme.New(theme.Options{NoColor: true}))
	if _, _, open := press(t, m, "enter"); open || submitted {
		t.Fatalf("enter on a question must cancel: open %v submitted %v", open, submitted)
	}
}
