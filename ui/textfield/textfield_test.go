package textfield

import (
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// A copy of a model taken before an edit keeps what it had, as it would
// with the textinput held by value.
func TestCopyKeepsItsValue(t *testing.T) {
	f := New(textinput.New())
	f.Edit().SetValue("ab")
	f.Edit().Focus()
	old := f
	_ = f.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	f.Edit().Prompt = ">"
	if got := f.Value(); got != "abc" {
		t.Errorf("edited field = %q, want abc", got)
	}
	if got := old.Value(); got != "ab" {
		t.Errorf("copy taken before the edit = %q, want ab", got)
	}
	if old.Input().Prompt == ">" {
		t.Error("copy taken before the edit sees the new prompt")
	}
}

// The zero Field reads as an empty input.
func TestZeroField(t *testing.T) {
	var f Field
	if f.Value() != "" {
		t.Errorf("zero field value = %q", f.Value())
	}
	f.Edit().SetValue("x")
	if f.Value() != "x" {
		t.Errorf("zero field after an edit = %q, want x", f.Value())
	}
}
