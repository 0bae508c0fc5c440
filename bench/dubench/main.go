// Command dubench measures :du in a real terminal emulator, tmux, on a node
// with many images and snapshots (testbed.SeedDiskScale: image names over a
// few distinct images, containers each with an active snapshot of its own),
// beside `ctr snapshots usage` over the same snapshots in the same run.
//
// Each round starts the built ctui in a new tmux window (80x24), waits for
// its first screen, then types `:du` Enter and notes, from the key to tmux:
//
//   - the page's first frame (its filesystem part drawn, figures or not);
//   - the filesystem line with statfs's figures (`… % used …`);
//   - the full table: every snapshot measured ("N snapshots measured");
//
// then ctui's CPU over --idle with the page open and nothing happening, then
// `:prune images` Enter until its preview's summary shows (the plan, with
// the images' snapshot usages :du measured already cached). The
// ctui process is new each round, so no committed snapshot's usage is cached
// in it (the daemon's page cache is warm after the first round, for ctr as
// for ctui). Medians over rounds.
//
//	go run ./bench/dubench --ctui bin/ctui --version 1.6 --names 10000 --containers 5000 --runs 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/ptyscreen"
	"github.com/ctui/ctui/bench/internal/seed"
	"github.com/ctui/ctui/bench/internal/tmuxterm"
)

func main() {
	f := seed.Define(seed.Flags{CTUI: "bin/ctui", Namespace: "scale", Images: -1, Containers: 5000})
	flag.CommandLine.Lookup("containers").Usage = "containers to seed, each with an active snapshot (no tasks)"
	var (
		nNames  = flag.Int("names", 10000, "image names to seed")
		nImages = flag.Int("distinct", 50, "distinct images the names point at")
		runs    = flag.Int("runs", 5, "rounds (ctr snapshots usage, then ctui's :du, each once per round)")
		idle    = flag.Duration("idle", 20*time.Second, "how long ctui's CPU is read with the full :du table on screen (0: skip)")
	)
	flag.Parse()
	if err := run(f, *nNames, *nImages, *runs, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "dubench:", err)
		os.Exit(1)
	}
}

func run(f *seed.Flags, nNames, nImages, runs int, idle time.Duration) error {
	bin, err := seed.Binary(f.CTUI)
	if err != nil {
		return err
	}
	ns, nCtrs := f.Namespace, f.Containers
	ctx := context.Background()
	d, err := f.Start(ctx)
	if err != nil {
		return err
	}
	defer d.Stop()
	v := d.Version
	t0 := time.Now()
	if err := testbed.SeedDiskScale(ctx, d.Socket, ns, nImages, nNames, nCtrs); err != nil {
		return err
	}
	out, err := exec.Command(d.CtrPath, "-a", d.Socket, "-n", ns, "snapshots", "ls").Output()
	if err != nil {
		return fmt.Errorf("ctr snapshots ls: %w", err)
	}
	nSnaps := strings.Count(string(out), "\n") - 1
	fmt.Printf("containerd %s: seeded %d image names over %d images and %d containers (%d snapshots) in %s\n",
		v, nNames, nImages, nCtrs, nSnaps, time.Since(t0).Round(time.Millisecond))

	tm, err := tmuxterm.Start("")
	if err != nil {
		return err
	}
	defer tm.Close()
	fmt.Printf("tmux %s, 80x24; load average %s\n", tmuxterm.Version(), loadavg())
	env := []string{"CONTAINERD_ADDRESS=" + d.Socket, "CONTAINER_RUNTIME_ENDPOINT=" + d.Endpoint}
	names, err := exec.Command(d.CtrPath, "-a", d.Socket, "-n", ns, "images", "ls", "-q").Output()
	if err != nil {
		return fmt.Errorf("ctr images ls -q: %w", err)
	}
	first := fmt.Sprintf("images %d", strings.Count(string(names), "\n")) // the names and the distinct images' own
	var ctrT, frameT, fsT, fullT, pruneT []time.Duration
	var idles []float64
	for i := range runs {
		c, err := timeCmd(d.CtrPath, "-a", d.Socket, "-n", ns, "snapshots", "usage")
		if err != nil {
			return err
		}
		ctrT = append(ctrT, c)

		pane, pid, err := tm.Window("exec "+tmuxterm.ShellJoin([]string{bin, "-n", ns}), env)
		if err != nil {
			return err
		}
		if _, err := tm.WaitFor(pane, first); err != nil {
			tm.Kill(pane, pid)
			return err
		}
		tm.Drain(time.Second) // the images page's background size fetches
		k0 := time.Now()
		if _, err := tm.Command("send-keys -t " + pane + " :du Enter"); err != nil {
			tm.Kill(pane, pid)
			return err
		}
		frame, err := tm.WaitUntil(pane, "the :du page", func(s string) bool {
			return strings.Contains(s, "filesystems: asking") || fsLine(s)
		})
		if err != nil {
			tm.Kill(pane, pid)
			return err
		}
		fs, err := tm.WaitUntil(pane, "the filesystem line", fsLine)
		if err != nil {
			tm.Kill(pane, pid)
			return err
		}
		full, err := tm.WaitUntil(pane, "every snapshot measured", func(s string) bool {
			return strings.Contains(s, " snapshots measured") && !strings.Contains(s, "measuring snapshots")
		})
		if err != nil {
			tm.Kill(pane, pid)
			return err
		}
		frameT, fsT, fullT = append(frameT, frame.Sub(k0)), append(fsT, fs.Sub(k0)), append(fullT, full.Sub(k0))
		fmt.Printf("  round %d: ctr snapshots usage %7.0f ms; :du frame %6.0f ms, filesystem line %6.0f ms, full table %6.0f ms",
			i+1, msf(c), msf(frame.Sub(k0)), msf(fs.Sub(k0)), msf(full.Sub(k0)))
		if idle > 0 {
			tm.Drain(2 * time.Second) // the last analysis and frame
			c0, _ := ptyscreen.CPUTicks(pid)
			tm.Drain(idle)
			c1, _ := ptyscreen.CPUTicks(pid)
			pct := float64(c1-c0) / 100 / idle.Seconds() * 100
			idles = append(idles, pct)
			fmt.Printf(", idle %.2f%%", pct)
		}
		p0 := time.Now()
		if _, err := tm.Command("send-keys -t " + pane + " :prune Space images Enter"); err != nil {
			tm.Kill(pane, pid)
			return err
		}
		planned, err := tm.WaitUntil(pane, "the prune preview", func(s string) bool {
			return strings.Contains(s, "nothing to prune") || strings.Contains(s, "will remove")
		})
		if err != nil {
			tm.Kill(pane, pid)
			return err
		}
		pruneT = append(pruneT, planned.Sub(p0))
		fmt.Printf(", :prune images preview %.0f ms", msf(planned.Sub(p0)))
		fmt.Println()
		tm.Kill(pane, pid)
	}
	fmt.Printf("\nmedians of %d rounds, containerd %s, %d names over %d images, %d containers, %d snapshots; load average %s\n",
		runs, v, nNames, nImages, nCtrs, nSnaps, loadavg())
	fmt.Printf("  %-52s %8.0f ms\n", "ctr snapshots usage (all snapshots, a process)", msf(measure.Median(ctrT)))
	fmt.Printf("  %-52s %8.0f ms\n", ":du first frame (key to screen, in tmux)", msf(measure.Median(frameT)))
	fmt.Printf("  %-52s %8.0f ms\n", ":du filesystem line with statfs figures", msf(measure.Median(fsT)))
	fmt.Printf("  %-52s %8.0f ms  (max %.0f ms)\n", ":du full table, every snapshot measured", msf(measure.Median(fullT)), msf(maxOf(fullT)))
	fmt.Printf("  %-52s %8.0f ms  (max %.0f ms)\n", ":prune images preview after it (key to summary)", msf(measure.Median(pruneT)), msf(maxOf(pruneT)))
	if len(idles) > 0 {
		sort.Float64s(idles)
		fmt.Printf("  %-52s %7.2f%%  (max %.2f%%)\n", fmt.Sprintf("ctui idle over %s after it, of a core", idle), idles[len(idles)/2], idles[len(idles)-1])
	}
	return nil
}

// fsLine reports whether the screen shows a filesystem line with statfs's
// figures (or statfs's reason why not).
func fsLine(s string) bool { return strings.Contains(s, "% used") || strings.Contains(s, "statfs: ") }

func timeCmd(name string, args ...string) (time.Duration, error) {
	t0 := time.Now()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, out)
	}
	return time.Since(t0), nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
