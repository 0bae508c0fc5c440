// Package prompt is the dialog every image action asks through: a title, a
// few lines of explanation, input fields (plain text, a path with tab
// completion, a masked password), toggles and choices, and for the questions
// that deserve a second thought (overwrite, delete) two buttons with Cancel
// first and focused.
//
// The dialog is a plain value the root keeps while it is open. It never
// calls back: after each Update the root reads Status, and once the dialog
// is Submitted reads the answers with Value, On and Choice. The only I/O it
// needs, listing a directory for completion, runs as a command whose
// CompletedMsg the root hands back.
package prompt

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/theme"
)

// Kind is what a field edits.
type Kind int

// The kinds of field.
const (
	Text     Kind = iota // one line of text
	Path                 // a file path; tab completes it
	Password             // text shown as dots, never echoed
	Toggle               // on or off; space flips it
	Choice               // one of Options; space, left and right cycle
)

// Field describes one field when the dialog is built.
type Field struct {
	Kind        Kind
	Label       string
	Value       string // initial text of Text, Path and Password fields
	Placeholder string
	On          bool     // initial state of a Toggle
	Options     []string // a Choice's options
	Selected    int      // a Choice's initial option
	// Focus puts the cursor here rather than in the first input (the
	// password when the user is known).
	Focus bool
}

// Spec is a dialog to open.
type Spec struct {
	Title string
	// Lines explain the question: what will happen, who still uses an
	// image. They are cut to the dialog's width, never wrapped mid-word
	// into the fields.
	Lines  []string
	Fields []Field
	// Confirm, when not empty, makes the dialog a question with two
	// buttons, Cancel and Confirm (e.g. "Remove"), the focus on Cancel:
	// enter alone never deletes or overwrites anything.
	Confirm string
	// Submit names what enter does in a dialog without buttons, for the
	// hint line ("pull", "export").
	Submit string
}

// Status says whether the dialog still waits for the operator.
type Status int

// The states of a dialog.
const (
	Open Status = iota
	Submitted
	Canceled
)

// KeyMap is the dialog's bindings, as data for help and docs.
type KeyMap struct {
	Submit, Cancel, Next, Prev, Complete, Toggle, Clear key.Binding
}

// DefaultKeyMap: enter proceeds, esc cancels, tab completes paths (and
// moves on elsewhere), up and down move between fields, space flips a
// toggle, ctrl+u clears the input as in readline.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "proceed (defaults are filled in); on a button, press it")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel the dialog")),
		Next:     key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next field or button")),
		Prev:     key.NewBinding(key.WithKeys("up", "shift+tab"), key.WithHelp("↑/shift+tab", "previous field or button")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete the path (elsewhere: next field)")),
		Toggle:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space/←/→", "flip a toggle, cycle a choice, pick a button")),
		Clear:    key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "clear the input before the cursor")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Submit, k.Cancel, k.Complete, k.Next, k.Prev, k.Toggle, k.Clear}
}

// field is a Field with its editor.
type field struct {
	Field
	input textinput.Model
}

func (f field) editable() bool { return f.Kind == Text || f.Kind == Path || f.Kind == Password }

// Model is an open dialog.
type Model struct {
	id      uint64
	spec    Spec
	fields  []field
	focus   int // a field index, then the buttons: len(fields) Cancel, +1 Confirm
	status  Status
	err     string
	hint    string // completion candidates, or "no match"
	keys    KeyMap
	styles  *theme.Styles
	width   int
	pending string // the input a completion was asked for
}

// New opens a dialog. id tells its completion replies from those of an
// earlier dialog; the root gives each dialog a new one. The cursor starts
// in the first input field, or on Cancel in a question.
func New(id uint64, spec Spec, styles *theme.Styles) (Model, tea.Cmd) {
	m := Model{id: id, spec: spec, keys: DefaultKeyMap(), styles: styles}
	m.focus = -1
	for i, f := range spec.Fields {
		fl := field{Field: f}
		if fl.editable() {
			in := textinput.New()
			in.Prompt = ""
			in.Placeholder = f.Placeholder
			in.SetStyles(styles.Input)
			if f.Kind == Password {
				in.EchoMode = textinput.EchoPassword
				in.EchoCharacter = '•'
			}
			in.SetValue(f.Value)
			in.CursorEnd()
			fl.input = in
			if m.focus < 0 && spec.Confirm == "" {
				m.focus = i
			}
		}
		m.fields = append(m.fields, fl)
	}
	for i, f := range spec.Fields {
		if f.Focus {
			m.focus = i
		}
	}
	switch {
	case spec.Confirm != "":
		m.focus = len(m.fields) // Cancel
	case m.focus < 0:
		m.focus = 0
	}
	return m, m.focusCmd()
}

// ID is the id the dialog was opened with.
func (m Model) ID() uint64 { return m.id }

// Status says whether the operator answered.
func (m Model) Status() Status { return m.status }

// Value is the text of field i ("" for other kinds), trimmed of nothing:
// a password may begin with a space.
func (m Model) Value(i int) string {
	if i < 0 || i >= len(m.fields) || !m.fields[i].editable() {
		return ""
	}
	return m.fields[i].input.Value()
}

// On is the state of toggle i.
func (m Model) On(i int) bool { return i >= 0 && i < len(m.fields) && m.fields[i].On }

// Choice is the selected option of choice i.
func (m Model) Choice(i int) int {
	if i < 0 || i >= len(m.fields) {
		return 0
	}
	return m.fields[i].Selected
}

// Title is the dialog's title.
func (m Model) Title() string { return m.spec.Title }

// Fail reopens a submitted dialog with a sentence saying what was wrong
// with the answer (an invalid reference), so the operator can fix it
// without typing it all again.
func (m Model) Fail(msg string) (Model, tea.Cmd) {
	m.status, m.err = Open, msg
	return m, m.focusCmd()
}

// Keys are the dialog's bindings, for help.
func (m Model) Keys() []key.Binding { return m.keys.Bindings() }

func (m Model) buttons() int {
	if m.spec.Confirm == "" {
		return 0
	}
	return 2
}

// focusCmd focuses the editor under the focus and blurs the others.
func (m *Model) focusCmd() tea.Cmd {
	var cmd tea.Cmd
	for i := range m.fields {
		if !m.fields[i].editable() {
			continue
		}
		if i == m.focus {
			cmd = m.fields[i].input.Focus()
		} else {
			m.fields[i].input.Blur()
		}
	}
	return cmd
}

// Update handles keys, pastes and completion replies; every other message
// is ignored.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case CompletedMsg:
		return m.completed(msg), nil
	case tea.KeyPressMsg:
		if m.status != Open {
			return m, nil
		}
		return m.updateKey(msg)
	case tea.PasteMsg:
		// All of a paste is text for the field under the focus; on a
		// toggle, a choice or a button it is dropped, never taken as keys.
		if m.status == Open && m.focus < len(m.fields) && m.fields[m.focus].editable() {
			return m.edit(msg)
		}
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.status = Canceled
		return m, nil
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.Next):
		return m.move(1)
	case key.Matches(msg, k.Prev):
		return m.move(-1)
	case key.Matches(msg, k.Complete):
		if f, ok := m.current(); ok && f.Kind == Path {
			m.pending = f.input.Value()
			return m, completeCmd(m.id, m.pending)
		}
		return m.move(1)
	}
	if m.focus >= len(m.fields) {
		return m.updateButtons(msg), nil
	}
	f := &m.fields[m.focus]
	switch f.Kind {
	case Toggle:
		if key.Matches(msg, k.Toggle) {
			f.On = !f.On
		}
		return m, nil
	case Choice:
		return m.cycle(f, msg), nil
	}
	return m.edit(msg)
}

// edit gives the focused field's input a key or a paste.
func (m Model) edit(msg tea.Msg) (Model, tea.Cmd) {
	f := &m.fields[m.focus]
	var cmd tea.Cmd
	before := f.input.Value()
	f.input, cmd = f.input.Update(msg)
	if f.input.Value() != before {
		m.err, m.hint = "", ""
	}
	return m, cmd
}

// submit answers the dialog: enter on a button presses it, on a toggle in
// a question flips it (enter must not delete by accident), elsewhere it
// proceeds.
func (m Model) submit() (Model, tea.Cmd) {
	switch {
	case m.buttons() > 0 && m.focus == len(m.fields):
		m.status = Canceled
	case m.buttons() > 0 && m.focus == len(m.fields)+1:
		m.status = Submitted
	case m.buttons() > 0:
		if f := &m.fields[m.focus]; f.Kind == Toggle {
			f.On = !f.On
		}
	default:
		m.status = Submitted
	}
	return m, nil
}

func (m Model) move(d int) (Model, tea.Cmd) {
	n := len(m.fields) + m.buttons()
	if n == 0 {
		return m, nil
	}
	m.focus = ((m.focus+d)%n + n) % n
	m.hint = ""
	return m, m.focusCmd()
}

func (m Model) cycle(f *field, msg tea.KeyPressMsg) Model {
	if len(f.Options) == 0 {
		return m
	}
	switch {
	case key.Matches(msg, m.keys.Toggle) || msg.Code == tea.KeyRight:
		f.Selected = (f.Selected + 1) % len(f.Options)
	case msg.Code == tea.KeyLeft:
		f.Selected = (f.Selected - 1 + len(f.Options)) % len(f.Options)
	}
	return m
}

func (m Model) updateButtons(msg tea.KeyPressMsg) Model {
	switch {
	case msg.Code == tea.KeyLeft, msg.Code == tea.KeyRight, key.Matches(msg, m.keys.Toggle):
		if m.focus == len(m.fields) {
			m.focus++
		} else {
			m.focus--
		}
	}
	return m
}

func (m Model) current() (field, bool) {
	if m.focus < 0 || m.focus >= len(m.fields) {
		return field{}, false
	}
	return m.fields[m.focus], true
}

// completed applies a completion if the input is still what it was asked
// for: the operator may have typed on meanwhile.
func (m Model) completed(msg CompletedMsg) Model {
	f, ok := m.current()
	if msg.ID != m.id || !ok || f.Kind != Path || f.input.Value() != msg.Input || m.pending != msg.Input {
		return m
	}
	m.pending = ""
	in := &m.fields[m.focus].input
	in.SetValue(msg.Value)
	in.CursorEnd()
	switch {
	case msg.Err != "":
		m.hint = msg.Err
	case len(msg.Candidates) == 0 && msg.Value == msg.Input:
		m.hint = "no match"
	case len(msg.Candidates) > 1:
		m.hint = joinCandidates(msg.Candidates)
	default:
		m.hint = ""
	}
	return m
}
