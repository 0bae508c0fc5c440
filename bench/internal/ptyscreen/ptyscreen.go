// Package ptyscreen runs ctui on a pseudo-terminal whose output feeds a
// terminal emulator (vt10x), so a benchmark reads the screen as a person
// sees it: ctui's renderer draws with cursor moves, not whole lines. It also
// reads a process's CPU time and memory from /proc, for the figures the
// benchmarks under bench/ print.
package ptyscreen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// Screen is one ctui on a w x h pseudo-terminal.
type Screen struct {
	cmd   *exec.Cmd
	f     *os.File
	mu    sync.Mutex
	vt    vt10x.Terminal
	done  chan struct{}
	start time.Time // when Start ran the process
	from  time.Time // what waits measure from: the start, or the last Mark
	quit1 sync.Once
}

// Start runs bin with args and env (TERM is set) on a w x h terminal. Waits
// measure from this moment until the first Mark.
func Start(bin string, env []string, w, h int, args ...string) (*Screen, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(env, "TERM=xterm-256color")
	s := &Screen{cmd: cmd, done: make(chan struct{}), vt: vt10x.New(vt10x.WithSize(w, h))}
	s.start = time.Now()
	s.from = s.start
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		return nil, err
	}
	s.f = f
	go func() {
		defer close(s.done)
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				s.mu.Lock()
				s.vt.Write(buf[:n])
				s.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return s, nil
}

// PID is ctui's process id.
func (s *Screen) PID() int { return s.cmd.Process.Pid }

// Press sends a key at a random moment of the renderer's 33 ms frame, as a
// person's key press falls, and makes the next waits measure from it.
// Pressed at once after a wait saw a frame, every key would wait a whole
// frame for the next flush.
func (s *Screen) Press(key string) {
	time.Sleep(rand.N(40 * time.Millisecond))
	s.Mark()
	s.Send(key)
}

// Mark makes the next waits measure from now, and returns now.
func (s *Screen) Mark() time.Time {
	s.from = time.Now()
	return s.from
}

// Started is when Start ran the process.
func (s *Screen) Started() time.Time { return s.start }

// Text is the screen as plain text.
func (s *Screen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt.String()
}

// WaitFor returns the time from the mark (or the start) until text was on
// the screen.
func (s *Screen) WaitFor(text string, timeout time.Duration) (time.Duration, error) {
	return s.WaitUntil(fmt.Sprintf("%q", text), timeout, func(txt string) bool { return strings.Contains(txt, text) })
}

// WaitUntil returns the time from the mark (or the start) until done holds
// for the screen; what names the wait in the error.
func (s *Screen) WaitUntil(what string, timeout time.Duration, done func(string) bool) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if done(s.Text()) {
			return time.Since(s.from), nil
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("ctui did not show %s within %s; the screen:\n%s", what, timeout, s.Text())
}

// Send types text.
func (s *Screen) Send(text string) { _, _ = io.WriteString(s.f, text) }

// Quit sends ctrl-c and waits for ctui to exit (killing it after 5 s).
// Calling it again does nothing.
func (s *Screen) Quit() {
	s.quit1.Do(func() {
		s.Send("\x03")
		wait := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(wait) }()
		select {
		case <-wait:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-wait
		}
		s.f.Close()
		<-s.done
	})
}

// ProcStatus is a field of /proc/PID/status in KiB (VmRSS, VmHWM, ...).
func ProcStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			return strconv.ParseInt(strings.Fields(line)[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s for pid %d", field, pid)
}

// CPUTicks is utime+stime of a process from /proc/PID/stat, in clock ticks
// (USER_HZ, 100 on every Linux ctui runs on).
func CPUTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses.
	st := string(b)
	f := strings.Fields(st[strings.LastIndexByte(st, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	sy, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + sy, nil
}
