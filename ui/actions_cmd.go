package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// actionKey runs the image action a key asks for on the page on top, when
// that page shows images; ok is false for any other key or page.
func (m *Model) actionKey(msg tea.KeyPressMsg, top page.Page) (cmd tea.Cmd, ok bool) {
	name := m.acts.keys.match(msg)
	if name == "" || !showsImages(top) {
		return nil, false
	}
	return m.act(name, top), true
}

// act opens the dialog of an action, or says why it cannot run.
func (m *Model) act(name actionName, top page.Page) tea.Cmd {
	ns := m.ns
	refs := targets(top)
	cur, hasCur := cursor(top)
	if err := m.refuse(preview(name, refs)); err != nil {
		return m.flash.set(err.Error(), true)
	}
	switch name {
	case actPull:
		return m.askPull(ns, cur)
	case actImport:
		return m.askImport(ns)
	case actTag:
		if !hasCur {
			return m.flash.set("tag: put the cursor on the image to tag", true)
		}
		return m.askTag(ns, cur)
	}
	if len(refs) == 0 {
		return m.flash.set(string(name)+": no image here; mark some with space or put the cursor on one", true)
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
func (m *Model) runActionCommand(name actionName, line string) tea.Cmd {
	args, flags := splitArgs(line)
	top := m.top()
	if top == nil || (name != actPull && name != actImport && !showsImages(top)) {
		return m.flash.set(":"+commandOf(name)+" acts on images: open :images and put the cursor on one first", true)
	}
	refs := targets(top)
	if err := m.refuse(preview(name, refs)); err != nil {
		return m.flash.set(err.Error(), true)
	}
	arg := strings.Join(args, " ")
	if arg == "" && name != actRemove {
		return m.act(name, top)
	}
	var cmd tea.Cmd
	var err error
	ns := m.ns
	switch name {
	case actPull:
		cmd, err = m.pull(ns, arg, flags["all-platforms"], flags["cri"] && m.offerCRI(ns))
	case actTag:
		cur, ok := cursor(top)
		if !ok {
			return m.flash.set("tag: put the cursor on the image to tag", true)
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
			return m.flash.set("rmi: no image here; mark some with space or put the cursor on one", true)
		}
		return m.lookUsers(ns, refs, flags["sync"])
	}
	if err != nil {
		return m.flash.set(err.Error(), true)
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
