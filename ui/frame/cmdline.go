package frame

import (
	"context"
	"sort"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/textfield"
	"github.com/ctui/ctui/ui/theme"
)

// Cmdline is the `:` command line editor in the status line.
type Cmdline struct {
	// Input is the line's editor (ui/textfield: shared with the root's
	// copies until changed).
	Input  textfield.Field
	Active bool
	// ShellFor is set while the line asks which command to run in a
	// container that has no shell; enter runs it there on the terminal.
	ShellFor *exec.Target
}

// NewCmdline returns the closed command line completing to suggestions.
func NewCmdline(st *theme.Styles, suggestions []string) Cmdline {
	in := textinput.New()
	in.Prompt = ":"
	in.ShowSuggestions = true
	in.SetStyles(st.Input)
	in.SetSuggestions(suggestions)
	return Cmdline{Input: textfield.New(in)}
}

// Open starts a command.
func (c *Cmdline) Open() tea.Cmd {
	c.Active = true
	in := c.Input.Edit()
	in.Reset()
	return in.Focus()
}

// AskCommand turns the line into a prompt for a command to run in t.
func (c *Cmdline) AskCommand(prompt string, t exec.Target) tea.Cmd {
	c.Active, c.ShellFor = true, &t
	in := c.Input.Edit()
	in.Reset()
	in.Prompt, in.ShowSuggestions = prompt, false
	return in.Focus()
}

// Close ends the line (run or canceled) and makes it `:` again.
func (c *Cmdline) Close() {
	c.Active, c.ShellFor = false, nil
	in := c.Input.Edit()
	in.Prompt, in.ShowSuggestions = ":", true
	in.Blur()
	in.Reset()
}

// Key edits the line: esc cancels; enter closes it and returns the line
// with the container it was asked for (nil for a `:` command), entered
// true.
func (c *Cmdline) Key(msg tea.KeyPressMsg) (cmd tea.Cmd, line string, shellFor *exec.Target, entered bool) {
	switch msg.Code {
	case tea.KeyEscape:
		c.Close()
		return nil, "", nil, false
	case tea.KeyEnter:
		line, shellFor = c.Input.Value(), c.ShellFor
		c.Close()
		return nil, line, shellFor, true
	}
	return c.Input.Update(msg), "", nil, false
}

// NamespacesMsg answers ListNamespaces.
type NamespacesMsg struct {
	Names []string
	Err   error
}

// ListNamespaces lists namespace names for completion and :ns checks.
func ListNamespaces(parent context.Context, l backend.NamespaceLister, timeout time.Duration) tea.Cmd {
	if l == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		nss, err := l.Namespaces(ctx)
		names := make([]string, len(nss))
		for i, n := range nss {
			names[i] = n.Name
		}
		sort.Strings(names)
		return NamespacesMsg{Names: names, Err: err}
	}
}
