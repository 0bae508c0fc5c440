// Command rowbytes measures the bytes ctui writes to its terminal for a
// one-row change, a task's state flip (ctr tasks pause, then resume, on the
// node), on the tasks page over ssh:// (sudo through Debian's sshd on
// loopback): what would cross the operator's own SSH link to the terminal.
// The pane's output is copied to a file by tmux's pipe-pane over a fixed
// window after each flip, and over the same window with nothing changing
// (the idle figure, which the flip's includes).
//
//	go run ./bench/rowbytes --ctui bin/ctui --version 1.6 --rounds 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/tmuxterm"
)

func main() {
	ctuiPath := flag.String("ctui", "bin/ctui", "the ctui binary")
	version := flag.String("version", "1.6", "containerd version: 1.6 or 2.x")
	rounds := flag.Int("rounds", 5, "flips (pause and resume each)")
	window := flag.Duration("window", 2*time.Second, "how long the output is counted after a flip (and idle)")
	stats := flag.String("stats-interval", "2s", "ctui's --stats-interval (0: stats off)")
	flag.BoolVar(&show, "show", false, "print what was written after each flip, quoted")
	flag.Parse()
	if err := run(*ctuiPath, *version, *rounds, *window, *stats); err != nil {
		fmt.Fprintln(os.Stderr, "rowbytes:", err)
		os.Exit(1)
	}
}

var show bool

func run(ctuiPath, version string, rounds int, window time.Duration, stats string) error {
	v, err := testbed.ParseVersion(version)
	if err != nil {
		return err
	}
	ctuiPath, err = filepath.Abs(ctuiPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, err := testbed.StartDaemon(ctx, v, "")
	if err != nil {
		return err
	}
	defer d.Stop()
	if err := d.ImportTestImages(ctx, "default"); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "rowbytes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const task = "rowbytes-flip"
	if err := d.RunTask(ctx, "default", task, testbed.BusyboxImage, filepath.Join(dir, "task.log"), "sleep", "100000"); err != nil {
		return err
	}
	sshDir, err := os.MkdirTemp("", "rowbytes-sshd-") // the login user reads its key there
	if err != nil {
		return err
	}
	defer os.RemoveAll(sshDir)
	s, err := testbed.NewSSHD(sshDir, d.Socket)
	if err != nil {
		return err
	}
	defer s.Stop()

	tm, err := tmuxterm.Start("")
	if err != nil {
		return err
	}
	defer tm.Close()
	ep := s.Endpoint(s.User, "", true)
	pane, pid, err := tm.Window(tmuxterm.ShellJoin([]string{ctuiPath, "-a", ep, "--stats-interval", stats}), []string{"CTUI_SSH=" + s.SSHCommand})
	if err != nil {
		return err
	}
	defer tm.Kill(pane, pid)
	if _, err := tm.WaitFor(pane, "localhost/test/busybox"); err != nil {
		return err
	}
	if _, err := tm.Command("send-keys -t " + pane + " : t Enter"); err != nil {
		return err
	}
	if _, err := tm.WaitFor(pane, "RUNNING"); err != nil {
		return err
	}
	tm.Drain(3 * time.Second) // the header's and the page's first answers

	count := func(n int, act func() error, want string) (int64, error) {
		f := filepath.Join(dir, fmt.Sprintf("out-%d", n))
		if _, err := tm.Command("pipe-pane -t " + pane + " -o " + tmuxterm.Quote("cat > "+f)); err != nil {
			return 0, err
		}
		if act != nil {
			if err := act(); err != nil {
				return 0, err
			}
			if _, err := tm.WaitFor(pane, want); err != nil {
				return 0, err
			}
		}
		tm.Drain(window)
		if _, err := tm.Command("pipe-pane -t " + pane); err != nil {
			return 0, err
		}
		time.Sleep(100 * time.Millisecond) // cat writes what it read
		out, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		if show && act != nil {
			fmt.Printf("  %q\n", out)
		}
		return int64(len(out)), nil
	}
	var idle, flips []int64
	n := 0
	for range rounds {
		for _, step := range []struct{ verb, want string }{{"pause", "PAUSED"}, {"resume", "RUNNING"}} {
			n++
			b, err := count(n, nil, "")
			if err != nil {
				return err
			}
			idle = append(idle, b)
			n++
			b, err = count(n, func() error {
				_, err := d.Ctr(ctx, "tasks", step.verb, task)
				return err
			}, step.want)
			if err != nil {
				return err
			}
			flips = append(flips, b)
			fmt.Printf("  %s: %d bytes in %v (idle before it: %d)\n", step.verb, b, window, idle[len(idle)-1])
		}
	}
	fmt.Printf("containerd %s, ctui over %s, --stats-interval %s, tmux's 80x24, %d flips\n", v, ep, stats, len(flips))
	fmt.Printf("  bytes to the terminal in %v after a flip: median %d, max %d\n", window, measure.Median(flips), slices.Max(flips))
	fmt.Printf("  bytes in %v with nothing changing:       median %d, max %d\n", window, measure.Median(idle), slices.Max(idle))
	d.Ctr(ctx, "tasks", "kill", "-s", "SIGKILL", task)
	return nil
}
