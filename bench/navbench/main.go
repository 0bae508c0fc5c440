// Command navbench measures ctui's navigator on a busy node, side by side with
// ctr on the same daemon in one run: time to the first full frame of the
// images list against `ctr images ls -q` and `ctr images ls`, then idle CPU
// (ctui's and containerd's) with the containers view open, and ctui's peak
// RSS. It starts its own throwaway containerd (backend/testbed), seeds it
// with image names and containers, and drives the built ctui in a pty.
//
//	go run ./bench/navbench --ctui bin/ctui --version 1.6 --images 10000 --containers 5000 --idle 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	meas "github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/ptyscreen"
	"github.com/ctui/ctui/bench/internal/seed"
)

func main() {
	f := seed.Define(seed.Flags{CTUI: "bin/ctui", Namespace: "default", Images: 10000, Containers: 5000})
	var (
		runs    = flag.Int("runs", 5, "runs of each timing; the median is reported")
		idle    = flag.Duration("idle", 60*time.Second, "how long to measure idle CPU")
		address = flag.String("address", "", "measure an existing containerd at this socket (seeded already) instead of starting one")
		ctrPath = flag.String("ctr", "ctr", "with --address: the ctr to compare with")
	)
	flag.Parse()
	if *address != "" {
		if err := measure(f.CTUI, *ctrPath, *address, 0, f.Namespace, f.Containers, *runs, *idle); err != nil {
			fmt.Fprintln(os.Stderr, "navbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(f, *runs, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "navbench:", err)
		os.Exit(1)
	}
}

func run(f *seed.Flags, runs int, idle time.Duration) error {
	ctuiPath, err := seed.Binary(f.CTUI)
	if err != nil {
		return err
	}
	d, said, err := f.StartSeeded(context.Background())
	if err != nil {
		return err
	}
	defer d.Stop()
	fmt.Println(said)
	return measure(ctuiPath, d.CtrPath, d.Socket, d.PID(), f.Namespace, f.Containers, runs, idle)
}

// measure times ctr and ctui on the daemon at address, whose namespace ns
// holds nCtrs containers; daemonPID (0: look it up) is the daemon whose idle
// CPU is reported.
func measure(ctuiPath, ctrPath, address string, daemonPID int, ns string, nCtrs, runs int, idle time.Duration) error {
	ctuiPath, err := filepath.Abs(ctuiPath)
	if err != nil {
		return err
	}
	out, err := exec.Command(ctrPath, "-a", address, "-n", ns, "images", "ls", "-q").Output()
	if err != nil {
		return fmt.Errorf("ctr images ls -q: %w", err)
	}
	total := strings.Count(string(out), "\n")
	if daemonPID == 0 {
		daemonPID = socketOwner(address)
	}
	fmt.Printf("namespace %s: %d image names, %d containers\n\n", ns, total, nCtrs)

	ctrQ, err := median(runs, func() (time.Duration, error) {
		return meas.Command(ctrPath, "-a", address, "-n", ns, "images", "ls", "-q")
	})
	if err != nil {
		return err
	}
	ctrFull, err := median(min(runs, 3), func() (time.Duration, error) { return meas.Command(ctrPath, "-a", address, "-n", ns, "images", "ls") })
	if err != nil {
		return err
	}
	env := append(os.Environ(), "CONTAINERD_ADDRESS="+address, "CONTAINER_RUNTIME_ENDPOINT=unix://"+address)
	want := fmt.Sprintf("images %d", total)
	first, err := median(runs, func() (time.Duration, error) {
		s, err := ptyscreen.Start(ctuiPath, env, 80, 24, "-n", ns)
		if err != nil {
			return 0, err
		}
		defer s.Quit()
		return s.WaitFor(want, 60*time.Second)
	})
	if err != nil {
		return err
	}

	fmt.Printf("%-46s %10s\n", "time to the images list (median of runs)", "")
	fmt.Printf("  %-44s %10s\n", "ctr images ls -q", ctrQ.Round(time.Millisecond))
	fmt.Printf("  %-44s %10s\n", "ctr images ls", ctrFull.Round(time.Millisecond))
	fmt.Printf("  %-44s %10s  (%.2fx ctr -q, %.3fx ctr ls)\n", "ctui first full frame", first.Round(time.Millisecond),
		float64(first)/float64(ctrQ), float64(first)/float64(ctrFull))

	// Idle: the containers view open on every container, nothing typed.
	s, err := ptyscreen.Start(ctuiPath, env, 80, 24, "-n", ns)
	if err != nil {
		return err
	}
	defer s.Quit()
	if _, err := s.WaitFor(want, 60*time.Second); err != nil {
		return err
	}
	s.Send(":containers\r")
	if _, err := s.WaitFor(fmt.Sprintf("containers %d", nCtrs), 60*time.Second); err != nil {
		return err
	}
	time.Sleep(3 * time.Second) // let background size fetches and the first re-list settle
	c0, err := ptyscreen.CPUTicks(s.PID())
	if err != nil {
		return err
	}
	d0, _ := ptyscreen.CPUTicks(daemonPID)
	time.Sleep(idle)
	c1, _ := ptyscreen.CPUTicks(s.PID())
	d1, _ := ptyscreen.CPUTicks(daemonPID)
	rss, _ := ptyscreen.ProcStatus(s.PID(), "VmHWM")
	pct := func(ticks int64) float64 { return float64(ticks) / clkTck / idle.Seconds() * 100 }
	fmt.Printf("\nidle for %s with the containers view open (%d rows)\n", idle, nCtrs)
	fmt.Printf("  %-44s %9.2f%%\n", "ctui CPU (of one core)", pct(c1-c0))
	fmt.Printf("  %-44s %9.2f%%\n", "containerd CPU while ctui idles", pct(d1-d0))
	fmt.Printf("  %-44s %7.1f MB\n", "ctui peak RSS (VmHWM)", float64(rss)/1024)
	return nil
}

// socketOwner finds the containerd whose command line names the socket's
// config directory, for its CPU figure; 0 when none is found.
func socketOwner(address string) int {
	dir := filepath.Dir(address)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 0 && filepath.Base(args[0]) == "containerd" && strings.Contains(string(cmdline), dir) {
			return pid
		}
	}
	return 0
}

// clkTck is the kernel's USER_HZ, 100 on every Linux ctui runs on.
const clkTck = 100.0

func median(n int, f func() (time.Duration, error)) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < max(1, n); i++ {
		d, err := f()
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	return meas.Median(ds), nil
}
