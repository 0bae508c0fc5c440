package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/actions"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

// command is one `:` command. Commands are data, like keymaps, so help and
// docs list them from the same table that runs them.
type command struct {
	name    string
	aliases []string
	args    string // e.g. "[NAME]", for help
	help    string
	// page is the type of page it opens (routes); empty for quit and the
	// actions.
	page page.Type
	// action is true for the commands of ui/actions, which run them.
	action bool
	// quit ends ctui.
	quit bool
	// run takes the whole line (:exec, :prune) instead of opening page.
	run func(m *Model, line string) tea.Cmd
}

// commands is the command table, k9s's names and aliases: the pages'
// (routes), then the actions'.
func commands() []command {
	var out []command
	for _, r := range routes() {
		c := r.cmd
		c.page, c.run = r.typ, r.run
		out = append(out, c)
	}
	for _, c := range actions.Commands() {
		out = append(out, command{name: c.Name, args: c.Args, help: c.Help, action: true})
	}
	return append(out, command{name: "quit", aliases: []string{"q", "q!"}, help: "quit ctui", quit: true})
}

// lookup finds a command by name or alias.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name || slices.Contains(c.aliases, name) {
			return c, true
		}
	}
	return command{}, false
}

// parseCommand splits a command line into its command and argument.
func parseCommand(line string) (cmd command, arg string, ok bool) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return command{}, "", false
	}
	cmd, ok = lookup(f[0])
	if len(f) > 1 {
		arg = f[1]
	}
	return cmd, arg, ok
}

// suggestions are what tab completes to: every name and alias, and "ns X"
// for each known namespace.
func suggestions(namespaces []string) []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.name)
		out = append(out, c.aliases...)
	}
	for _, ns := range namespaces {
		out = append(out, "ns "+ns)
	}
	return out
}

// cmdline is the `:` command line editor.
type cmdline struct {
	input  textinput.Model
	active bool
	// shellFor is set while the line asks which command to run in a
	// container that has no shell; enter runs it there on the terminal.
	shellFor *exec.Target
}

func newCmdline(st theme.Styles) cmdline {
	in := textinput.New()
	in.Prompt = ":"
	in.ShowSuggestions = true
	in.SetStyles(st.Input)
	in.SetSuggestions(suggestions(nil))
	return cmdline{input: in}
}

func (c *cmdline) open() tea.Cmd {
	c.active = true
	c.input.Reset()
	return c.input.Focus()
}

// askCommand turns the line into a prompt for a command to run in t.
func (c *cmdline) askCommand(prompt string, t exec.Target) tea.Cmd {
	c.active, c.shellFor = true, &t
	c.input.Reset()
	c.input.Prompt, c.input.ShowSuggestions = prompt, false
	return c.input.Focus()
}

func (c *cmdline) close() {
	c.active, c.shellFor = false, nil
	c.input.Prompt, c.input.ShowSuggestions = ":", true
	c.input.Blur()
	c.input.Reset()
}
