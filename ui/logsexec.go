package ui

import (
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/shell"
)

// The flows into a container (l, s, :exec) are ui/shell's; the root opens
// what they build and flashes what they say.

// openLogs pushes the log page of the container behind obj.
func (m *Model) openLogs(obj page.Object) tea.Cmd {
	open, err := m.shells.Logs(obj, m.styles)
	if err != nil {
		return m.flash.Set(err.Error(), true)
	}
	return m.open(open)
}

// shell starts `s` on obj.
func (m *Model) shell(obj page.Object) tea.Cmd {
	cmd, err := m.shells.Shell(obj)
	if err != nil {
		return m.flash.Set(err.Error(), true)
	}
	return cmd
}

// updateExec hands the terminal over when a shell is ready, asks for
// another command when there is no shell, and reports the exit code when
// the terminal comes back, on the page and row it left.
func (m Model) updateExec(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case shell.ReadyMsg:
		switch {
		case errors.Is(msg.Err, backend.ErrNoShell):
			return m, m.cmdline.AskCommand(msg.Err.Error()+" — command to run: ", msg.Target)
		case msg.Err != nil:
			return m, m.flash.Set(msg.Err.Error(), true)
		}
		return m, m.shells.HandOver(msg)
	case shell.DoneMsg:
		return m, m.flash.Set(shell.Outcome(msg))
	}
	return m, nil
}

// execLine runs `:exec [-it] CMD...` on the selected row's container.
func (m *Model) execLine(rest string) tea.Cmd {
	obj, ok := m.selected()
	cmd, open, err := m.shells.Exec(rest, obj, ok, m.styles)
	switch {
	case err != nil:
		return m.flash.Set(err.Error(), true)
	case open != nil:
		return m.open(open)
	}
	return cmd
}

// selected is the row under the cursor of the page on top, if it has one.
func (m Model) selected() (page.Object, bool) {
	if sel, ok := m.top().(page.Selector); ok {
		return sel.Selected()
	}
	return page.Object{}, false
}

// closeFrom removes the pages from index i up, closing those that hold
// something open (a log reader).
func (m *Model) closeFrom(i int) {
	for _, e := range m.pages[i:] {
		if c, ok := e.p.(page.Closer); ok {
			c.Close()
		}
	}
	clear(m.pages[i:])
	m.pages = m.pages[:i]
}
