package execcmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/containerd/console"
	"golang.org/x/sys/unix"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

var _ tea.ExecCommand = (*Command)(nil)

// pty is a terminal for a test: the test types on and reads the screen of
// master; the Command gets slave, as tea.Exec would give it the program's
// terminal.
type pty struct {
	master console.Console
	slave  *os.File
	screen *syncBuffer
}

func newPty(t *testing.T, size console.WinSize) *pty {
	t.Helper()
	master, path, err := console.NewPty()
	if err != nil {
		t.Fatal(err)
	}
	slave, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Fatal(err)
	}
	if err := master.Resize(size); err != nil {
		t.Fatal(err)
	}
	p := &pty{master: master, slave: slave, screen: &syncBuffer{}}
	go func() { _, _ = io.Copy(p.screen, master) }()
	t.Cleanup(func() {
		slave.Close()
		master.Close()
	})
	return p
}

// termios is the slave's line discipline, to compare before, during and
// after a session.
func (p *pty) termios(t *testing.T) unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return *tio
}

func isRaw(tio unix.Termios) bool { return tio.Lflag&(unix.ICANON|unix.ECHO) == 0 }

// fakeExecer ends a session the way its end func says, after checking the
// terminal is raw while the process runs.
type fakeExecer struct {
	t      *testing.T
	p      *pty
	end    func() (int, error)
	sawRaw bool
}

func (f *fakeExecer) Exec(_ context.Context, req backend.ExecRequest) (int, error) {
	f.sawRaw = isRaw(f.p.termios(f.t)) && req.TTY && req.Size == backend.TermSize{Width: 90, Height: 20}
	return f.end()
}

func (f *fakeExecer) ExecSync(context.Context, backend.ExecRequest) (backend.ExecOutput, error) {
	return backend.ExecOutput{}, nil
}

// The terminal comes back as it was however the session ends: an exit code,
// a lost connection, a panic.
func TestRunRestoresTheTerminal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		end     func() (int, error)
		code    int
		errSays string
	}{
		{"Exit", func() (int, error) { return 3, nil }, 3, ""},
		{"LostConnection", func() (int, error) {
			return 0, backend.Errorf(backend.ErrUnavailable, "exec sh in container web: lost the connection to containerd")
		}, 0, "lost the connection"},
		{"Panic", func() (int, error) { panic("boom") }, 0, "exec into web crashed (boom); the session was ended and the terminal restored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPty(t, console.WinSize{Width: 90, Height: 20})
			before := p.termios(t)
			if isRaw(before) {
				t.Fatal("a new pty is already raw")
			}
			f := &fakeExecer{t: t, p: p, end: tc.end}
			cmd := NewCommand(context.Background(), f, "default", "web", "sh")
			cmd.SetStdin(p.slave)
			cmd.SetStdout(p.slave)
			cmd.SetStderr(p.slave)
			err := cmd.Run()
			if tc.errSays == "" && err != nil || tc.errSays != "" && (err == nil || !strings.Contains(err.Error(), tc.errSays)) {
				t.Errorf("Run: %v, want error saying %q", err, tc.errSays)
			}
			if got := cmd.Result().ExitCode; got != tc.code {
				t.Errorf("exit code %d, want %d", got, tc.code)
			}
			if !f.sawRaw {
				t.Error("the process did not get a raw terminal of the pty's size")
			}
			if after := p.termios(t); after != before {
				t.Errorf("terminal not restored:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

// A shell through the real adapters, native and CRI, on each daemon: type
// on the pty, resize it (SIGWINCH), run echo and stty size, exit, and find
// the terminal restored with no goroutine left reading it.
func TestShellOnRealDaemons(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			start := time.Now()
			d := testbed.Start(t, v)
			if err := d.RunTask(ctx, "default", "shell", testbed.BusyboxImage, "", "sleep", "2147483647"); err != nil {
				t.Fatal(err)
			}
			_, ids, err := d.RunPod(ctx, testbed.PodSpec{Name: "shell", Containers: []testbed.ContainerSpec{
				{Name: "shell", Command: []string{"sleep", "2147483647"}}}})
			if err != nil {
				t.Fatal(err)
			}
			native, err := containerd.New(ctx, backend.Config{Address: d.Socket, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer native.Close()
			rt, err := cri.New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			t.Logf("containerd %s ready in %v", v, time.Since(start).Round(time.Millisecond))

			t.Run("Native", func(t *testing.T) { testShell(ctx, t, native, "default", "shell") })
			t.Run("CRI", func(t *testing.T) { testShell(ctx, t, rt, "", ids[0]) })
			t.Run("NativeResizeBeforeKeys", func(t *testing.T) { testResizeBeforeKeys(ctx, t, native, "default", "shell") })
		})
	}
}

func testShell(ctx context.Context, t *testing.T, e backend.Execer, ns, id string) {
	p := newPty(t, console.WinSize{Width: 100, Height: 30})
	before := p.termios(t)
	start := time.Now()
	cmd, done := startShell(ctx, e, ns, id, p)

	ask := func(cmdline, want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(p.screen.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q on the screen:\n%q", want, p.screen.String())
			}
			if _, err := io.WriteString(p.master, cmdline+"\r"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	ask("stty size", "30 100")
	// The typed line is echoed with its quotes; only the output lacks them.
	ask("echo hel''lo", "\nhello")
	if err := p.master.Resize(console.WinSize{Width: 132, Height: 43}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	ask("stty size", "43 132")
	exitShell(t, p, done)
	if r := cmd.Result(); r != (Result{Shell: "/bin/sh", ExitCode: 3}) {
		t.Errorf("result %+v, want /bin/sh, exit 3", r)
	}
	if after := p.termios(t); after != before {
		t.Errorf("terminal not restored:\nbefore %+v\nafter  %+v", before, after)
	}
	// The program reads its terminal again: nothing of the session may be
	// left reading it, or it would swallow keys. (Typing to find out is
	// unreliable: a leftover reader only races the program for each line.)
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := sessionReaders()
		if left == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a goroutine of the session still reads the terminal:\n%s", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := io.WriteString(p.master, "k\r"); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := p.slave.Read(b)
		got <- string(b[:n])
	}()
	select {
	case s := <-got:
		if strings.TrimSpace(s) != "k" {
			t.Errorf("the program read %q, want k", s)
		}
	case <-time.After(2 * time.Second):
		t.Error("a key typed after the session never reached the program")
	}
	t.Logf("shell session (echo, two stty size, a resize, exit) in %v", time.Since(start).Round(time.Millisecond))
}

// A command typed once after a resize runs at the new size, through native
// exec, whether the SIGWINCH came before the keys or never (the test is
// not the pty's session, so none comes unless it sends one itself): the
// keys carry the terminal's size with them. The e2e tests' stty size after
// a resize over ssh:// read the old size under load when the resize went
// its own way.
func testResizeBeforeKeys(ctx context.Context, t *testing.T, e backend.Execer, ns, id string) {
	p := newPty(t, console.WinSize{Width: 100, Height: 30})
	_, done := startShell(ctx, e, ns, id, p)
	screen := func(want string) {
		t.Helper()
		deadline := time.Now().Add(testclock.Generous)
		for !strings.Contains(p.screen.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q on the screen:\n%q", want, p.screen.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The shell is up once it answers; then each size is asked for once.
	if _, err := io.WriteString(p.master, "echo re''ady\r"); err != nil {
		t.Fatal(err)
	}
	screen("\nready")
	for i, signal := range []bool{false, true, false, true} {
		w, h := uint16(101+i), uint16(31+i)
		if err := p.master.Resize(console.WinSize{Width: w, Height: h}); err != nil {
			t.Fatal(err)
		}
		if signal {
			if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := io.WriteString(p.master, "stty size\r"); err != nil {
			t.Fatal(err)
		}
		screen(fmt.Sprintf("\n%d %d\r", h, w))
	}
	exitShell(t, p, done)
}

// startShell runs a shell through e on p's terminal, as the root hands the
// terminal over; Run's error comes on the channel.
func startShell(ctx context.Context, e backend.Execer, ns, id string, p *pty) (*Command, <-chan error) {
	cmd := NewShell(ctx, e, ns, id)
	cmd.SetStdin(p.slave)
	cmd.SetStdout(p.slave)
	cmd.SetStderr(p.slave)
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()
	return cmd, done
}

// exitShell types exit 3 and waits for the session to end.
func exitShell(t *testing.T, p *pty, done <-chan error) {
	t.Helper()
	if _, err := io.WriteString(p.master, "exit 3\r"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testclock.Generous):
		t.Fatalf("the shell did not exit; screen %q", p.screen.String())
	}
}

// sessionReaders returns the stacks of goroutines blocked reading the
// session's stdin (the cancelable reader Run wraps the terminal in).
func sessionReaders() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "cancelreader.(*epollCancelReader).Read") {
			left = append(left, g)
		}
	}
	return strings.Join(left, "\n\n")
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
