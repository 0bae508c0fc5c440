package logs

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/page"
)

// ask opens the prompt line for kind, starting from value.
func (m *Model) ask(kind prompt, label, value string) tea.Cmd {
	m.prompt, m.inputErr = kind, ""
	m.input.Edit().Prompt = label
	m.sizeInput()
	in := m.input.Edit()
	in.SetValue(value)
	in.CursorEnd()
	return in.Focus()
}

// sizeInput fits the editor and its label in the page's width.
func (m *Model) sizeInput() {
	if w := max(m.width-ansi.StringWidth(m.input.Input().Prompt)-1, 1); w != m.input.Input().Width() {
		m.input.Edit().SetWidth(w)
	}
}

func (m *Model) closePrompt() {
	m.prompt, m.inputErr = promptNone, ""
	m.input.Edit().Blur()
}

// updatePrompt edits the prompt line. The filter applies at every
// keystroke, over every kept line; the search when enter keeps it (a
// search moves the view, which should not jump while typing).
func (m Model) updatePrompt(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	if m.prompt == promptOverwrite {
		path := m.savePath
		m.closePrompt()
		if msg.Text == "y" || msg.Text == "Y" {
			return m, m.save(path, true)
		}
		return m, page.Flash("not saved: " + path + " was left as it was")
	}
	switch {
	case msg.Code == tea.KeyEscape:
		kind := m.prompt
		m.closePrompt()
		switch kind {
		case promptSearch:
			m.searchText, m.search, m.hit = "", nil, 0
		case promptFilter:
			m.filter = ""
			_ = m.refilter()
		}
		return m, nil
	case key.Matches(msg, m.keys.Apply):
		return m.applyPrompt()
	}
	return m.editPrompt(msg)
}

// editPrompt gives the prompt's input a key or a paste (all of which is
// text: a pasted line never acts as keys).
func (m Model) editPrompt(msg tea.Msg) (page.Page, tea.Cmd) {
	cmd := m.input.Update(msg)
	if m.prompt == promptFilter {
		m.setFilter(m.input.Value())
	}
	return m, cmd
}

// setFilter filters the kept lines with what is typed so far; a regular
// expression that does not compile yet keeps the last one that did.
func (m *Model) setFilter(s string) {
	old := m.filter
	m.filter = s
	if err := m.refilter(); err != nil {
		m.filter, m.inputErr = old, err.Error()
		return
	}
	m.inputErr = ""
}

func (m Model) applyPrompt() (page.Page, tea.Cmd) {
	v := m.input.Value()
	switch m.prompt {
	case promptFilter:
		if m.inputErr != "" {
			return m, nil
		}
		m.closePrompt()
	case promptSearch:
		if v == "" {
			m.closePrompt()
			m.searchText, m.search, m.hit = "", nil, 0
			return m, nil
		}
		s, err := logio.Compile(parseQuery(v))
		if err != nil {
			m.inputErr = err.Error()
			return m, nil
		}
		m.closePrompt()
		m.searchText, m.search, m.hit = v, s, 0
		return m, m.step(true)
	case promptSave:
		if v == "" {
			return m, nil
		}
		m.closePrompt()
		return m, m.save(v, false)
	}
	return m, nil
}

// save writes the rows shown (the filter applied) to path, from a copy:
// the command runs while Update keeps appending to the ring.
func (m *Model) save(path string, overwrite bool) tea.Cmd {
	lines := make([]backend.LogLine, m.count())
	for i := range lines {
		lines[i] = m.at(i)
	}
	opts := logio.SaveOptions{Timestamps: m.timestamps}
	return m.tag().Wrap(saveCmd(path, lines, opts, overwrite))
}

func (m Model) saved(msg savedMsg) (page.Page, tea.Cmd) {
	switch {
	case msg.err != nil:
		return m, page.Report(msg.err)
	case msg.exists:
		m.prompt, m.savePath = promptOverwrite, msg.path
		return m, nil
	}
	what := "line"
	if msg.n != 1 {
		what = "lines"
	}
	if m.view != nil {
		what += " (" + m.filterLabel() + ")"
	}
	return m, page.Flash("saved " + strconv.Itoa(msg.n) + " " + what + " to " + msg.path)
}
