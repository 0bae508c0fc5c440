package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/execcmd"
	"github.com/ctui/ctui/ui/logs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
)

// finder is the node as the log page and exec look containers up in it.
func (m Model) finder() target.Finder {
	f := target.Finder{NativeErr: m.b.NativeErr, CRIErr: m.b.CRIErr}
	if g, ok := m.b.Native.(backend.ContainerGetter); ok {
		f.Native = g
	}
	if m.b.CRI != nil {
		f.CRI = m.b.CRI
	}
	return f
}

// execers are the sides of the backend that can exec.
func (m Model) execers() exec.Execers {
	var ex exec.Execers
	ex.Native, _ = m.b.Native.(backend.Execer)
	ex.CRI, _ = m.b.CRI.(backend.Execer)
	return ex
}

// openLogs pushes the log page of the container behind obj.
func (m *Model) openLogs(obj page.Object) tea.Cmd {
	if !target.Supports(obj.Kind) {
		return m.flash.set(notAContainer(obj, "l shows logs"), true)
	}
	cfg := logs.Config{
		Ctx: m.ctx, Object: obj, Finder: m.finder(), Timeout: m.timeout, Styles: m.styles,
		Lines: m.logLines, Clock: m.clock,
	}
	if t, ok := m.b.Config.Transport.(interface{ LogFS() logio.FS }); ok {
		// A remote node: its log files are read over the SSH connection.
		cfg.FS = t.LogFS()
	}
	return m.open(func(id page.ID) (page.Page, tea.Cmd) {
		cfg.ID = id
		return logs.New(cfg)
	})
}

// errReadonlyExec is what s and :exec say under --readonly: a process in a
// container can change anything in it.
var errReadonlyExec = backend.Errorf(backend.ErrReadonly, "read-only mode: exec is refused, since a process in a container can change it; restart ctui without --readonly")

// shellReadyMsg answers shellCmd: the container and the command to hand
// the terminal to, or why not.
type shellReadyMsg struct {
	target exec.Target
	args   []string
	err    error
}

// shellDoneMsg is sent when the terminal comes back from an exec.
type shellDoneMsg struct {
	target exec.Target
	args   []string
	res    execcmd.Result
	err    error
}

// shell starts `s` on obj: find the container, choose the API and the
// shell, all before the terminal is handed over.
func (m *Model) shell(obj page.Object) tea.Cmd {
	switch {
	case m.b.Config.Readonly:
		return m.flash.set(errReadonlyExec.Error(), true)
	case !target.Supports(obj.Kind):
		return m.flash.set(notAContainer(obj, "s runs a shell"), true)
	}
	ctx, f, ex, timeout := m.ctx, m.finder(), m.execers(), m.timeout
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		t, err := exec.Resolve(cctx, f, ex, obj)
		if err != nil {
			return shellReadyMsg{err: err}
		}
		sh, err := exec.FindShell(cctx, t)
		return shellReadyMsg{target: t, args: []string{sh}, err: err}
	}
}

// execInteractive runs args on the terminal in t (the command typed after
// a container turned out to have no shell, or :exec -it).
func execInteractive(t exec.Target, args []string) tea.Cmd {
	return func() tea.Msg { return shellReadyMsg{target: t, args: args} }
}

// updateExec hands the terminal over when a shell is ready, asks for
// another command when there is no shell, and reports the exit code when
// the terminal comes back, on the page and row it left.
func (m Model) updateExec(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case shellReadyMsg:
		switch {
		case errors.Is(msg.err, backend.ErrNoShell):
			return m, m.cmdline.askCommand(msg.err.Error()+" — command to run: ", msg.target)
		case msg.err != nil:
			return m, m.flash.set(msg.err.Error(), true)
		}
		c := execcmd.NewCommand(m.ctx, msg.target.Execer, msg.target.Namespace, msg.target.ContainerID, msg.args...)
		t, args := msg.target, msg.args
		return m, tea.Exec(c, func(err error) tea.Msg { return shellDoneMsg{target: t, args: args, res: c.Result(), err: err} })
	case shellDoneMsg:
		if msg.err != nil {
			return m, m.flash.set(msg.err.Error(), true)
		}
		text := strings.Join(msg.args, " ") + " in " + msg.target.Name + " exited with code " + strconv.Itoa(msg.res.ExitCode)
		return m, m.flash.set(text, msg.res.ExitCode != 0)
	}
	return m, nil
}

// execLine runs `:exec [-it] CMD...` on the selected row's container: a
// one-shot command whose output opens in a pane, or with -it (or -t) a
// command on the terminal, as crictl exec -it.
func (m *Model) execLine(rest string) tea.Cmd {
	args := strings.Fields(rest)
	tty := false
	for len(args) > 0 && (args[0] == "-it" || args[0] == "-ti" || args[0] == "-t" || args[0] == "-i") {
		tty, args = true, args[1:]
	}
	obj, ok := m.selected()
	switch {
	case m.b.Config.Readonly:
		return m.flash.set(errReadonlyExec.Error(), true)
	case len(args) == 0:
		return m.flash.set("usage: :exec CMD... runs CMD in the container under the cursor; :exec -it CMD on the terminal", true)
	case !ok:
		return m.flash.set("no container here: :exec runs in the container, task or pod under the cursor of a list", true)
	case !target.Supports(obj.Kind):
		return m.flash.set(notAContainer(obj, ":exec runs"), true)
	}
	if tty {
		ctx, f, ex, timeout := m.ctx, m.finder(), m.execers(), m.timeout
		return func() tea.Msg {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			t, err := exec.Resolve(cctx, f, ex, obj)
			return shellReadyMsg{target: t, args: args, err: err}
		}
	}
	cfg := exec.Config{Ctx: m.ctx, Object: obj, Finder: m.finder(), Execers: m.execers(), Args: args, Timeout: m.timeout, Styles: m.styles}
	return m.open(func(id page.ID) (page.Page, tea.Cmd) {
		cfg.ID = id
		return exec.New(cfg)
	})
}

// notAContainer says that what the action (e.g. "l shows logs") needs is a
// container row.
func notAContainer(obj page.Object, action string) string {
	return obj.Title() + " is not a container: " + action + " on containers, tasks, pods and a pod's containers"
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
