// Command statsbench measures what resource-use sampling costs, on a
// throwaway containerd (backend/testbed) with N running tasks, driving the
// built ctui in a pty:
//
//   - ctui's CPU and the daemon's (containerd plus the tasks' shims) over a
//     window, with the containers page open and stats off, with stats on at
//     the interval, and with :top open (which samples every task), beside
//     the same numbers read by `ctr tasks metrics` in a loop (the rows on
//     an 80x24 screen, once per interval), in interleaved rounds, medians;
//
//   - :top's first frame with N running tasks (median of runs);
//
//   - idle CPU at 5,000 containers, a few running, stats on.
//
// --ctui takes several binaries, comma-separated (an old build beside a
// new one): each runs every ctui figure in each round, taking turns going
// first, so that both see the same machine.
//
//	go run ./bench/statsbench --ctui bin/ctui --version 1.6 --tasks 200
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/ptyscreen"
	"github.com/ctui/ctui/bench/internal/seed"
)

func main() {
	f := seed.Define(seed.Flags{CTUI: "bin/ctui", Images: -1, Containers: 5000})
	flag.CommandLine.Lookup("containers").Usage = "containers (no tasks) for the idle figure"
	flag.CommandLine.Lookup("ctui").Usage = "the ctui binary to measure; several, comma-separated, take turns in each round"
	var (
		nTasks   = flag.Int("tasks", 200, "running tasks")
		rounds   = flag.Int("rounds", 5, "interleaved rounds; medians are reported")
		window   = flag.Duration("window", 10*time.Second, "how long each CPU figure is measured")
		interval = flag.Duration("interval", 2*time.Second, "--stats-interval")
	)
	flag.Parse()
	if err := run(f, *nTasks, *rounds, *window, *interval); err != nil {
		fmt.Fprintln(os.Stderr, "statsbench:", err)
		os.Exit(1)
	}
}

const clkTck = 100.0

func run(f *seed.Flags, nTasks, rounds int, window, interval time.Duration) error {
	var bins []string
	for _, c := range strings.Split(f.CTUI, ",") {
		bin, err := seed.Binary(c)
		if err != nil {
			return err
		}
		bins = append(bins, bin)
	}
	// label names binary i in the figures when there are several.
	label := func(i int, what string) string {
		if len(bins) == 1 {
			return what
		}
		return fmt.Sprintf("ctui#%d %s", i+1, what)
	}
	// turns is the order of the binaries in round r: each goes first in turn.
	turns := func(r int) []int {
		var o []int
		for i := range bins {
			o = append(o, (i+r)%len(bins))
		}
		return o
	}
	nScale := f.Containers
	ctx := context.Background()
	d, err := f.Start(ctx)
	if err != nil {
		return err
	}
	defer d.Stop()
	const ns = "default"
	if err := d.ImportTestImages(ctx, ns); err != nil {
		return err
	}
	t0 := time.Now()
	var ids []string
	for i := range nTasks {
		ids = append(ids, fmt.Sprintf("idle-%03d", i))
	}
	if err := parallel(4, ids, func(id string) error {
		return d.RunTask(ctx, ns, id, testbed.BusyboxImage, "", testbed.IdleCommand...)
	}); err != nil {
		return err
	}
	fmt.Printf("containerd %s: %d running tasks in %s\n", d.Version, nTasks, time.Since(t0).Round(time.Second))

	env := append(os.Environ(), "CONTAINERD_ADDRESS="+d.Socket, "CONTAINER_RUNTIME_ENDPOINT="+d.Endpoint)
	daemon := func() int64 { return daemonTicks(d) }
	// start runs ctuiPath in namespace in an 80x24 pty, up to its first screen.
	start := func(ctuiPath, namespace string, stats time.Duration) (*ptyscreen.Screen, error) {
		s, err := ptyscreen.Start(ctuiPath, env, 80, 24, "-n", namespace, "--stats-interval", stats.String())
		if err != nil {
			return nil, err
		}
		if _, err := s.WaitFor("images", 60*time.Second); err != nil {
			s.Quit()
			return nil, err
		}
		return s, nil
	}
	open := func(ctuiPath string, stats time.Duration, page string) (*ptyscreen.Screen, error) {
		s, err := start(ctuiPath, ns, stats)
		if err != nil {
			return nil, err
		}
		s.Send(":" + page + "\r")
		want := fmt.Sprintf("containers %d", nTasks)
		if page == "top" {
			want = fmt.Sprintf("%d running", nTasks)
		}
		if _, err := s.WaitFor(want, 60*time.Second); err != nil {
			s.Quit()
			return nil, err
		}
		time.Sleep(2*interval + time.Second) // the first samples
		return s, nil
	}
	pct := func(ticks int64, w time.Duration) float64 { return float64(ticks) / clkTck / w.Seconds() * 100 }
	type fig struct{ ctui, daemon, alone []float64 }
	figs := map[string]*fig{}
	// A run is one figure: a binary (-1: ctr) with stats at an interval on a page.
	type run struct {
		name  string
		bin   int
		stats time.Duration
		page  string
	}
	var names []string
	runs := func(r int) []run {
		var out []run
		for _, i := range turns(r) {
			out = append(out,
				run{label(i, "containers page, stats off"), i, 0, "containers"},
				run{label(i, "containers page, stats on"), i, interval, "containers"},
				run{label(i, ":top (every task sampled)"), i, interval, "top"})
		}
		return append(out, run{"ctr tasks metrics, 20 ids per interval", -1, 0, ""})
	}
	for _, x := range runs(0) {
		names = append(names, x.name)
		figs[x.name] = &fig{}
	}
	visible := ids[:min(20, len(ids))]
	for r := range rounds {
		for _, x := range runs(r) {
			n := x.name
			var s *ptyscreen.Screen
			if x.bin >= 0 {
				s, err = open(bins[x.bin], x.stats, x.page)
			}
			if err != nil {
				return err
			}
			d0 := daemon()
			a0, _ := daemonAndShims(d)
			var c0, c1 int64
			if s != nil {
				c0, _ = ptyscreen.CPUTicks(s.PID())
				time.Sleep(window)
				c1, _ = ptyscreen.CPUTicks(s.PID())
			} else {
				end := time.Now().Add(window)
				for time.Now().Before(end) {
					next := time.Now().Add(interval)
					for _, id := range visible {
						_ = exec.Command(d.CtrPath, "-a", d.Socket, "-n", ns, "tasks", "metrics", id).Run()
					}
					time.Sleep(time.Until(next))
				}
			}
			d1 := daemon()
			a1, _ := daemonAndShims(d)
			if s != nil {
				s.Quit()
			}
			figs[n].alone = append(figs[n].alone, pct(a1-a0, window))
			figs[n].ctui = append(figs[n].ctui, pct(c1-c0, window))
			figs[n].daemon = append(figs[n].daemon, pct(d1-d0, window))
		}
		fmt.Printf("round %d/%d done\n", r+1, rounds)
	}
	fmt.Printf("\nCPU of one core over %s, median of %d interleaved rounds, --stats-interval %s, 80x24\n", window, rounds, interval)
	fmt.Printf("  %-42s %8s %18s %12s\n", "", "ctui", "containerd+shims", "containerd")
	for _, n := range names {
		c := "-"
		if n != names[len(names)-1] {
			c = fmt.Sprintf("%.2f%%", measure.Median(figs[n].ctui))
		}
		fmt.Printf("  %-42s %8s %17.2f%% %11.2f%%\n", n, c, measure.Median(figs[n].daemon), measure.Median(figs[n].alone))
	}

	// :top's first frame.
	firsts := make([][]float64, len(bins))
	for r := range rounds {
		for _, i := range turns(r) {
			s, err := start(bins[i], ns, interval)
			if err != nil {
				return err
			}
			time.Sleep(time.Second)
			s.Mark()
			s.Send(":top\r")
			took, err := s.WaitFor(fmt.Sprintf("%d running", nTasks), 60*time.Second)
			s.Quit()
			if err != nil {
				return err
			}
			firsts[i] = append(firsts[i], float64(took.Milliseconds()))
		}
	}
	fmt.Println()
	for i := range bins {
		fmt.Printf("%s with %d running tasks (enter to the list), median of %d: %.0f ms\n", label(i, ":top first frame"), nTasks, rounds, measure.Median(firsts[i]))
	}

	// Idle at scale: nScale containers without tasks and 3 running, stats on.
	const scaleNS = "scale"
	if err := testbed.SeedScale(ctx, d.Socket, scaleNS, 1, nScale); err != nil {
		return err
	}
	if err := d.ImportTestImages(ctx, scaleNS); err != nil {
		return err
	}
	for i := range 3 {
		if err := d.RunTask(ctx, scaleNS, fmt.Sprintf("run-%d", i), testbed.BusyboxImage, "", testbed.IdleCommand...); err != nil {
			return err
		}
	}
	idle, idleD := make([][]float64, len(bins)), make([][]float64, len(bins))
	for r := range rounds {
		for _, i := range turns(r) {
			s, err := start(bins[i], scaleNS, interval)
			if err != nil {
				return err
			}
			s.Send(":containers\r")
			if _, err := s.WaitFor(fmt.Sprintf("containers %d", nScale+3), 60*time.Second); err != nil {
				s.Quit()
				return err
			}
			time.Sleep(3 * time.Second)
			c0, _ := ptyscreen.CPUTicks(s.PID())
			d0 := daemon()
			time.Sleep(window)
			c1, _ := ptyscreen.CPUTicks(s.PID())
			d1 := daemon()
			s.Quit()
			idle[i], idleD[i] = append(idle[i], pct(c1-c0, window)), append(idleD[i], pct(d1-d0, window))
		}
	}
	for i := range bins {
		fmt.Printf("%s at %d containers (3 running), containers page, stats on, median of %d: ctui %.2f%%, containerd+shims %.2f%%\n",
			label(i, "idle"), nScale+3, rounds, measure.Median(idle[i]), measure.Median(idleD[i]))
	}
	if len(bins) > 1 {
		for i, b := range bins {
			fmt.Printf("ctui#%d %s\n", i+1, b)
		}
	}
	return nil
}

// daemonTicks is the CPU ticks of the daemon and of every shim serving it.
func daemonTicks(d *testbed.Daemon) int64 {
	t, s := daemonAndShims(d)
	return t + s
}

// daemonAndShims is the CPU ticks of the daemon, and of its shims.
func daemonAndShims(d *testbed.Daemon) (int64, int64) {
	var total, shims int64
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pid == d.PID() {
			t, _ := ptyscreen.CPUTicks(pid)
			total += t
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.Contains(string(cmdline), "containerd-shim") && strings.Contains(string(cmdline), d.Socket) {
			t, _ := ptyscreen.CPUTicks(pid)
			shims += t
		}
	}
	return total, shims
}

func parallel(n int, ids []string, f func(string) error) error {
	sem := make(chan struct{}, n)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for _, id := range ids {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(id); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
