package actions

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// Command is one `:` command of the actions, for the root's command table,
// help and docs.
type Command struct {
	Name, Args, Help string
}

// commands pairs each command with what runs it.
type command struct {
	Command
	run func(m *Model, line string, top page.Page, ns string) tea.Cmd
}

func imageCommand(name actionName, args, help string) command {
	cmd := name
	if name == actRemove {
		cmd = "rmi"
	}
	return command{Command{Name: string(cmd), Args: args, Help: help}, func(m *Model, line string, top page.Page, ns string) tea.Cmd {
		return m.runActionCommand(name, line, top, ns)
	}}
}

func lifecycleCommand(name, cmd lcName, args, help string) command {
	return command{Command{Name: string(cmd), Args: args, Help: help}, func(m *Model, line string, top page.Page, _ string) tea.Cmd {
		return m.runLifecycleCommand(name, line, top)
	}}
}

func commands() []command {
	return []command{
		imageCommand(actPull, "[REF] [--all-platforms] [--cri]", "pull REF (--cri: through CRI, in k8s.io); no REF opens the prompt"),
		imageCommand(actTag, "[REF] [--force]", "give the image under the cursor the name REF"),
		imageCommand(actImport, "[PATH] [--base-name N] [--digests] [--all-platforms]", "import a tar into the namespace"),
		imageCommand(actExport, "[PATH] [--all-platforms]", "export the marked images, else the one under the cursor, to PATH"),
		imageCommand(actPush, "[REF]", "push the marked images, else the one under the cursor (to REF)"),
		imageCommand(actRemove, "[--sync]", "remove the marked images, else the one under the cursor (asks first)"),
		lifecycleCommand(lcStop, lcStop, "", "stop the container, task or pod under the cursor (asks first; grace period, then SIGKILL)"),
		lifecycleCommand(lcKill, lcKill, "[SIG]", "kill the task under the cursor with SIG (default SIGKILL; asks first)"),
		lifecycleCommand(lcPauseOnly, "pause", "", "pause (freeze) the task under the cursor"),
		lifecycleCommand(lcResume, lcResume, "", "resume the paused task under the cursor"),
		lifecycleCommand(lcRemove, lcRemove, "", "remove the container, stopped task (tasks page) or pod under the cursor (asks first)"),
		lifecycleCommand(lcRemovePod, lcRemovePod, "", "remove the pod under the cursor (asks first; stop it first, or choose to)"),
	}
}

// Commands are the actions' `:` commands in help order.
func Commands() []Command {
	var out []Command
	for _, c := range commands() {
		out = append(out, c.Command)
	}
	return out
}

// Run runs the command line whose command is name, on page top in
// namespace ns; ok is false when name is not the actions'.
func (m Model) Run(name, line string, top page.Page, ns string) (Model, tea.Cmd, bool) {
	for _, c := range commands() {
		if c.Name == name {
			cmd := c.run(&m, line, top, ns)
			return m, cmd, true
		}
	}
	return m, nil, false
}

// act opens the dialog of an action, or says why it cannot run.
func (m *Model) act(name actionName, top page.Page, ns string) tea.Cmd {
	refs := targets(top)
	cur, hasCur := cursor(top)
	if err := m.refuse(preview(name, refs)); err != nil {
		return say(err.Error(), true)
	}
	switch name {
	case actPull:
		return m.askPull(ns, cur)
	case actImport:
		return m.askImport(ns)
	case actTag:
		if !hasCur {
			return say("tag: put the cursor on the image to tag", true)
		}
		return m.askTag(ns, cur)
	}
	if len(refs) == 0 {
		return say(string(name)+": no image here; mark some with space or put the cursor on one", true)
	}
	switch name {
	case actExport:
		return m.askExport(ns, refs)
	case actPush:
		return m.askPush(ns, refs)
	case actRemove:
		return m.lookUsers(ns, refs, false)
	}
	return nil
}

// preview is the action as far as it is known before its dialog, for the
// --readonly sentence.
func preview(name actionName, refs []string) backend.Action {
	switch name {
	case actPull:
		return backend.PullOptions{Ref: strings.Join(refs, ", ")}
	case actTag:
		return backend.TagOptions{Source: strings.Join(refs, ", ")}
	case actImport:
		return backend.ImportOptions{Path: "a tar"}
	case actExport:
		return backend.ExportOptions{Refs: refs}
	case actPush:
		return backend.PushOptions{Ref: strings.Join(refs, ", ")}
	}
	return backend.RemoveOptions{Refs: refs}
}

// runActionCommand runs `:pull REF`, `:tag REF`, `:import PATH`, `:export
// PATH`, `:push [REF]` and `:rmi`: with its argument the dialog is skipped,
// not the second question (an existing file, a delete); without, the
// dialog opens as the key would.
func (m *Model) runActionCommand(name actionName, line string, top page.Page, ns string) tea.Cmd {
	args, flags := splitArgs(line)
	if top == nil || (name != actPull && name != actImport && !showsImages(top)) {
		return say(":"+commandOf(name)+" acts on images: open :images and put the cursor on one first", true)
	}
	refs := targets(top)
	if err := m.refuse(preview(name, refs)); err != nil {
		return say(err.Error(), true)
	}
	arg := strings.Join(args, " ")
	if arg == "" && name != actRemove {
		return m.act(name, top, ns)
	}
	var cmd tea.Cmd
	var err error
	switch name {
	case actPull:
		cmd, err = m.pull(ns, arg, flags["all-platforms"], flags["cri"] && m.offerCRI(ns))
	case actTag:
		cur, ok := cursor(top)
		if !ok {
			return say("tag: put the cursor on the image to tag", true)
		}
		cmd, err = m.tag(ns, cur, arg, flags["force"])
	case actImport:
		cmd, err = m.importTar(ns, backend.ImportOptions{Path: arg, BaseName: flagValue(line, "base-name"),
			Digests: flags["digests"], AllPlatforms: flags["all-platforms"]})
	case actExport:
		cmd, err = m.checkExport(ns, backend.ExportOptions{Refs: refs, Path: arg, AllPlatforms: flags["all-platforms"]})
	case actPush:
		cmd, err = m.pushImages(ns, refs, arg)
	case actRemove:
		if len(refs) == 0 {
			return say("rmi: no image here; mark some with space or put the cursor on one", true)
		}
		return m.lookUsers(ns, refs, flags["sync"])
	}
	if err != nil {
		return say(err.Error(), true)
	}
	return cmd
}

// splitArgs separates a command's words from its --flags (after the
// command name); a flag's value, as --base-name NAME, is taken by
// flagValue and skipped here.
func splitArgs(line string) (args []string, flags map[string]bool) {
	f := strings.Fields(line)
	flags = map[string]bool{}
	for i := 1; i < len(f); i++ {
		w := f[i]
		if name, ok := strings.CutPrefix(w, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			flags[name] = true
			if name == "base-name" && !strings.Contains(w, "=") {
				i++
			}
			continue
		}
		args = append(args, w)
	}
	return args, flags
}

// flagValue is the value of --name VALUE or --name=VALUE.
func flagValue(line, name string) string {
	f := strings.Fields(line)
	for i, w := range f {
		if v, ok := strings.CutPrefix(w, "--"+name+"="); ok {
			return v
		}
		if w == "--"+name && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

func commandOf(name actionName) string {
	if name == actRemove {
		return "rmi"
	}
	return string(name)
}
