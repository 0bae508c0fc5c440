// Package shell is the flows that reach into a container: `l` (its log
// page), `s` (a shell on the terminal), `:exec CMD` (output in a pane) and
// `:exec -it CMD` (on the terminal). Each finds the container on whichever
// side of the backend knows it, chooses the API, and for the terminal finds
// the shell, all off the update loop before the terminal is handed over
// (tea.Exec through ui/execcmd). The root asks and shows the outcome; the
// pages are ui/logs and ui/exec.
package shell

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/execcmd"
	"github.com/ctui/ctui/ui/logs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the flows are built from.
type Config struct {
	Ctx     context.Context
	Backend *backend.Backend
	Timeout time.Duration
	// LogLines is how many lines a log page keeps (--log-lines).
	LogLines int
	Clock    backend.Clock
}

// Flows starts the flows from the root's values.
type Flows struct{ cfg Config }

// New returns the flows.
func New(cfg Config) Flows { return Flows{cfg: cfg} }

// Opener builds a page with the ID the root gives it.
type Opener = func(id page.ID) (page.Page, tea.Cmd)

// LogFSer is a transport that reads the node's log files (backend/remote's
// over the SSH connection); cmd/ctui asserts that the real one has it.
type LogFSer interface{ LogFS() logio.FS }

// errReadonlyExec is what s and :exec say in read-only mode (--readonly, or
// the context named, see backend.Config.ReadonlyContext): a process in a
// container can change anything in it.
func errReadonlyExec(context string) error {
	if context != "" {
		cause, fix := backend.ReadonlyWhy(context)
		return backend.Errorf(backend.ErrReadonly, "read-only mode: exec is refused, since a process in a container can change it (%s); %s", cause, fix)
	}
	return backend.Errorf(backend.ErrReadonly, "read-only mode: exec is refused, since a process in a container can change it; restart ctui without --readonly")
}

// ReadyMsg answers the search for a container and its shell: the container
// and the command to hand the terminal to, or why not.
type ReadyMsg struct {
	Target exec.Target
	Args   []string
	Err    error
}

// DoneMsg is sent when the terminal comes back from an exec.
type DoneMsg struct {
	Target exec.Target
	Args   []string
	Res    execcmd.Result
	Err    error
}

// finder is the node as the log page and exec look containers up in it.
func (f Flows) finder() target.Finder {
	b := f.cfg.Backend
	fi := target.Finder{NativeErr: b.NativeErr, CRIErr: b.CRIErr}
	if g, ok := b.Native.(backend.ContainerGetter); ok {
		fi.Native = g
	}
	if b.CRI != nil {
		fi.CRI = b.CRI
	}
	return fi
}

// execers are the sides of the backend that can exec.
func (f Flows) execers() exec.Execers {
	var ex exec.Execers
	ex.Native, _ = f.cfg.Backend.Native.(backend.Execer)
	ex.CRI, _ = f.cfg.Backend.CRI.(backend.Execer)
	return ex
}

// Logs builds the log page of the container behind obj, or says why there
// is none.
func (f Flows) Logs(obj page.Object, st *theme.Styles) (Opener, error) {
	if !target.Supports(obj.Kind) {
		return nil, notAContainer(obj, "l shows logs")
	}
	cfg := logs.Config{
		Ctx: f.cfg.Ctx, Object: obj, Finder: f.finder(), Timeout: f.cfg.Timeout, Styles: st,
		Lines: f.cfg.LogLines, Clock: f.cfg.Clock,
	}
	if t, ok := f.cfg.Backend.Config.Transport.(LogFSer); ok {
		// A remote node: its log files are read over the SSH connection.
		cfg.FS = t.LogFS()
	}
	return func(id page.ID) (page.Page, tea.Cmd) {
		cfg.ID = id
		return logs.New(cfg)
	}, nil
}

// Shell starts `s` on obj: find the container, choose the API and the
// shell, all before the terminal is handed over (ReadyMsg).
func (f Flows) Shell(obj page.Object) (tea.Cmd, error) {
	switch {
	case f.cfg.Backend.Config.Readonly:
		return nil, errReadonlyExec(f.cfg.Backend.Config.ReadonlyContext)
	case !target.Supports(obj.Kind):
		return nil, notAContainer(obj, "s runs a shell")
	}
	ctx, fi, ex, timeout := f.cfg.Ctx, f.finder(), f.execers(), f.cfg.Timeout
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		t, err := exec.Resolve(cctx, fi, ex, obj)
		if err != nil {
			return ReadyMsg{Err: err}
		}
		sh, err := exec.FindShell(cctx, t)
		return ReadyMsg{Target: t, Args: []string{sh}, Err: err}
	}, nil
}

// Terminal runs args on the terminal in t (the command typed after a
// container turned out to have no shell).
func Terminal(t exec.Target, args []string) tea.Cmd {
	return func() tea.Msg { return ReadyMsg{Target: t, Args: args} }
}

// HandOver gives the terminal to a ready shell; DoneMsg comes back when it
// ends.
func (f Flows) HandOver(msg ReadyMsg) tea.Cmd {
	c := execcmd.NewCommand(f.cfg.Ctx, msg.Target.Execer, msg.Target.Namespace, msg.Target.ContainerID, msg.Args...)
	t, args := msg.Target, msg.Args
	return tea.Exec(c, func(err error) tea.Msg { return DoneMsg{Target: t, Args: args, Res: c.Result(), Err: err} })
}

// Outcome is the flash line after the terminal came back: the exit code,
// an error when it was not 0.
func Outcome(msg DoneMsg) (text string, isErr bool) {
	if msg.Err != nil {
		return msg.Err.Error(), true
	}
	return strings.Join(msg.Args, " ") + " in " + msg.Target.Name + " exited with code " + strconv.Itoa(msg.Res.ExitCode), msg.Res.ExitCode != 0
}

// Exec runs `:exec [-it] CMD...` (rest is what follows the command's name)
// on obj, the selected row (ok false when there is none): a one-shot
// command whose output opens in a pane (the Opener), or with -it (or -t) a
// command on the terminal, as crictl exec -it (the command, which answers
// ReadyMsg).
func (f Flows) Exec(rest string, obj page.Object, ok bool, st *theme.Styles) (tea.Cmd, Opener, error) {
	args := strings.Fields(rest)
	tty := false
	for len(args) > 0 && (args[0] == "-it" || args[0] == "-ti" || args[0] == "-t" || args[0] == "-i") {
		tty, args = true, args[1:]
	}
	switch {
	case f.cfg.Backend.Config.Readonly:
		return nil, nil, errReadonlyExec(f.cfg.Backend.Config.ReadonlyContext)
	case len(args) == 0:
		return nil, nil, errors.New("usage: :exec CMD... runs CMD in the container under the cursor; :exec -it CMD on the terminal")
	case !ok:
		return nil, nil, errors.New("no container here: :exec runs in the container, task or pod under the cursor of a list")
	case !target.Supports(obj.Kind):
		return nil, nil, notAContainer(obj, ":exec runs")
	}
	if tty {
		ctx, fi, ex, timeout := f.cfg.Ctx, f.finder(), f.execers(), f.cfg.Timeout
		return func() tea.Msg {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			t, err := exec.Resolve(cctx, fi, ex, obj)
			return ReadyMsg{Target: t, Args: args, Err: err}
		}, nil, nil
	}
	cfg := exec.Config{Ctx: f.cfg.Ctx, Object: obj, Finder: f.finder(), Execers: f.execers(), Args: args, Timeout: f.cfg.Timeout, Styles: st}
	return nil, func(id page.ID) (page.Page, tea.Cmd) {
		cfg.ID = id
		return exec.New(cfg)
	}, nil
}

// notAContainer says that what the action (e.g. "l shows logs") needs is a
// container row.
func notAContainer(obj page.Object, action string) error {
	return errors.New(obj.Title() + " is not a container: " + action + " on containers, tasks, pods and a pod's containers")
}
