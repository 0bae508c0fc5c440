package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Kinds of exec failure, beside the general ones in errors.go. Each comes
// inside an *Error whose message says what to do next; test with errors.Is.
var (
	// ErrNotRunning: the container has no task, or its task has exited or
	// was never started. Exec answers this at once instead of waiting on a
	// process that cannot start.
	ErrNotRunning = errors.New("container not running")
	// ErrPaused: the task is frozen (`ctr tasks pause`). A process exec'd
	// into it would join the frozen cgroup and hang, so exec refuses.
	ErrPaused = errors.New("task paused")
	// ErrCommandNotFound: the command to exec does not exist in the
	// container's filesystem (or is not executable).
	ErrCommandNotFound = errors.New("command not found")
	// ErrNoShell: none of Shells exists in the container; the operator can
	// still run a command the image has.
	ErrNoShell = errors.New("no shell in container")
)

// TermSize is a terminal's size in character cells, as TIOCGWINSZ reports
// it and as containerd's Resize and CRI's resize channel take it.
type TermSize struct {
	Width  uint16 // columns
	Height uint16 // rows
}

// ExecRequest is one process to start in a running container, as `ctr tasks
// exec` or `crictl exec` would. The caller owns the streams: Stdin is read
// until it ends (io.EOF closes the process's stdin) and should be a reader
// the caller can cancel, because an adapter cannot interrupt a blocked Read;
// Stdout and Stderr are written from the adapter's goroutines until the
// process exits.
type ExecRequest struct {
	Namespace   string // containerd namespace; CRI has none and ignores it
	ContainerID string
	Args        []string // argv; Args[0] is resolved in the container's PATH

	// TTY gives the process a terminal: stdout and stderr then arrive
	// merged on Stdout (Stderr is unused) and Size and Resize apply.
	TTY    bool
	Stdin  io.Reader // nil: the process gets no stdin
	Stdout io.Writer // nil: output is discarded
	Stderr io.Writer // nil: output is discarded (or merged, with TTY)

	// Size is the terminal's size when the process starts (zero: the
	// runtime's default, usually 80x24); each value received on Resize
	// resizes it later. The adapter stops reading Resize when the process
	// exits; the sender must never block on it (buffer it, drop stale sizes).
	// Native exec applies a size sent before a Read of Stdin returns
	// before it writes what that Read gave, so a sender that sends a new
	// size before handing over the keys typed after it has them arrive in
	// that order; CRI's exec streams carry sizes and keys apart, unordered.
	Size   TermSize
	Resize <-chan TermSize
}

// ExecOutput is what a one-shot exec (ExecSync, `:exec CMD`) produced.
// Output beyond MaxExecOutput per stream is dropped and Truncated set, so a
// chatty command cannot fill ctui's memory.
type ExecOutput struct {
	Stdout    []byte
	Stderr    []byte
	ExitCode  int
	Truncated bool
}

// MaxExecOutput bounds each stream ExecSync keeps: 16 MiB, the cap CRI
// runtimes put on ExecSync.
const MaxExecOutput = 16 << 20

// Execer runs processes in containers. The native containerd adapter and the
// CRI adapter both implement it, so the exec screen and `:exec` do not care
// which API serves the container.
//
// A non-zero exit code is a result, not an error: errors are for a process
// that could not run or whose end could not be learned (ErrNotRunning,
// ErrPaused, ErrCommandNotFound, a lost connection...).
type Execer interface {
	// Exec starts req and streams its I/O until it exits, returning its
	// exit code. Cancelling ctx kills the process.
	Exec(ctx context.Context, req ExecRequest) (int, error)
	// ExecSync runs req.Args without a terminal or stdin and returns its
	// output; the other fields of req are ignored. ctx's deadline bounds it.
	ExecSync(ctx context.Context, req ExecRequest) (ExecOutput, error)
}

// Shells are the shells an interactive exec tries, in order: bash when the
// image has it (line editing, history), else the POSIX sh every distro and
// busybox image has.
func Shells() []string { return []string{"/bin/bash", "/bin/sh"} }

// ExecShell starts the first of Shells that exists in the container, with
// req's streams and terminal, and returns which shell ran and its exit code.
//
// It finds the shell by asking the runtime, not by looking into the
// container's root filesystem: the rootfs is only reachable through the
// task's mounts on the node, and only for containerd, whereas the runtime
// resolving the path answers for every runtime (CRI-O too), through symlinks
// and usr-merged layouts exactly as the real exec will. The question is a
// one-shot `SHELL -c 'exit 0'` (ExecSync), a few tens of milliseconds, rather
// than the interactive exec itself: an attempt that fails after its streams
// are set up (CRI's stream server reports a missing binary only then) may
// already have taken keystrokes from Stdin and left a goroutine reading it.
// So req.Stdin is handed to one Exec only, the one that runs.
//
// When no shell exists the error is ErrNoShell, worded so the operator
// knows to run another command instead; a stopped or paused container
// answers ErrNotRunning or ErrPaused from the first probe, at once.
func ExecShell(ctx context.Context, e Execer, req ExecRequest) (string, int, error) {
	var tried []string
	for _, sh := range Shells() {
		probe := ExecRequest{Namespace: req.Namespace, ContainerID: req.ContainerID, Args: []string{sh, "-c", "exit 0"}}
		_, err := e.ExecSync(ctx, probe)
		if errors.Is(err, ErrCommandNotFound) {
			tried = append(tried, sh)
			continue
		}
		if err != nil {
			return "", 0, err
		}
		req.Args = []string{sh}
		code, err := e.Exec(ctx, req)
		return sh, code, err
	}
	return "", 0, NoShellError(req.ContainerID, tried)
}

// NoShellError is ErrNoShell for container id after tried shells failed.
func NoShellError(id string, tried []string) error {
	return &Error{Kind: ErrNoShell, Msg: fmt.Sprintf(
		"no shell in container %s (tried %s); the image has none, run another command it has instead",
		id, strings.Join(tried, ", "))}
}

// NotRunningError is ErrNotRunning for container id whose task or CRI
// container is in state (ctr's STOPPED or CREATED, CRI's EXITED or CREATED),
// or has no task at all (state "").
func NotRunningError(id, state string) error {
	if state == "" {
		return &Error{Kind: ErrNotRunning, Msg: fmt.Sprintf(
			"container %s is not running (it has no task); start it first", id)}
	}
	return &Error{Kind: ErrNotRunning, Msg: fmt.Sprintf(
		"container %s is not running (status %s); start it first", id, state)}
}

// PausedError is ErrPaused for container id in containerd namespace ns,
// with the command that resumes it.
func PausedError(id, ns string) error {
	return &Error{Kind: ErrPaused, Msg: fmt.Sprintf(
		"container %s is paused; resume it first (ctr -n %s tasks resume %s)", id, ns, id)}
}

// IsPausedRefusal reports whether a runtime refused an exec because the
// task is paused: containerd's runc shim answers "cannot exec in a paused
// state" at once, also through CRI, which has no paused state of its own to
// show beforehand.
func IsPausedRefusal(msg string) bool {
	return strings.Contains(msg, "cannot exec in a paused state")
}

// CommandNotFoundError is ErrCommandNotFound for argv0 in container id;
// cause is the runtime's own message, kept for --debug.
func CommandNotFoundError(id, argv0 string, cause error) error {
	return &Error{Kind: ErrCommandNotFound, Err: cause, Msg: fmt.Sprintf(
		"%s: no such command in container %s; run another command the image has", argv0, id)}
}

// IsCommandNotFound reports whether a runtime's message for a failed exec
// says the executable is missing. runc words it `exec: "ls": executable file
// not found in $PATH` for a name and `exec: "/bin/bash": stat /bin/bash: no
// such file or directory` for a path; crun "executable file `ls` not found in
// $PATH"; containerd wraps either in "OCI runtime exec failed", and CRI-O's
// conmon passes the same text on. A missing working directory also says "no
// such file or directory" but not `exec: "`, so it is not taken for a missing
// command. A shell that cannot find a command it runs exits 127 with its own
// wording, which is not matched either: that is the command's result.
func IsCommandNotFound(msg string) bool {
	m := strings.ToLower(msg)
	if strings.Contains(m, "executable file not found") ||
		strings.Contains(m, "executable file `") && strings.Contains(m, "not found") {
		return true
	}
	return strings.Contains(m, `exec: "`) && strings.Contains(m, "no such file or directory")
}
