// Command tmuxbench times ctui's first full frame in a real terminal
// emulator, tmux, which answers the queries a terminal answers and costs what
// a terminal costs, against `ctr images ls -q` on the same daemon in the same
// run. Each round runs, in turn: ctr as a process; a program that prints the
// awaited text at once, in a new tmux window (tmux's own cost: the window, the
// process start, drawing, and this harness seeing it); and ctui in a new tmux
// window. ctui's figure is its time to the screen minus the printer's, so the
// ratio is ctui against ctr with tmux's cost taken out. Medians over rounds.
//
// The screen is watched through tmux's control mode: every time the pane
// writes, the harness asks tmux for the pane's text (capture-pane) and stops
// at the first capture holding the status line `images N`; the time is that
// of the output that led to it.
//
// With --trace, ctui runs with --trace-startup and the median of each phase
// is printed. With --idle, a last ctui opens :containers in tmux and its CPU
// is read from /proc over that time.
//
//	go run ./bench/tmuxbench --ctui bin/ctui --version 1.6 --images 10000 --runs 7
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/ptyscreen"
)

func main() {
	var (
		ctuiPath = flag.String("ctui", "bin/ctui", "the ctui binary to measure; several, comma-separated, run in turn in each round (the last is used for --idle)")
		version  = flag.String("version", "1.6", "containerd version: 1.6 or 2.x")
		nImages  = flag.Int("images", 10000, "image names to seed")
		nCtrs    = flag.Int("containers", 0, "containers to seed (no tasks)")
		runs     = flag.Int("runs", 7, "rounds (ctr, printer, ctui each once per round)")
		ns       = flag.String("namespace", "default", "namespace to seed and open")
		address  = flag.String("address", "", "measure an existing containerd at this socket (seeded already) instead of starting one")
		ctrPath  = flag.String("ctr", "ctr", "with --address: the ctr to compare with")
		term     = flag.String("term", "", "tmux's default-terminal (TERM in the pane); empty: tmux's default")
		trace    = flag.Bool("trace", true, "run ctui with --trace-startup and print the median of each phase")
		keys     = flag.Int("keys", 0, "then time this many key presses to the screen in each ctui (0: skip)")
		idle     = flag.Duration("idle", 0, "then measure ctui's idle CPU in tmux this long with :containers open (0: skip)")
		args     = flag.String("args", "", "extra ctui arguments, space-separated")
		serve    = flag.Bool("serve", false, "only start and seed the daemon, print its socket and ctr, and keep it until interrupted (for --address runs)")
	)
	flag.Parse()
	if *serve {
		if err := serveDaemon(*version, *ns, *nImages, *nCtrs); err != nil {
			fmt.Fprintln(os.Stderr, "tmuxbench:", err)
			os.Exit(1)
		}
		return
	}
	b := bench{ctui: *ctuiPath, ctr: *ctrPath, address: *address, ns: *ns, runs: *runs, term: *term, trace: *trace,
		idle: *idle, keys: *keys, nCtrs: *nCtrs, args: strings.Fields(*args)}
	if err := b.main(*version, *nImages); err != nil {
		fmt.Fprintln(os.Stderr, "tmuxbench:", err)
		os.Exit(1)
	}
}

// serveDaemon starts and seeds a daemon and keeps it until SIGINT/SIGTERM.
func serveDaemon(version, ns string, nImages, nCtrs int) error {
	v, err := testbed.ParseVersion(version)
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, err := testbed.StartDaemon(ctx, v, "")
	if err != nil {
		return err
	}
	defer d.Stop()
	if err := testbed.SeedScale(ctx, d.Socket, ns, nImages, nCtrs); err != nil {
		return err
	}
	fmt.Printf("--address %s --ctr %s\n", d.Socket, d.CtrPath)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

type bench struct {
	ctui, ctr, address, ns, term string
	ctuis                        []string // b.ctui split at commas
	runs, nCtrs, keys            int
	trace                        bool
	idle                         time.Duration
	args                         []string
}

func (b *bench) main(version string, nImages int) error {
	for _, c := range strings.Split(b.ctui, ",") {
		abs, err := filepath.Abs(c)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("%s: %w (run make build first)", abs, err)
		}
		b.ctuis = append(b.ctuis, abs)
	}
	if b.address == "" {
		v, err := testbed.ParseVersion(version)
		if err != nil {
			return err
		}
		ctx := context.Background()
		d, err := testbed.StartDaemon(ctx, v, "")
		if err != nil {
			return err
		}
		defer d.Stop()
		t0 := time.Now()
		if err := testbed.SeedScale(ctx, d.Socket, b.ns, nImages, b.nCtrs); err != nil {
			return err
		}
		fmt.Printf("containerd %s: seeded %d image names and %d containers in %s\n",
			v, nImages, b.nCtrs, time.Since(t0).Round(time.Millisecond))
		b.address, b.ctr = d.Socket, d.CtrPath
	}
	return b.measure()
}

func (b *bench) measure() error {
	out, err := exec.Command(b.ctr, "-a", b.address, "-n", b.ns, "images", "ls", "-q").Output()
	if err != nil {
		return fmt.Errorf("ctr images ls -q: %w", err)
	}
	want := fmt.Sprintf("images %d", strings.Count(string(out), "\n"))

	tm, err := startTmux(b.term)
	if err != nil {
		return err
	}
	defer tm.close()
	termName, _ := tm.command(`display -p "#{default-terminal}"`)
	fmt.Printf("tmux %s, 80x24, TERM=%s in the pane; awaiting %q\n", tmuxVersion(), strings.Join(termName, ""), want)

	tmp, err := os.MkdirTemp("", "tmuxbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	env := []string{"CONTAINERD_ADDRESS=" + b.address, "CONTAINER_RUNTIME_ENDPOINT=unix://" + b.address}
	printer := fmt.Sprintf(`exec /bin/sh -c "printf %%s \"%s\"; exec sleep 100000"`, want)

	// Each binary's start times and ratios, and its trace phases.
	type series struct {
		start, ratio []time.Duration
		traces       map[string][]float64
		order        []string
	}
	all := make([]*series, len(b.ctuis))
	for i := range all {
		all[i] = &series{traces: map[string][]float64{}}
	}
	var ctrT, prT []time.Duration
	for i := 0; i < b.runs; i++ {
		d, err := timeCmd(b.ctr, "-a", b.address, "-n", b.ns, "images", "ls", "-q")
		if err != nil {
			return err
		}
		ctrT = append(ctrT, d)
		p, err := tm.firstScreen(printer, nil, want)
		if err != nil {
			return fmt.Errorf("printer: %w", err)
		}
		prT = append(prT, p)
		fmt.Printf("  round %d: ctr %6.1f ms, printer in tmux %6.1f ms", i+1, msf(d), msf(p))
		// The binaries take turns going first: one that follows another
		// finds the daemon still answering the previous one's calls.
		for k := range b.ctuis {
			j := (i + k) % len(b.ctuis)
			bin, s := b.ctuis[j], all[j]
			args := append([]string{"-n", b.ns}, b.args...)
			tf := filepath.Join(tmp, fmt.Sprintf("trace-%d-%d", j, i))
			if b.trace {
				args = append(args, "--trace-startup", tf)
			}
			c, err := tm.firstScreen("exec "+shellJoin(append([]string{bin}, args...)), env, want)
			if err != nil {
				return fmt.Errorf("%s: %w", bin, err)
			}
			s.start = append(s.start, c)
			s.ratio = append(s.ratio, time.Duration(float64(c-p)/float64(d)*1000)) // per mille
			fmt.Printf(", ctui#%d %6.1f ms (%.2fx)", j+1, msf(c), float64(c-p)/float64(d))
			if b.trace {
				readTrace(tf, s.traces, &s.order)
			}
		}
		fmt.Println()
	}
	mc, mp := median(ctrT), median(prT)
	fmt.Printf("\nmedians of %d rounds\n", b.runs)
	fmt.Printf("  %-48s %8.1f ms\n", "ctr images ls -q (a process)", msf(mc))
	fmt.Printf("  %-48s %8.1f ms\n", "a program that prints at once, in tmux", msf(mp))
	for j, s := range all {
		mt := median(s.start)
		fmt.Printf("ctui#%d %s\n", j+1, b.ctuis[j])
		fmt.Printf("  %-48s %8.1f ms\n", "ctui's first full frame, in tmux", msf(mt))
		fmt.Printf("  %-48s %8.1f ms\n", "ctui minus tmux's own cost", msf(mt-mp))
		fmt.Printf("  %-48s %8.2fx\n", "ratio to ctr images ls -q (medians)", float64(mt-mp)/float64(mc))
		fmt.Printf("  %-48s %8.2fx\n", "median of the rounds' ratios", float64(median(s.ratio))/1000)
		if b.trace && len(s.order) > 0 {
			fmt.Printf("  --trace-startup, median of %d runs (ms since main)\n", b.runs)
			for _, k := range s.order {
				v := s.traces[k]
				sort.Float64s(v)
				fmt.Printf("    %8.1f  %s (%d/%d runs)\n", v[len(v)/2], k, len(v), b.runs)
			}
		}
	}
	if b.keys > 0 {
		if err := b.measureKeys(tm, env, want); err != nil {
			return err
		}
	}
	if b.idle > 0 {
		return b.measureIdle(tm, env, want)
	}
	return nil
}

// measureKeys times a key to the screen in each ctui: `?` opens the help
// and `?` closes it, b.keys presses in all, each binary's in turn, each at a
// random moment of the renderer's frame (as a person's key falls) and after
// the previous one showed. The time is from sending the key to tmux until a
// capture of the pane shows its effect; tmux's part is the same for every
// binary.
func (b *bench) measureKeys(tm *tmux, env []string, want string) error {
	const helpText = "the keys of this page"
	panes := make([]string, len(b.ctuis))
	for i, bin := range b.ctuis {
		pane, pid, err := tm.start("exec "+shellJoin(append([]string{bin, "-n", b.ns}, b.args...)), env)
		if err != nil {
			return err
		}
		defer tm.kill(pane, pid)
		if _, err := tm.waitFor(pane, want); err != nil {
			return err
		}
		panes[i] = pane
	}
	tm.drain(2 * time.Second)
	lat := make([][]time.Duration, len(panes))
	for k := 0; k < b.keys; k++ {
		open := k%2 == 0
		for i, pane := range panes {
			tm.drain(time.Duration(rand.N(40)) * time.Millisecond)
			t0 := time.Now()
			if _, err := tm.command("send-keys -t " + pane + " ?"); err != nil {
				return err
			}
			at, err := tm.waitUntil(pane, "the help", func(screen string) bool { return strings.Contains(screen, helpText) == open })
			if err != nil {
				return err
			}
			lat[i] = append(lat[i], at.Sub(t0))
		}
	}
	fmt.Printf("\nkey to screen in tmux (? opens and closes the help), %d presses each\n", b.keys)
	for i, l := range lat {
		sort.Slice(l, func(a, c int) bool { return l[a] < l[c] })
		fmt.Printf("  ctui#%d %-40s median %5.1f ms  p90 %5.1f ms  max %5.1f ms\n", i+1, b.ctuis[i],
			msf(l[len(l)/2]), msf(l[len(l)*9/10]), msf(l[len(l)-1]))
	}
	return nil
}

// measureIdle opens :containers in each ctui, all at once in tmux windows
// of their own, and reads their CPU time over the same b.idle.
func (b *bench) measureIdle(tm *tmux, env []string, want string) error {
	pids := make([]int, len(b.ctuis))
	for i, bin := range b.ctuis {
		pane, pid, err := tm.start("exec "+shellJoin(append([]string{bin, "-n", b.ns}, b.args...)), env)
		if err != nil {
			return err
		}
		defer tm.kill(pane, pid)
		if _, err := tm.waitFor(pane, want); err != nil {
			return err
		}
		if _, err := tm.command("send-keys -t " + pane + " :containers Enter"); err != nil {
			return err
		}
		if _, err := tm.waitFor(pane, fmt.Sprintf("containers %d", b.nCtrs)); err != nil {
			return err
		}
		pids[i] = pid
	}
	tm.drain(3 * time.Second) // let background size fetches and the first re-list settle
	c0 := make([]int64, len(pids))
	for i, pid := range pids {
		var err error
		if c0[i], err = ptyscreen.CPUTicks(pid); err != nil {
			return err
		}
	}
	tm.drain(b.idle)
	fmt.Printf("\nidle %s in tmux with :containers open (%d rows), side by side\n", b.idle, b.nCtrs)
	for i, pid := range pids {
		c1, _ := ptyscreen.CPUTicks(pid)
		fmt.Printf("  ctui#%d %-40s %6.2f%% of a core\n", i+1, b.ctuis[i], float64(c1-c0[i])/100/b.idle.Seconds()*100)
	}
	return nil
}

// readTrace adds the phases of one --trace-startup file to traces.
func readTrace(path string, traces map[string][]float64, order *[]string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		at, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		what := strings.Join(f[2:], " ")
		if strings.HasPrefix(what, "terminal write ") || strings.HasPrefix(what, "first frame with the list written") {
			what = strings.TrimSpace(what[:strings.LastIndex(what, "(")])
		}
		if _, ok := traces[what]; !ok {
			*order = append(*order, what)
		}
		traces[what] = append(traces[what], at)
	}
}

// tmux is a private tmux server with a control-mode client attached.
type tmux struct {
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

func startTmux(term string) (*tmux, error) {
	t := &tmux{socket: fmt.Sprintf("ctui-tmuxbench-%d", os.Getpid()), events: make(chan event, 4096)}
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
		if _, err := t.command(c); err != nil {
			t.close()
			return nil, fmt.Errorf("tmux %s: %w", c, err)
		}
	}
	return t, nil
}

func (t *tmux) read(r io.Reader) {
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
func (t *tmux) send(c string) error {
	_, err := io.WriteString(t.in, c+"\n")
	return err
}

// command runs c and returns its reply, dropping output events meanwhile.
func (t *tmux) command(c string) ([]string, error) {
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

// start opens a window running command (through tmux's shell) with env, and
// returns its pane id and pid.
func (t *tmux) start(command string, env []string) (string, int, error) {
	var sb strings.Builder
	sb.WriteString(`new-window -P -F "#{pane_id} #{pane_pid}"`)
	for _, e := range env {
		sb.WriteString(" -e " + tmuxQuote(e))
	}
	sb.WriteString(" " + tmuxQuote(command))
	reply, err := t.command(sb.String())
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

// firstScreen starts command in a new window and returns the time from
// asking tmux for the window until want was on the pane; then it closes the
// window and waits for the process to end.
func (t *tmux) firstScreen(command string, env []string, want string) (time.Duration, error) {
	t0 := time.Now()
	pane, pid, err := t.start(command, env)
	if err != nil {
		return 0, err
	}
	defer t.kill(pane, pid)
	at, err := t.waitFor(pane, want)
	if err != nil {
		return 0, err
	}
	time.Sleep(300 * time.Millisecond) // let ctui write its trace and settle
	return at.Sub(t0), nil
}

// waitFor asks tmux for the pane's text after each of its writes (and every
// 50 ms in case a write's notice is late) until want is on it, and returns
// when that capture's answer came. A printer in tmux pays the same way, so
// the harness's own delay cancels out.
func (t *tmux) waitFor(pane, want string) (time.Time, error) {
	return t.waitUntil(pane, fmt.Sprintf("%q", want), func(screen string) bool { return strings.Contains(screen, want) })
}

// waitUntil is waitFor with a test of the screen; what names it in errors.
func (t *tmux) waitUntil(pane, what string, done func(string) bool) (time.Time, error) {
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
			reply, _ := t.command("capture-pane -p -t " + pane)
			return time.Time{}, fmt.Errorf("%s not on the screen after 60 s; the screen:\n%s", what, strings.Join(reply, "\n"))
		}
	}
}

// kill closes the window of pane and waits for pid to end.
func (t *tmux) kill(pane string, pid int) {
	_, _ = t.command("kill-pane -t " + pane)
	for i := 0; i < 1000; i++ {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// drain reads events for d (tmux must not block on a full pipe).
func (t *tmux) drain(d time.Duration) {
	end := time.After(d)
	for {
		select {
		case <-t.events:
		case <-end:
			return
		}
	}
}

func (t *tmux) close() {
	_ = exec.Command("tmux", "-L", t.socket, "kill-server").Run()
	_ = t.in.Close()
	go func() {
		for range t.events {
		}
	}()
	_ = t.cmd.Wait()
}

func tmuxVersion() string {
	out, _ := exec.Command("tmux", "-V").Output()
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "tmux ")
}

// tmuxQuote quotes s for tmux's command parser, which takes everything
// between single quotes literally (s holds none: paths and flags of ours).
func tmuxQuote(s string) string { return "'" + s + "'" }

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \"\\$") {
			a = `"` + a + `"`
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func timeCmd(name string, args ...string) (time.Duration, error) {
	cmd := exec.Command(name, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %v: %w: %s", name, args, err, errb.String())
	}
	return time.Since(start), nil
}
