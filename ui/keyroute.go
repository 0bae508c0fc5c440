package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/frame"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/shell"
)

// typing tells whether the keyboard goes to text: a dialog, the command
// line or a page's filter or search.
func (m Model) typing() bool {
	if _, open := m.acts.Dialog(); open || m.cmdline.Active {
		return true
	}
	top := m.top()
	return top != nil && top.State().Typing
}

// updateKeys routes a key press, first splitting an alt key that was esc
// and a key read together (splitAlt).
func (m Model) updateKeys(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	esc, rest, ok := splitAlt(msg, m.typing())
	if !ok {
		return m.updateKey(msg)
	}
	tm, first := m.updateKey(esc)
	tm, second := tm.(Model).updateKey(rest)
	return tm, tea.Batch(first, second)
}

// updatePaste gives a paste to whoever has the keyboard for text: a
// dialog, the command line, a page that is typing. Otherwise it is
// dropped: text pasted over a list is never taken as its keys.
func (m Model) updatePaste(msg tea.PasteMsg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	_, dialogOpen := m.acts.Dialog()
	switch {
	case dialogOpen:
		cmd = m.took(m.acts.UpdateDialog(msg))
	case m.cmdline.Active:
		cmd = m.cmdline.Input.Update(msg)
	case !m.help && m.typing():
		cmd = m.updateTop(msg)
	}
	return m, cmd
}

// updateKey decides who gets a key: ctrl+c always quits; then the command
// line, the help screen, a page that is typing; then the global keys; the
// rest goes to the page on top.
func (m Model) updateKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if key.Matches(msg, k.ForceQuit) {
		return m, tea.Quit
	}
	if _, ok := m.acts.Dialog(); ok {
		return m, m.took(m.acts.UpdateDialog(msg))
	}
	if m.cmdline.Active {
		return m.updateCmdline(msg)
	}
	if m.help {
		if key.Matches(msg, k.Help, k.Back, k.Quit) {
			m.help = false
		}
		return m, nil
	}
	top := m.top()
	if top == nil {
		return m, nil
	}
	st := top.State()
	if st.Typing {
		return m, m.updateTop(msg)
	}
	if acts, cmd, ok := m.acts.Key(msg, top, m.ns); ok {
		return m, m.took(acts, cmd)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.help = true
		return m, nil
	case key.Matches(msg, k.Command):
		return m, tea.Batch(m.cmdline.Open(), frame.ListNamespaces(m.ctx, m.b.Native, m.timeout))
	case key.Matches(msg, k.Back) && !st.Filtered:
		m.pop()
		return m, nil
	case key.Matches(msg, k.Describe):
		if sel, ok := top.(page.Selector); ok {
			if obj, ok := sel.Selected(); ok {
				return m, m.describe(obj)
			}
			return m, nil
		}
	case key.Matches(msg, k.Logs, k.Shell):
		if obj, ok := m.selected(); ok {
			if key.Matches(msg, k.Logs) {
				return m, m.openLogs(obj)
			}
			return m, m.shell(obj)
		}
	}
	return m, m.updateTop(msg)
}

// updateCmdline edits the command line; enter runs it, esc cancels.
func (m Model) updateCmdline(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	cmd, line, shellFor, entered := m.cmdline.Key(msg)
	switch {
	case !entered:
		return m, cmd
	case shellFor == nil:
		return m, m.run(line)
	}
	if args := strings.Fields(line); len(args) > 0 {
		return m, shell.Terminal(*shellFor, args)
	}
	return m, nil
}

// run executes a command line.
func (m *Model) run(line string) tea.Cmd {
	c, arg, ok := parseCommand(line)
	switch {
	case strings.TrimSpace(line) == "":
		return nil
	case !ok:
		return m.flash.Set("unknown command :"+strings.TrimSpace(line)+" (? lists the commands)", true)
	case c.run != nil:
		return c.run(m, line)
	case c.action:
		acts, cmd, _ := m.acts.Run(c.name, line, m.top(), m.ns)
		return m.took(acts, cmd)
	case c.quit:
		return tea.Quit
	case c.page == page.TypeNamespaces && arg != "":
		return m.switchNamespace(arg)
	}
	for i, e := range m.pages {
		if e.p.State().Type == c.page {
			// Already open: go back to it rather than stacking a twin.
			m.closeFrom(i + 1)
			return nil
		}
	}
	return m.push(c.page)
}

// switchNamespace makes ns current for every page. A namespace the daemon
// does not have is refused when the list is known; containerd would create
// it on first write, which is not what a typo should do.
func (m *Model) switchNamespace(ns string) tea.Cmd {
	if len(m.known) > 0 && !slices.Contains(m.known, ns) {
		return m.flash.Set("namespace "+ns+" does not exist; there are: "+strings.Join(m.known, ", "), true)
	}
	if ns == m.ns {
		return nil
	}
	m.ns = ns
	return tea.Batch(m.broadcast(page.NamespaceMsg{Namespace: ns}), m.subscribe(), m.flash.Set("namespace "+ns, false))
}
