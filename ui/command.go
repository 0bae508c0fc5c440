package ui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/actions"
	"github.com/ctui/ctui/ui/page"
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
