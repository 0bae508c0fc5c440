package table

import (
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// bodyHeight is the number of row lines: the area minus the header and,
// when shown, the filter line.
func (m Model) bodyHeight() int {
	h := m.height - 1
	if m.typing || m.input.Value() != "" {
		h--
	}
	return max(h, 0)
}

// clamp keeps the cursor in the view and on screen.
func (m *Model) clamp() {
	m.cursor = max(min(m.cursor, len(m.view)-1), 0)
	h := m.bodyHeight()
	if h == 0 {
		m.offset = m.cursor
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, len(m.view)-h), 0)
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clamp()
}

// Update handles keys and the mouse wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.typing {
			return m.updateTyping(msg)
		}
		return m.updateKey(msg)
	case tea.PasteMsg:
		// All of a paste is filter text while typing; otherwise it is
		// dropped, never taken as keys.
		if m.typing {
			return m.editFilter(msg)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-3)
		case tea.MouseWheelDown:
			m.move(3)
		}
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.cursor = 0
		m.clamp()
	case key.Matches(msg, k.Bottom):
		m.cursor = len(m.view) - 1
		m.clamp()
	case key.Matches(msg, k.PageUp):
		m.move(-max(m.bodyHeight(), 1))
	case key.Matches(msg, k.PageDown):
		m.move(max(m.bodyHeight(), 1))
	case key.Matches(msg, k.Mark):
		if id, ok := m.SelectedID(); ok {
			if _, on := m.marks[id]; on {
				delete(m.marks, id)
			} else {
				m.marks[id] = struct{}{}
			}
			m.move(1)
		}
	case key.Matches(msg, k.Filter):
		m.typing = true
		in := m.input.Edit()
		cmd := in.Focus()
		in.CursorEnd()
		m.clamp()
		return m, cmd
	case key.Matches(msg, m.sorts...):
		col := m.colForKey(msg.String())
		desc := col == m.sortCol && !m.desc
		if col >= 0 && col != m.sortCol {
			desc = m.cols[col].DescFirst
		}
		m.SortBy(col, desc)
	}
	return m, nil
}

func (m Model) colForKey(s string) int {
	for i, c := range m.cols {
		if c.Key != 0 && s == string(unicode.ToUpper(c.Key)) {
			return i
		}
	}
	return -1
}

func (m Model) updateTyping(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case msg.Code == tea.KeyEscape:
		m.ClearFilter()
		return m, nil
	case key.Matches(msg, m.keys.ApplyFilter):
		m.typing = false
		m.input.Edit().Blur()
		m.clamp()
		return m, nil
	}
	return m.editFilter(msg)
}

// editFilter gives the filter input a key or a paste.
func (m Model) editFilter(msg tea.Msg) (Model, tea.Cmd) {
	before := m.input.Value()
	cmd := m.input.Update(msg)
	if m.input.Value() != before {
		m.applyFilter()
	}
	return m, cmd
}
