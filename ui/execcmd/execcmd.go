// Package execcmd hands the terminal over to a process in a container, as
// `ctr tasks exec -t` and `crictl exec -it` do, for the UI to run through
// bubbletea's tea.Exec: the program releases the terminal, Command puts it in
// raw mode, forwards its resizes and copies keys and output until the process
// exits, then restores the terminal exactly as it found it, and the program
// takes it back on the same view.
//
// It knows nothing of which API serves the container: it drives a
// backend.Execer. The UI builds a Command with NewShell or NewCommand, and
// reads Result in the tea.Exec callback:
//
//	cmd := execcmd.NewShell(ctx, execer, ns, id)
//	return tea.Exec(cmd, func(err error) tea.Msg { return execDoneMsg{cmd.Result(), err} })
package execcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/console"
	"github.com/muesli/cancelreader"

	"github.com/ctui/ctui/backend"
)

// Result is how an exec ended, for the UI's status line.
type Result struct {
	Shell    string // the shell that ran, for NewShell; "" otherwise
	ExitCode int
}

// Command is a bubbletea ExecCommand running one process in a container on
// the user's terminal. Use it once.
type Command struct {
	ctx    context.Context
	execer backend.Execer
	req    backend.ExecRequest
	shell  bool

	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	result Result
}

// NewShell runs the first shell of backend.Shells the container has; when it
// has none, Run fails with backend.ErrNoShell and the UI offers to run
// another command. ctx ends the session (the process is killed) when done.
func NewShell(ctx context.Context, e backend.Execer, namespace, containerID string) *Command {
	return &Command{ctx: ctx, execer: e, shell: true,
		req: backend.ExecRequest{Namespace: namespace, ContainerID: containerID}}
}

// NewCommand runs args, the command the operator typed, on a terminal.
func NewCommand(ctx context.Context, e backend.Execer, namespace, containerID string, args ...string) *Command {
	return &Command{ctx: ctx, execer: e,
		req: backend.ExecRequest{Namespace: namespace, ContainerID: containerID, Args: args}}
}

// SetStdin is given the program's input (its terminal) by tea.Exec.
func (c *Command) SetStdin(r io.Reader) { c.stdin = r }

// SetStdout is given the program's output by tea.Exec.
func (c *Command) SetStdout(w io.Writer) { c.stdout = w }

// SetStderr is given os.Stderr by tea.Exec; a terminal session merges the
// process's stderr into stdout, so it is unused but kept for completeness.
func (c *Command) SetStderr(w io.Writer) { c.stderr = w }

// Result is how the process ended; valid once Run has returned nil.
func (c *Command) Result() Result { return c.result }

// Run hands the terminal to the process until it exits. A non-zero exit code
// is not an error (see Result); an error means the process could not run or
// the session broke, and its text is a sentence for the status line.
//
// The terminal is put back whatever happens: on return, on a lost
// connection (the Execer returns an error) and on a panic below Run, which is
// turned into an error rather than crashing the program with the terminal
// raw. Only a panic on a goroutine of a library could still escape; nothing
// can catch that in Go.
func (c *Command) Run() (err error) {
	if c.stdin == nil {
		c.stdin = os.Stdin
	}
	if c.stdout == nil {
		c.stdout = os.Stdout
	}
	defer func() {
		if r := recover(); r != nil {
			err = &backend.Error{Kind: backend.ErrFailed, Err: fmt.Errorf("panic: %v\n%s", r, debug.Stack()),
				Msg: fmt.Sprintf("exec into %s crashed (%v); the session was ended and the terminal restored", c.req.ContainerID, r)}
		}
	}()

	term := terminalOf(c.stdin, c.stdout)
	if term != nil {
		if err := term.SetRaw(); err != nil {
			return fmt.Errorf("exec into %s: cannot put the terminal in raw mode: %w", c.req.ContainerID, err)
		}
		defer func() { _ = term.Reset() }()
	}

	// The adapters copy stdin on goroutines that stay blocked in Read after
	// the process is gone; cancelling the reader ends them before the
	// program reads its terminal again, so no keystroke goes astray. Its
	// epoll and pipe descriptors are closed a moment later, once those
	// goroutines have woken from the cancel and left it.
	in, err := cancelreader.NewReader(c.stdin)
	if err != nil {
		return fmt.Errorf("exec into %s: %w", c.req.ContainerID, err)
	}
	defer func() {
		in.Cancel()
		time.AfterFunc(time.Second, func() { _ = in.Close() })
	}()

	req := c.req
	req.TTY, req.Stdin, req.Stdout, req.Stderr = true, in, c.stdout, c.stdout
	if term != nil {
		sz := newSizer(term)
		stop := sz.forward()
		defer stop()
		req.Size, req.Resize, req.Stdin = sz.last, sz.sizes, sizedInput{in, sz}
	}

	if c.shell {
		sh, code, err := backend.ExecShell(c.ctx, c.execer, req)
		if err != nil {
			return err
		}
		c.result = Result{Shell: sh, ExitCode: code}
		return nil
	}
	code, err := c.execer.Exec(c.ctx, req)
	if err != nil {
		return err
	}
	c.result = Result{ExitCode: code}
	return nil
}

// terminalOf finds the terminal among the streams tea.Exec gave: its input
// first, which is the terminal bubbletea reads (os.Stdin, or /dev/tty when
// stdin is redirected). Unlike console.Current it does not panic when none
// is a terminal (tests, pipes): the session then runs without raw mode.
func terminalOf(streams ...any) console.Console {
	for _, s := range streams {
		f, ok := s.(*os.File)
		if !ok {
			continue
		}
		if c, err := console.ConsoleFromFile(f); err == nil {
			return c
		}
	}
	return nil
}

func sizeOf(term console.Console) backend.TermSize {
	ws, err := term.Size()
	if err != nil {
		return backend.TermSize{}
	}
	return backend.TermSize{Width: ws.Width, Height: ws.Height}
}

// sizer sends the terminal's size on when it changed: on each SIGWINCH,
// and before a read of keys returns them (sizedInput). The adapter applies
// a size it holds before the keys that follow it, so a command typed after
// a resize (`stty size`, an editor) runs at the new size even when the
// signal comes late or not at all: the kernel has the new size before the
// terminal sends another key.
type sizer struct {
	term  console.Console
	sizes chan backend.TermSize // the latest size nobody took yet
	mu    sync.Mutex
	last  backend.TermSize // the size sent last, or the first
}

func newSizer(term console.Console) *sizer {
	return &sizer{term: term, sizes: make(chan backend.TermSize, 1), last: sizeOf(term)}
}

// check sends the terminal's size if it is not the one sent last, in place
// of a stale one nobody took yet. The size is read under the lock, so the
// last one sent is the newest.
func (z *sizer) check() {
	z.mu.Lock()
	defer z.mu.Unlock()
	s := sizeOf(z.term)
	if s.Width == 0 || s.Height == 0 || s == z.last {
		return
	}
	z.last = s
	select {
	case <-z.sizes:
	default:
	}
	z.sizes <- s
}

// forward checks the size on each SIGWINCH until stop is called.
func (z *sizer) forward() (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sig:
				z.check()
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// sizedInput is the terminal's input with its size checked before each read
// returns keys.
type sizedInput struct {
	r  io.Reader
	sz *sizer
}

func (in sizedInput) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	if n > 0 {
		in.sz.check()
	}
	return n, err
}
