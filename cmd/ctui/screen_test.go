package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The end-to-end tests drive the built binary in a real terminal: tmux runs
// it in a pane of a private tmux server, send-keys types, capture-pane reads
// the screen.

// ctuiBin is the binary built once for this test process.
var ctuiBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ctui-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctuiBin = filepath.Join(dir, "ctui")
	// The binary make ships: static, stripped, with the version stamped.
	build := exec.Command("make", "-s", "-C", "../..", "build", "OUT="+ctuiBin)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ctui:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var screenSeq atomic.Int64

// screen is ctui running in a tmux pane of its own tmux server.
type screen struct {
	t      *testing.T
	server string // tmux -L name, unique per screen
}

// startScreen runs ctui with args in a w x h terminal, with env added to a
// clean environment (TERM set, no NO_COLOR unless given).
func startScreen(t *testing.T, w, h int, env []string, args ...string) *screen {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for end-to-end tests (apt-get install tmux)")
	}
	s := &screen{t: t, server: fmt.Sprintf("ctui-e2e-%d-%d", os.Getpid(), screenSeq.Add(1))}
	cmd := []string{"env", "-i", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TERM=xterm-256color"}
	cmd = append(cmd, env...)
	cmd = append(cmd, ctuiBin)
	cmd = append(cmd, args...)
	s.tmux("-f", "/dev/null", "new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-s", "main", shellJoin(cmd))
	s.tmux("set-option", "-t", "main", "remain-on-exit", "on")
	t.Cleanup(func() { exec.Command("tmux", "-L", s.server, "kill-server").Run() })
	return s
}

func (s *screen) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.server}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// text is the screen as plain text.
func (s *screen) text() string {
	return s.tmux("capture-pane", "-p", "-t", "main")
}

// waitFor waits until every want is on the screen and returns the screen.
func (s *screen) waitFor(timeout time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		missing := ""
		for _, w := range want {
			if !strings.Contains(txt, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen still lacks %q:\n%s", timeout, missing, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone waits until none of gone is on the screen.
func (s *screen) waitGone(timeout time.Duration, gone ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		found := ""
		for _, g := range gone {
			if strings.Contains(txt, g) {
				found = g
				break
			}
		}
		if found == "" {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen still shows %q:\n%s", timeout, found, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keys types tmux key names ("q", "Enter", "Escape", "C-c") or literal text
// with literal=true.
func (s *screen) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// typeText types text literally.
func (s *screen) typeText(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "main", "-l", text)
}

// resize changes the terminal's size and waits until the pane's terminal
// has it (tmux puts off a pane's resize that closely follows another), so
// that what is typed next comes after it.
func (s *screen) resize(w, h int) {
	s.t.Helper()
	s.tmux("resize-window", "-t", "main", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h))
	tty := strings.TrimSpace(s.tmux("display-message", "-p", "-t", "main", "#{pane_tty}"))
	deadline := time.Now().Add(screenWait)
	for {
		ws, err := ttySize(tty)
		if err == nil && int(ws.Col) == w && int(ws.Row) == h {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the pane's terminal %s is not %dx%d: %+v %v", screenWait, tty, w, h, ws, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ttySize is the size the kernel holds for the terminal at path.
func ttySize(path string) (*unix.Winsize, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
}

// waitExit waits for ctui to exit and returns its exit status.
func (s *screen) waitExit(timeout time.Duration) int {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out := strings.TrimSpace(s.tmux("display-message", "-p", "-t", "main", "#{pane_dead} #{pane_dead_status}"))
		if dead, status, _ := strings.Cut(out, " "); dead == "1" {
			n, _ := strconv.Atoi(status)
			return n
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("ctui did not exit within %s:\n%s", timeout, s.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shellJoin quotes args for the shell tmux runs the command with.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
