// Package exectest holds what the exec tests of both adapters
// (backend/containerd's task API and backend/cri's streaming Exec) share
// against real daemons: a terminal session with a resize, the error check,
// and the readers and writers they drive an exec with.
package exectest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// TTYResize runs a shell on a terminal: the initial size, then a resize,
// must both show in `stty size`, and the exit code comes back.
func TTYResize(ctx context.Context, t *testing.T, e backend.Execer, req backend.ExecRequest) {
	t.Helper()
	inR, inW := io.Pipe()
	out := &SyncBuffer{}
	resize := make(chan backend.TermSize, 1)
	req.TTY, req.Stdin, req.Stdout = true, inR, out
	req.Size, req.Resize = backend.TermSize{Width: 100, Height: 30}, resize
	start := time.Now()
	done := goExec(ctx, e, req, func() { inR.Close() })
	ask := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the terminal's output:\n%q", want, out.String())
			}
			if _, err := io.WriteString(inW, "stty size\n"); err != nil {
				t.Fatalf("write to the shell: %v (output %q)", err, out.String())
			}
			time.Sleep(150 * time.Millisecond)
		}
	}
	ask("30 100")
	resize <- backend.TermSize{Width: 132, Height: 43}
	ask("43 132")
	if _, err := io.WriteString(inW, "exit 3\n"); err != nil {
		t.Fatal(err)
	}
	wantExit(t, done, 3, out)
	t.Logf("TTY session with a resize in %v", time.Since(start).Round(time.Millisecond))
}

// ResizeBeforeKeys runs a shell on a terminal that is resized, each time
// just before a line is typed at the shell's prompt: the size is sent on
// Resize before the read of stdin that returns the line does, as
// ui/execcmd sends it, and the line's `stty size` must print the new size
// the first time. Native exec holds to that order (as ssh orders a window
// change with the session's data); CRI's exec streams carry sizes and keys
// apart, so only native exec is held to it.
func ResizeBeforeKeys(ctx context.Context, t *testing.T, e backend.Execer, req backend.ExecRequest) {
	t.Helper()
	resize := make(chan backend.TermSize, 1)
	in := &typist{sizes: resize, lines: make(chan typed), end: make(chan struct{})}
	defer close(in.end)
	out := &SyncBuffer{}
	req.TTY, req.Stdin, req.Stdout = true, in, out
	req.Size, req.Resize = backend.TermSize{Width: 80, Height: 24}, resize
	done := goExec(ctx, e, req, nil)
	typeLine := func(size backend.TermSize, line, want string) {
		t.Helper()
		select {
		case in.lines <- typed{size, line}:
		case r := <-done:
			t.Fatalf("the shell ended (exit %d, %v) before %q; output %q", r.code, r.err, line, out.String())
		}
		deadline := time.Now().Add(testclock.Generous)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q after %q in the terminal's output:\n%q", want, line, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The shell is up once it answers; then at its prompt, each time.
	typeLine(backend.TermSize{}, "echo re''ady\n", "\nready")
	for i := range 4 {
		w, h := 101+i, 31+i
		typeLine(backend.TermSize{Width: uint16(w), Height: uint16(h)}, "stty size\n", fmt.Sprintf("\n%d %d\r", h, w))
	}
	typeLine(backend.TermSize{}, "exit 4\n", "exit 4")
	wantExit(t, done, 4, out)
}

// result is how an Exec run by goExec ended.
type result struct {
	code int
	err  error
}

// goExec runs e.Exec on a goroutine, then after (if any).
func goExec(ctx context.Context, e backend.Execer, req backend.ExecRequest, after func()) <-chan result {
	done := make(chan result, 1)
	go func() {
		code, err := e.Exec(ctx, req)
		done <- result{code, err}
		if after != nil {
			after()
		}
	}()
	return done
}

// wantExit waits for the Exec goExec runs to end with exit code code.
func wantExit(t *testing.T, done <-chan result, code int, out *SyncBuffer) {
	t.Helper()
	select {
	case r := <-done:
		if r.err != nil || r.code != code {
			t.Errorf("got exit %d, %v; want %d", r.code, r.err, code)
		}
	case <-time.After(testclock.Generous):
		t.Fatalf("the shell did not exit; output %q", out.String())
	}
}

// typed is what the operator does next on a typist's terminal: resize it
// (unless size is zero), then type line.
type typed struct {
	size backend.TermSize
	line string
}

// typist is a terminal an operator resizes and types on: a read waits for
// the next line and sends its size, if any, before it returns the line,
// until end closes.
type typist struct {
	sizes chan<- backend.TermSize
	lines chan typed
	end   chan struct{}
	rest  string
}

func (r *typist) Read(p []byte) (int, error) {
	if r.rest == "" {
		select {
		case l := <-r.lines:
			if l.size != (backend.TermSize{}) {
				r.sizes <- l.size
			}
			r.rest = l.line
		case <-r.end:
			return 0, io.EOF
		}
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// CheckErr fails the test unless err is of kind and its sentence says says.
func CheckErr(t *testing.T, err error, kind error, says string) {
	t.Helper()
	if !errors.Is(err, kind) || !strings.Contains(err.Error(), says) {
		t.Errorf("got %v, want %v saying %q", err, kind, says)
	}
}

// BlockingReader is a terminal nobody types on: exec must not wait for it.
type BlockingReader struct{}

// Read blocks for ever.
func (BlockingReader) Read([]byte) (int, error) { select {} }

// SyncBuffer is a bytes.Buffer an exec's output goroutines write while
// the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
