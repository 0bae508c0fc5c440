package fake

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/ctui/ctui/backend"
)

// Execer is a fake backend.Execer. Sync answers ExecSync by the command
// line (args joined by spaces); a command it lacks is
// backend.ErrCommandNotFound, as a runtime answers for a missing binary.
// Err, when set, answers every call (a paused or stopped container). Exec
// returns ExitCode for any command in Sync and records what it ran.
type Execer struct {
	mu       sync.Mutex
	Sync     map[string]backend.ExecOutput
	Err      error
	ExitCode int

	SyncCalls []string // ExecSync command lines, in order
	ExecCalls []string // Exec command lines, in order
}

var _ backend.Execer = (*Execer)(nil)

// Exec implements backend.Execer.
func (e *Execer) Exec(ctx context.Context, req backend.ExecRequest) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	line := strings.Join(req.Args, " ")
	e.ExecCalls = append(e.ExecCalls, req.Namespace+"/"+req.ContainerID+": "+line)
	if e.Err != nil {
		return 0, e.Err
	}
	if _, ok := e.Sync[line]; !ok && len(req.Args) > 0 {
		return 0, backend.CommandNotFoundError(req.ContainerID, req.Args[0], nil)
	}
	return e.ExitCode, nil
}

// ExecSync implements backend.Execer.
func (e *Execer) ExecSync(ctx context.Context, req backend.ExecRequest) (backend.ExecOutput, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	line := strings.Join(req.Args, " ")
	e.SyncCalls = append(e.SyncCalls, req.Namespace+"/"+req.ContainerID+": "+line)
	if e.Err != nil {
		return backend.ExecOutput{}, e.Err
	}
	out, ok := e.Sync[line]
	if !ok {
		return backend.ExecOutput{}, backend.CommandNotFoundError(req.ContainerID, req.Args[0], nil)
	}
	return out, nil
}

// Calls returns copies of the call records, safely while commands run.
func (e *Execer) Calls() (sync, exec []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.SyncCalls), slices.Clone(e.ExecCalls)
}

// NativeExecer is a fake containerd that can exec, as backend/containerd's
// Client does: the root finds exec by asserting backend.Execer on
// Backend.Native.
type NativeExecer struct {
	*Native
	*Execer
}

// RuntimeExecer is a fake CRI runtime that can exec.
type RuntimeExecer struct {
	*Runtime
	*Execer
}
