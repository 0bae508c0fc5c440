// Package exec runs processes in containers from the UI: it decides which
// API serves an exec into a given container and whether it can run now,
// finds the shell for `s`, and is the output pane of a one-shot `:exec CMD`.
// The terminal handover itself is ui/execcmd's, driven by the root.
package exec

import (
	"context"
	"errors"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
)

// Execers are the two ways into a container; either may be nil when that
// side is not connected or cannot exec.
type Execers struct {
	Native backend.Execer // containerd's task API, as ctr tasks exec
	CRI    backend.Execer // CRI Exec/ExecSync, as crictl exec
}

// Target is a running container and the API that execs into it.
type Target struct {
	Execer      backend.Execer
	Namespace   string // containerd namespace for native exec; "" for CRI
	ContainerID string
	Name        string // what the operator calls the container
	Via         string // "containerd" or "CRI", for the status line
}

// Choose picks the API for c and refuses at once what would hang or fail:
// a container that is not running, or a paused task.
//
// Native exec is preferred whenever containerd has the container, CRI
// containers on containerd included: it needs no stream server and gives
// the same process spec ctr would, and it is the only one that sees a task
// paused before trying. CRI serves what containerd does not have: the
// containers of a CRI runtime that is not this containerd (CRI-O), or all
// of them when only the CRI socket is reachable.
func Choose(c target.Container, ex Execers) (Target, error) {
	t := Target{ContainerID: c.ID, Name: c.Name}
	switch {
	case c.Native != nil && ex.Native != nil:
		t.Execer, t.Namespace, t.Via = ex.Native, c.Namespace, "containerd"
		switch st := c.Native.Status(); st {
		case backend.TaskRunning:
		case backend.TaskPaused, backend.TaskPausing:
			return Target{}, backend.PausedError(c.ID, c.Namespace)
		default:
			return Target{}, backend.NotRunningError(c.Name, string(st))
		}
	case c.CRI != nil && ex.CRI != nil:
		t.Execer, t.Via = ex.CRI, "CRI"
		if c.CRI.State != backend.ContainerRunning {
			return Target{}, backend.NotRunningError(c.Name, string(c.CRI.State))
		}
	default:
		return Target{}, backend.Errorf(backend.ErrUnsupported,
			"cannot exec into %s: neither the containerd nor the CRI connection can exec into it", c.Name)
	}
	return t, nil
}

// Resolve finds the container behind obj and chooses how to exec into it.
// It makes backend calls: run it from a command.
func Resolve(ctx context.Context, f target.Finder, ex Execers, obj page.Object) (Target, error) {
	c, err := f.Find(ctx, obj)
	if err != nil {
		return Target{}, err
	}
	return Choose(c, ex)
}

// FindShell returns the first of backend.Shells the container has, asking
// the runtime with a one-shot `SHELL -c 'exit 0'`, as backend.ExecShell
// does. Doing it before the terminal is handed over means a container
// without a shell, stopped or paused, is reported in the status line
// without the screen flashing to the shell and back.
func FindShell(ctx context.Context, t Target) (string, error) {
	var tried []string
	for _, sh := range backend.Shells() {
		_, err := t.Execer.ExecSync(ctx, backend.ExecRequest{Namespace: t.Namespace, ContainerID: t.ContainerID, Args: []string{sh, "-c", "exit 0"}})
		switch {
		case errors.Is(err, backend.ErrCommandNotFound):
			tried = append(tried, sh)
			continue
		case err != nil:
			return "", err
		}
		return sh, nil
	}
	return "", backend.NoShellError(t.Name, tried)
}
