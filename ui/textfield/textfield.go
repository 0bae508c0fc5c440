// Package textfield holds a bubbles textinput so that the models holding it
// stay small. A textinput.Model is some 8 KB (its styles, key map and
// cursor by value), and a model that embeds one copies it on every update,
// whatever the message: every list page's table has a filter line, the root
// its command line. A Field is a pointer to the input, shared by the copies
// of a model and copied only when it is changed (copy on write), so an old
// copy of the model never sees a later edit, as with a value.
package textfield

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Field is a textinput shared until changed. Read it through its methods;
// change it only through Edit or Update.
type Field struct{ in *textinput.Model }

// New holds in.
func New(in textinput.Model) Field { return Field{in: &in} }

// Input is the input as it stands, to read (its View, Value, Prompt). Never
// change it: other copies of the model share it; use Edit.
func (f Field) Input() *textinput.Model {
	if f.in == nil {
		return &textinput.Model{}
	}
	return f.in
}

// Value is the text typed.
func (f Field) Value() string { return f.Input().Value() }

// View renders the input.
func (f Field) View() string { return f.Input().View() }

// Edit returns a copy of the input that this Field alone holds, to change
// in place; call it for each change, as a later copy of the model may share
// the copy it returned.
func (f *Field) Edit() *textinput.Model {
	in := *f.Input()
	f.in = &in
	return f.in
}

// Update passes msg to the input (a key typed, a cursor blink).
func (f *Field) Update(msg tea.Msg) tea.Cmd {
	in := f.Edit()
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return cmd
}
