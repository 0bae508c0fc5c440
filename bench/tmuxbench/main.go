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
// is printed. With --keys, each ctui then times the images page's local keys
// to the screen (keys.go). With --idle, a last ctui opens :containers in tmux and its CPU
// is read from /proc over that time.
//
//	go run ./bench/tmuxbench --ctui bin/ctui --version 1.6 --images 10000 --runs 7
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/ptyscreen"
	"github.com/ctui/ctui/bench/internal/seed"
	"github.com/ctui/ctui/bench/internal/tmuxterm"
)

func main() {
	f := seed.Define(seed.Flags{CTUI: "bin/ctui", Namespace: "default", Images: 10000, Containers: 0})
	flag.CommandLine.Lookup("ctui").Usage = "the ctui binary to measure; several, comma-separated, run in turn in each round (the last is used for --idle)"
	var (
		runs    = flag.Int("runs", 7, "rounds (ctr, printer, ctui each once per round)")
		address = flag.String("address", "", "measure an existing containerd at this socket (seeded already) instead of starting one")
		ctrPath = flag.String("ctr", "ctr", "with --address: the ctr to compare with")
		term    = flag.String("term", "", "tmux's default-terminal (TERM in the pane); empty: tmux's default")
		trace   = flag.Bool("trace", true, "run ctui with --trace-startup and print the median of each phase")
		keys    = flag.Int("keys", 0, "then time this many rounds of local keys to the screen in each ctui: help, scroll, sort, filter (0: skip)")
		idle    = flag.Duration("idle", 0, "then measure ctui's idle CPU in tmux this long with :containers open (0: skip)")
		args    = flag.String("args", "", "extra ctui arguments, space-separated")
		serve   = flag.Bool("serve", false, "only start and seed the daemon, print its socket and ctr, and keep it until interrupted (for --address runs)")
	)
	flag.Parse()
	if *serve {
		if err := serveDaemon(f); err != nil {
			fmt.Fprintln(os.Stderr, "tmuxbench:", err)
			os.Exit(1)
		}
		return
	}
	b := bench{ctui: f.CTUI, ctr: *ctrPath, address: *address, ns: f.Namespace, runs: *runs, term: *term, trace: *trace,
		idle: *idle, keys: *keys, nCtrs: f.Containers, args: strings.Fields(*args)}
	if err := b.main(f); err != nil {
		fmt.Fprintln(os.Stderr, "tmuxbench:", err)
		os.Exit(1)
	}
}

// serveDaemon starts and seeds a daemon and keeps it until SIGINT/SIGTERM.
func serveDaemon(f *seed.Flags) error {
	d, _, err := f.StartSeeded(context.Background())
	if err != nil {
		return err
	}
	defer d.Stop()
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

func (b *bench) main(f *seed.Flags) error {
	for _, c := range strings.Split(b.ctui, ",") {
		abs, err := seed.Binary(c)
		if err != nil {
			return err
		}
		b.ctuis = append(b.ctuis, abs)
	}
	if b.address == "" {
		d, said, err := f.StartSeeded(context.Background())
		if err != nil {
			return err
		}
		defer d.Stop()
		fmt.Println(said)
		b.address, b.ctr = d.Socket, d.CtrPath
	}
	return b.measure()
}

func (b *bench) measure() error {
	out, err := exec.Command(b.ctr, "-a", b.address, "-n", b.ns, "images", "ls", "-q").Output()
	if err != nil {
		return fmt.Errorf("ctr images ls -q: %w", err)
	}
	names := strings.Fields(string(out))
	want := fmt.Sprintf("images %d", len(names))

	tm, err := tmuxterm.Start(b.term)
	if err != nil {
		return err
	}
	defer tm.Close()
	termName, _ := tm.Command(`display -p "#{default-terminal}"`)
	fmt.Printf("tmux %s, 80x24, TERM=%s in the pane; awaiting %q\n", tmuxterm.Version(), strings.Join(termName, ""), want)

	tmp, err := os.MkdirTemp("", "tmuxbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	env := []string{"CONTAINERD_ADDRESS=" + b.address}
	if !strings.HasPrefix(b.address, "ssh://") {
		// An ssh:// node's one socket serves both APIs (bench/ssh.sh).
		env = append(env, "CONTAINER_RUNTIME_ENDPOINT=unix://"+b.address)
	}
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
		d, err := measure.Command(b.ctr, "-a", b.address, "-n", b.ns, "images", "ls", "-q")
		if err != nil {
			return err
		}
		ctrT = append(ctrT, d)
		p, err := tm.FirstScreen(printer, nil, want)
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
			c, err := tm.FirstScreen("exec "+tmuxterm.ShellJoin(append([]string{bin}, args...)), env, want)
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
	mc, mp := measure.Median(ctrT), measure.Median(prT)
	fmt.Printf("\nmedians of %d rounds\n", b.runs)
	fmt.Printf("  %-48s %8.1f ms\n", "ctr images ls -q (a process)", msf(mc))
	fmt.Printf("  %-48s %8.1f ms\n", "a program that prints at once, in tmux", msf(mp))
	for j, s := range all {
		mt := measure.Median(s.start)
		fmt.Printf("ctui#%d %s\n", j+1, b.ctuis[j])
		fmt.Printf("  %-48s %8.1f ms\n", "ctui's first full frame, in tmux", msf(mt))
		fmt.Printf("  %-48s %8.1f ms\n", "ctui minus tmux's own cost", msf(mt-mp))
		fmt.Printf("  %-48s %8.2fx\n", "ratio to ctr images ls -q (medians)", float64(mt-mp)/float64(mc))
		fmt.Printf("  %-48s %8.2fx\n", "median of the rounds' ratios", float64(measure.Median(s.ratio))/1000)
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
		if err := b.measureKeys(tm, env, want, names); err != nil {
			return err
		}
	}
	if b.idle > 0 {
		return b.measureIdle(tm, env, want)
	}
	return nil
}

// measureIdle opens :containers in each ctui, all at once in tmux windows
// of their own, and reads their CPU time over the same b.idle.
func (b *bench) measureIdle(tm *tmuxterm.Tmux, env []string, want string) error {
	panes, pids, stop, err := b.startAll(tm, env, want)
	defer stop()
	if err != nil {
		return err
	}
	for _, pane := range panes {
		if _, err := tm.Command("send-keys -t " + pane + " :containers Enter"); err != nil {
			return err
		}
		if _, err := tm.WaitFor(pane, fmt.Sprintf("containers %d", b.nCtrs)); err != nil {
			return err
		}
	}
	tm.Drain(3 * time.Second) // let background size fetches and the first re-list settle
	c0 := make([]int64, len(pids))
	for i, pid := range pids {
		var err error
		if c0[i], err = ptyscreen.CPUTicks(pid); err != nil {
			return err
		}
	}
	tm.Drain(b.idle)
	fmt.Printf("\nidle %s in tmux with :containers open (%d rows), side by side\n", b.idle, b.nCtrs)
	for i, pid := range pids {
		c1, _ := ptyscreen.CPUTicks(pid)
		fmt.Printf("  ctui#%d %-40s %6.2f%% of a core\n", i+1, b.ctuis[i], float64(c1-c0[i])/100/b.idle.Seconds()*100)
	}
	return nil
}

// startAll opens each ctui in a tmux window of its own and waits until its
// screen shows want (the full list). stop closes the windows opened, also
// after an error.
func (b *bench) startAll(tm *tmuxterm.Tmux, env []string, want string) (panes []string, pids []int, stop func(), err error) {
	stop = func() {
		for i, pane := range panes {
			tm.Kill(pane, pids[i])
		}
	}
	for _, bin := range b.ctuis {
		pane, pid, err := tm.Window("exec "+tmuxterm.ShellJoin(append([]string{bin, "-n", b.ns}, b.args...)), env)
		if err != nil {
			return panes, pids, stop, err
		}
		panes, pids = append(panes, pane), append(pids, pid)
		if _, err := tm.WaitFor(pane, want); err != nil {
			return panes, pids, stop, err
		}
	}
	return panes, pids, stop, nil
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

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
