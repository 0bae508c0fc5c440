// Package tmuxterm drives programs in a real terminal emulator, tmux, for
// the benchmarks under bench/: a private tmux server with a control-mode
// client, windows started with an environment, and waits on the pane's text
// (capture-pane after each of the pane's writes) that report when the text
// was there.
package tmuxterm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Tmux is a private tmux server with a control-mode client attached.
type Tmux struct {
	socket string
	cmd    *exec.Cmd
	in     io.WriteCloser
	events chan event
}

type event struct {
	at     time.Time
	pane   string   // %output: the pane
	reply  []string // a command's reply
	failed bool     // the reply was %error
	output bool
}

// Start starts a private tmux server (its own socket, no config) with an
// 80x24 session and attaches a control-mode client; term, when set, is
// its default-terminal.
func Start(term string) (*Tmux, error) {
	t := &Tmux{socket: fmt.Sprintf("ctui-tmuxbench-%d", os.Getpid()), events: make(chan event, 4096)}
	t.cmd = exec.Command("tmux", "-L", t.socket, "-f", "/dev/null", "-C", "new-session", "-x", "80", "-y", "24", "-s", "bench", "sleep 1000000")
	var err error
	if t.in, err = t.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := t.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	go t.read(out)
	// The session's own %begin/%end comes first.
	if ev := <-t.events; ev.output {
		return nil, errors.New("tmux: unexpected output before the session started")
	}
	setup := []string{"refresh-client -C 80x24", "set -g status off", "set -g remain-on-exit off"}
	if term != "" {
		setup = append(setup, "set -g default-terminal "+term)
	}
	for _, c := range setup {
		if _, err := t.Command(c); err != nil {
			t.Close()
			return nil, fmt.Errorf("tmux %s: %w", c, err)
		}
	}
	return t, nil
}

func (t *Tmux) read(r io.Reader) {
	defer close(t.events)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var block []string
	in := false
	for sc.Scan() {
		line := sc.Text()
		now := time.Now()
		switch {
		case in && (strings.HasPrefix(line, "%end ") || strings.HasPrefix(line, "%error ")):
			t.events <- event{at: now, reply: block, failed: strings.HasPrefix(line, "%error ")}
			block, in = nil, false
		case in:
			block = append(block, line)
		case strings.HasPrefix(line, "%begin "):
			in = true
		case strings.HasPrefix(line, "%output "):
			f := strings.SplitN(line, " ", 3)
			t.events <- event{at: now, pane: f[1], output: true}
		}
	}
}

// send writes a command; its reply comes as an event.
func (t *Tmux) send(c string) error {
	_, err := io.WriteString(t.in, c+"\n")
	return err
}

// Command runs c and returns its reply, dropping output events meanwhile.
func (t *Tmux) Command(c string) ([]string, error) {
	if err := t.send(c); err != nil {
		return nil, err
	}
	for ev := range t.events {
		if ev.output {
			continue
		}
		if ev.failed {
			return nil, fmt.Errorf("%s: %s", c, strings.Join(ev.reply, "; "))
		}
		return ev.reply, nil
	}
	return nil, errors.New("tmux exited")
}

// Window opens a window running command (through tmux's shell) with env, and
// returns its pane id and pid.
func (t *Tmux) Window(command string, env []string) (string, int, error) {
	var sb strings.Builder
	sb.WriteString(`new-window -P -F "#{pane_id} #{pane_pid}"`)
	for _, e := range env {
		sb.WriteString(" -e " + Quote(e))
	}
	sb.WriteString(" " + Quote(command))
	reply, err := t.Command(sb.String())
	if err != nil {
		return "", 0, err
	}
	f := strings.Fields(strings.Join(reply, " "))
	if len(f) != 2 {
		return "", 0, fmt.Errorf("new-window: %q", reply)
	}
	pid, err := strconv.Atoi(f[1])
	return f[0], pid, err
}

// FirstScreen starts command in a new window and returns the time from
// asking tmux for the window until want was on the pane; then it closes the
// window and waits for the process to end.
func (t *Tmux) FirstScreen(command string, env []string, want string) (time.Duration, error) {
	t0 := time.Now()
	pane, pid, err := t.Window(command, env)
	if err != nil {
		return 0, err
	}
	defer t.Kill(pane, pid)
	at, err := t.WaitFor(pane, want)
	if err != nil {
		return 0, err
	}
	time.Sleep(300 * time.Millisecond) // let ctui write its trace and settle
	return at.Sub(t0), nil
}

// WaitFor asks tmux for the pane's text after each of its writes (and every
// 50 ms in case a write's notice is late) until want is on it, and returns
// when that capture's answer came. A printer in tmux pays the same way, so
// the harness's own delay cancels out.
func (t *Tmux) WaitFor(pane, want string) (time.Time, error) {
	return t.WaitUntil(pane, fmt.Sprintf("%q", want), func(screen string) bool { return strings.Contains(screen, want) })
}

// WaitUntil is WaitFor with a test of the screen; what names it in errors.
func (t *Tmux) WaitUntil(pane, what string, done func(string) bool) (time.Time, error) {
	deadline := time.After(60 * time.Second)
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	pending, dirty := false, false
	capture := func() error {
		pending, dirty = true, false
		return t.send("capture-pane -p -t " + pane)
	}
	if err := capture(); err != nil {
		return time.Time{}, err
	}
	for {
		select {
		case ev, ok := <-t.events:
			if !ok {
				return time.Time{}, errors.New("tmux exited")
			}
			if ev.output {
				if ev.pane != pane {
					continue
				}
				dirty = true
			} else {
				pending = false
				if !ev.failed && done(strings.Join(ev.reply, "\n")) {
					return ev.at, nil
				}
			}
			if dirty && !pending {
				if err := capture(); err != nil {
					return time.Time{}, err
				}
			}
		case <-poll.C:
			if !pending {
				if err := capture(); err != nil {
					return time.Time{}, err
				}
			}
		case <-deadline:
			reply, _ := t.Command("capture-pane -p -t " + pane)
			return time.Time{}, fmt.Errorf("%s not on the screen after 60 s; the screen:\n%s", what, strings.Join(reply, "\n"))
		}
	}
}

// Kill closes the window of pane and waits for pid to end.
func (t *Tmux) Kill(pane string, pid int) {
	_, _ = t.Command("kill-pane -t " + pane)
	for i := 0; i < 1000; i++ {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// Drain reads events for d (tmux must not block on a full pipe).
func (t *Tmux) Drain(d time.Duration) {
	end := time.After(d)
	for {
		select {
		case <-t.events:
		case <-end:
			return
		}
	}
}

// Close ends the tmux server and its client.
func (t *Tmux) Close() {
	_ = exec.Command("tmux", "-L", t.socket, "kill-server").Run()
	_ = t.in.Close()
	go func() {
		for range t.events {
		}
	}()
	_ = t.cmd.Wait()
}

// Version is tmux -V's version.
func Version() string {
	out, _ := exec.Command("tmux", "-V").Output()
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "tmux ")
}

// Quote quotes s for tmux's command parser, which takes everything
// between single quotes literally (s holds none: paths and flags of ours).
func Quote(s string) string { return "'" + s + "'" }

// ShellJoin joins a command line for tmux's shell, quoting what needs it.
func ShellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \"\\$") {
			a = `"` + a + `"`
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
