// Package exectest holds what the exec tests of both adapters
// (backend/containerd's task API and backend/cri's streaming Exec) share
// against real daemons: a terminal session with a resize, the error check,
// and the readers and writers they drive an exec with.
package exectest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
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
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		code, err := e.Exec(ctx, req)
		done <- result{code, err}
		inR.Close()
	}()
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
	select {
	case r := <-done:
		if r.err != nil || r.code != 3 {
			t.Errorf("got exit %d, %v; want 3", r.code, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the shell did not exit; output %q", out.String())
	}
	t.Logf("TTY session with a resize in %v", time.Since(start).Round(time.Millisecond))
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
