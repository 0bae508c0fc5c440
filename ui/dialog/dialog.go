// Package dialog is the typed form every action asks through. A Form is
// built with one call per field, each returning a handle that reads that
// field's answer with its own type; what submit does is a closure over
// those handles that returns the command to run:
//
//	f := dialog.Form{Title: "tag " + src, Submit: "tag"}
//	name := f.Text(prompt.Field{Label: "new name", Value: src})
//	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) {
//		return tag(src, name.In(a))
//	})
//
// There is no enum of dialogs, no field index and no type assertion on
// what a dialog is about: the closure holds it. An error from submit keeps
// the dialog open with what was typed and says what is wrong. The widget
// itself (fields, buttons with Cancel first, path completion) is
// ui/prompt.
package dialog

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/prompt"
	"github.com/ctui/ctui/ui/theme"
)

// Form is a dialog to open: the prompt's title, lines and buttons, its
// fields as the handles add them, and what submit does.
type Form struct {
	Title string
	// Lines explain the question.
	Lines []string
	// Submit names what enter does in a form without buttons ("pull").
	Submit string
	// Confirm makes the form a question with two buttons, Cancel focused
	// first, and Confirm ("Remove").
	Confirm string

	fields []prompt.Field
	submit func(Answers) (tea.Cmd, error)
}

// Answers are a submitted form's values; handles read them.
type Answers struct{ p prompt.Model }

// Text is a handle on a text, path or password field. The zero Text is a
// field the form does not have: it reads "".
type Text struct{ i int }

// Toggle is a handle on an on/off field; the zero Toggle reads false.
type Toggle struct{ i int }

// Choice is a handle on a one-of field; the zero Choice reads 0, the
// first option.
type Choice struct{ i int }

func (f *Form) add(fl prompt.Field) int {
	f.fields = append(f.fields, fl)
	return len(f.fields) // one past the index, so that 0 means absent
}

// Text adds a text field (fl.Kind prompt.Text, prompt.Path or
// prompt.Password; Text when unset).
func (f *Form) Text(fl prompt.Field) Text {
	if fl.Kind != prompt.Path && fl.Kind != prompt.Password {
		fl.Kind = prompt.Text
	}
	return Text{f.add(fl)}
}

// Toggle adds an on/off field.
func (f *Form) Toggle(label string, on bool) Toggle {
	return Toggle{f.add(prompt.Field{Kind: prompt.Toggle, Label: label, On: on})}
}

// Choice adds a one-of field with options, selected first.
func (f *Form) Choice(label string, options []string, selected int) Choice {
	return Choice{f.add(prompt.Field{Kind: prompt.Choice, Label: label, Options: options, Selected: selected})}
}

// OnSubmit sets what submit does: the command to run, or an error that
// keeps the form open and is shown in it.
func (f *Form) OnSubmit(fn func(Answers) (tea.Cmd, error)) { f.submit = fn }

// In is the field's text.
func (t Text) In(a Answers) string {
	if t.i == 0 {
		return ""
	}
	return a.p.Value(t.i - 1)
}

// In is whether the toggle is on.
func (t Toggle) In(a Answers) bool { return t.i != 0 && a.p.On(t.i-1) }

// In is the index of the chosen option.
func (c Choice) In(a Answers) int {
	if c.i == 0 {
		return 0
	}
	return max(a.p.Choice(c.i-1), 0)
}

// Model is an open form.
type Model struct {
	p      prompt.Model
	fields []prompt.Field
	submit func(Answers) (tea.Cmd, error)
}

// Open shows f; id tells its completion replies from an older dialog's.
func Open(id uint64, f Form, st *theme.Styles) (Model, tea.Cmd) {
	p, cmd := prompt.New(id, prompt.Spec{Title: f.Title, Lines: f.Lines, Fields: f.fields, Submit: f.Submit, Confirm: f.Confirm}, st)
	return Model{p: p, fields: f.fields, submit: f.submit}, cmd
}

// Update gives msg (a key, a prompt.CompletedMsg) to the form. open is
// false once it closed: canceled, or submitted, and then cmd is what
// submit returned. A submit error keeps it open, saying what is wrong.
func (m Model) Update(msg tea.Msg) (next Model, cmd tea.Cmd, open bool) {
	m.p, cmd = m.p.Update(msg)
	switch m.p.Status() {
	case prompt.Open:
		return m, cmd, true
	case prompt.Canceled:
		return m, nil, false
	}
	if m.submit == nil {
		return m, nil, false
	}
	run, err := m.submit(Answers{p: m.p})
	if err != nil {
		// Keep what was typed; say what is wrong with it.
		m.p, cmd = m.p.Fail(err.Error())
		return m, cmd, true
	}
	return m, run, false
}

// View draws the form for an area of width x height.
func (m Model) View(width, height int) string { return m.p.View(width, height) }

// Title is the form's title, e.g. "log in to 127.0.0.1:5000".
func (m Model) Title() string { return m.p.Title() }

// ID is the id the form was opened with.
func (m Model) ID() uint64 { return m.p.ID() }

// Keys are the form's bindings, for help.
func (m Model) Keys() []key.Binding { return m.p.Keys() }

// Bindings are every form's keys, for docs.
func Bindings() []key.Binding { return prompt.DefaultKeyMap().Bindings() }

// Field is the text or choice of the field labelled label: what the
// operator sees in it, for tests that read a dialog as its user does.
func (m Model) Field(label string) string {
	for i, f := range m.fields {
		if f.Label != label {
			continue
		}
		switch f.Kind {
		case prompt.Toggle:
			return map[bool]string{false: "off", true: "on"}[m.p.On(i)]
		case prompt.Choice:
			if c := m.p.Choice(i); c >= 0 && c < len(f.Options) {
				return f.Options[c]
			}
			return ""
		}
		return m.p.Value(i)
	}
	return ""
}
