package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/theme"
)

// view names a kind of page a command opens.
type view int

const (
	viewNone view = iota
	viewNamespaces
	viewImages
	viewContainers
	viewTasks
	viewPods
	viewExec   // the output pane of a one-shot :exec
	viewJobs   // background image actions
	viewLog    // the command log of finished actions
	viewHealth // node health: containerd, its plugins, CRI conditions and settings
	viewDu     // disk usage: filesystems and the biggest consumers
	viewPrune  // a prune preview (:prune WHAT)
	viewSnapshots
	viewContent
	viewLeases
	viewDoctor // the node doctor: misconfigurations with evidence and fix
	viewTop    // running containers by CPU with the node's totals
)

// command is one `:` command. Commands are data, like keymaps, so help and
// docs list them from the same table that runs them.
type command struct {
	name    string
	aliases []string
	args    string // e.g. "[NAME]", for help
	help    string
	view    view // the page it opens; viewNone for quit
	// act is the image action it runs instead of opening a page.
	act actionName
	// lc is the container, task or pod action it runs (lifecycle.go).
	lc lcName
}

// commands is the command table, k9s's names and aliases.
func commands() []command {
	return []command{
		{name: "images", aliases: []string{"img", "image"}, help: "images of the namespace", view: viewImages},
		{name: "containers", aliases: []string{"c", "container"}, help: "containers with their tasks", view: viewContainers},
		{name: "tasks", aliases: []string{"t", "task"}, help: "running and stopped tasks", view: viewTasks},
		{name: "pods", aliases: []string{"po", "pod"}, help: "CRI pod sandboxes", view: viewPods},
		{name: "namespaces", aliases: []string{"ns", "namespace"}, args: "[NAME]", help: "namespaces; with NAME, switch to it", view: viewNamespaces},
		{name: "exec", args: "[-it] CMD...", help: "run CMD in the container under the cursor: output and exit code in a pane; -it on the terminal", view: viewExec},
		{name: "jobs", aliases: []string{"job"}, help: "background image actions: progress, outcome; x cancels", view: viewJobs},
		{name: "log", help: "finished actions with their ctr/crictl command lines", view: viewLog},
		{name: "top", help: "running containers of every namespace by CPU, a minute of history each, the node's totals; a: this namespace only", view: viewTop},
		{name: "health", aliases: []string{"node"}, help: "node health: containerd, its plugins, CRI conditions and settings, image filesystem", view: viewHealth},
		{name: "du", aliases: []string{"disk"}, help: "disk usage: image filesystem and containerd's directories (statfs), then images (unique/shared), containers' writable layers and snapshots, biggest first", view: viewDu},
		{name: "snapshots", aliases: []string{"snap", "snapshot"}, help: "snapshots of every snapshotter in use (ctr snapshots ls and usage), what holds each, orphans marked", view: viewSnapshots},
		{name: "content", aliases: []string{"blobs"}, help: "content blobs (ctr content ls): size, kind, the images that reference each, unreferenced ones", view: viewContent},
		{name: "leases", aliases: []string{"lease"}, help: "leases (ctr leases ls): what each holds, expired and left-behind ones marked; ctrl+d removes", view: viewLeases},
		{name: "prune", args: "images [-A] | containers [AGE] [-A] | content", help: "preview, then (ctrl+d, asks first) remove unused images, stopped containers, or left-behind leases, ingests and garbage; -A: every namespace", view: viewPrune},
		{name: "doctor", aliases: []string{"dr"}, help: "the node doctor: each check OK/WARN/FAIL/SKIP, failures first; enter shows the evidence and fix", view: viewDoctor},
		{name: "pull", args: "[REF] [--all-platforms] [--cri]", help: "pull REF (--cri: through CRI, in k8s.io); no REF opens the prompt", act: actPull},
		{name: "tag", args: "[REF] [--force]", help: "give the image under the cursor the name REF", act: actTag},
		{name: "import", args: "[PATH] [--base-name N] [--digests] [--all-platforms]", help: "import a tar into the namespace", act: actImport},
		{name: "export", args: "[PATH] [--all-platforms]", help: "export the marked images, else the one under the cursor, to PATH", act: actExport},
		{name: "push", args: "[REF]", help: "push the marked images, else the one under the cursor (to REF)", act: actPush},
		{name: "rmi", args: "[--sync]", help: "remove the marked images, else the one under the cursor (asks first)", act: actRemove},
		{name: "stop", args: "", help: "stop the container, task or pod under the cursor (asks first; grace period, then SIGKILL)", lc: lcStop},
		{name: "kill", args: "[SIG]", help: "kill the task under the cursor with SIG (default SIGKILL; asks first)", lc: lcKill},
		{name: "pause", help: "pause (freeze) the task under the cursor", lc: lcPauseOnly},
		{name: "resume", help: "resume the paused task under the cursor", lc: lcResume},
		{name: "rm", help: "remove the container, stopped task (tasks page) or pod under the cursor (asks first)", lc: lcRemove},
		{name: "rmp", help: "remove the pod under the cursor (asks first; stop it first, or choose to)", lc: lcRemovePod},
		{name: "quit", aliases: []string{"q", "q!"}, help: "quit ctui"},
	}
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
