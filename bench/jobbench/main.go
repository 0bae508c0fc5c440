// Command jobbench measures whether ctui stays responsive while an image
// action runs as a background job: the time from a key press (j or k on the
// images list) to the frame that shows the cursor moved, many times, with no
// job running and while ctui pulls a ~200 MB multi-layer image from a
// loopback registry; and the pull's throughput against `ctr images pull` of
// the same image from the same registry on the same daemon, in one run.
//
// It starts its own containerd (backend/testbed) and docker-registry
// (backend/testbed/registry), pushes testbed.WriteSizedImage to the registry
// with ctr, and drives the built ctui in a pty whose output feeds a terminal
// emulator (vt10x). ctui runs with --no-color, where the cursor row is drawn
// in reverse video: a frame "shows the key" when the row drawn reversed is
// the one the key moved to. The latency includes ctui's frame pacing (it
// renders at most 30 frames a second), as a person sees it.
//
//	bench/jobs.sh      (or: go run ./bench/jobbench --ctui bin/ctui --version 1.6,2.x --pulls 8)
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

func main() {
	var (
		ctuiPath = flag.String("ctui", "bin/ctui", "the ctui binary to measure")
		versions = flag.String("version", "1.6,2.x", "containerd versions, comma-separated: 1.6, 2.x")
		layers   = flag.Int("layers", 6, "random layers of the image (plus busybox)")
		layerMiB = flag.Int64("layer-mib", 32, "MiB of each random layer")
		pulls    = flag.Int("pulls", 8, "pulls by ctui (keys pressed throughout) and by ctr")
		idle     = flag.Int("idle", 200, "key presses with no job running")
		gap      = flag.Duration("gap", 40*time.Millisecond, "mean pause between key presses (a held key repeats about every 33 ms)")
	)
	flag.Parse()
	bin, err := filepath.Abs(*ctuiPath)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "jobbench: %v (run make build first)\n", err)
		os.Exit(1)
	}
	work, err := os.MkdirTemp("", "ctui-jobbench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "jobbench:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(work)
	const local = "localhost/bench/big:v1"
	tarPath := filepath.Join(work, "big.tar")
	t0 := time.Now()
	if err := testbed.WriteSizedImage(tarPath, local, *layers, *layerMiB<<20); err != nil {
		fmt.Fprintln(os.Stderr, "jobbench:", err)
		os.Exit(1)
	}
	fi, err := os.Stat(tarPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jobbench:", err)
		os.Exit(1)
	}
	fmt.Printf("image: %d layers of %d MiB plus busybox, %.1f MB as a tar (written in %s)\n",
		*layers, *layerMiB, float64(fi.Size())/1e6, time.Since(t0).Round(time.Millisecond))
	cfg := config{bin: bin, tar: tarPath, local: local, size: fi.Size(), pulls: *pulls, idle: *idle, gap: *gap}
	for _, s := range strings.Split(*versions, ",") {
		v, err := testbed.ParseVersion(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "jobbench:", err)
			os.Exit(2)
		}
		if err := run(cfg, v); err != nil {
			fmt.Fprintf(os.Stderr, "jobbench: containerd %s: %v\n", v, err)
			os.Exit(1)
		}
	}
}

type config struct {
	bin, tar, local string
	size            int64 // bytes of the image tar, for MB/s
	pulls, idle     int
	gap             time.Duration
}

func run(cfg config, v testbed.Version) error {
	ctx := context.Background()
	d, err := testbed.StartDaemon(ctx, v, "")
	if err != nil {
		return err
	}
	defer d.Stop()
	regDir, err := os.MkdirTemp("", "ctui-jobbench-registry-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(regDir)
	reg, err := testreg.Start(regDir, testreg.Options{})
	if err != nil {
		return err
	}
	defer reg.Close()
	ctr := func(args ...string) (string, error) {
		cmd := exec.Command(d.CtrPath, append([]string{"--address", d.Socket}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return string(out), nil
	}

	// Seed: the image on the registry, pushed by ctr under a tag per pull
	// (each pull's "done" is told apart on the screen); nothing of it left
	// in the daemon's content store, which every namespace shares.
	remote := func(i int) string { return reg.Ref("bench/big", fmt.Sprintf("v%d", i)) }
	f, err := os.Open(cfg.tar)
	if err != nil {
		return err
	}
	_, err = d.ImportTar(ctx, "seed", f)
	f.Close()
	if err != nil {
		return err
	}
	seed := [][]string{}
	rm := []string{"-n", "seed", "images", "rm", "--sync", cfg.local}
	for i := range 2 * cfg.pulls {
		seed = append(seed, []string{"-n", "seed", "images", "tag", cfg.local, remote(i)},
			[]string{"-n", "seed", "images", "push", "--plain-http", remote(i)})
		rm = append(rm, remote(i))
	}
	for _, args := range append(seed, rm) {
		if _, err := ctr(args...); err != nil {
			return err
		}
	}
	if err := d.ImportTestImages(ctx, "default"); err != nil {
		return err
	}

	env := append(os.Environ(), d.Env()...)
	s, err := startPTY(cfg.bin, env, 120, 30, "--no-color", "-n", "default")
	if err != nil {
		return err
	}
	defer s.quit()
	if err := s.waitText(30*time.Second, testbed.PauseImage, testbed.BusyboxImage); err != nil {
		return err
	}
	// Sorted by REF, busybox:latest sits right above busybox:pause whatever
	// else is listed (the pulled image sorts above both).
	s.send("R")
	if err := s.waitText(10*time.Second, "REF↑"); err != nil {
		return err
	}
	s.send("g")
	if err := s.waitCursor(10*time.Second, testbed.BusyboxImage); err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // sizes and USED BY arrive in the background

	presser := &presser{s: s, gap: cfg.gap, rng: rand.New(rand.NewPCG(1, 2))}
	idle, err := presser.press(cfg.idle, nil)
	if err != nil {
		return fmt.Errorf("with no job: %w", err)
	}

	// Rounds of three pulls, so that the machine's other load falls on all
	// three alike: ctr's; ctui's with no key pressed; ctui's with j and k
	// pressed throughout. Each of ctui's pulls has a tag of its own, so
	// that its "done" on the screen is its own.
	pullByCtr := func(ref string) (time.Duration, error) {
		start := time.Now()
		if _, err := ctr("-n", "ctr", "images", "pull", "--plain-http", ref); err != nil {
			return 0, err
		}
		took := time.Since(start)
		_, err := ctr("-n", "ctr", "images", "rm", "--sync", ref)
		return took, err
	}
	var quietCPU time.Duration // ctui's CPU time over the pulls with no key pressed
	pullByCtui := func(ref string, keys bool) (time.Duration, []time.Duration, error) {
		done := fmt.Sprintf("pull %s: done", ref)
		var lat []time.Duration
		cpu0 := cpuTime(s.cmd.Process.Pid)
		start := time.Now()
		s.send(":pull " + ref + "\r")
		if keys {
			var err error
			if lat, err = presser.press(0, func() bool { return s.seen(done) }); err != nil {
				return 0, nil, err
			}
		}
		if err := s.waitText(2*time.Minute, done); err != nil {
			return 0, nil, err
		}
		took := s.seenAt(done).Sub(start)
		if !keys {
			quietCPU += cpuTime(s.cmd.Process.Pid) - cpu0
		}
		if _, err := ctr("-n", "default", "images", "rm", "--sync", ref); err != nil {
			return 0, nil, err
		}
		time.Sleep(500 * time.Millisecond) // the flash line and the re-list settle
		return took, lat, nil
	}
	var busy, ctrTimes, quietTimes, ctuiTimes []time.Duration
	for r := range cfg.pulls {
		took, err := pullByCtr(remote(r))
		if err != nil {
			return err
		}
		ctrTimes = append(ctrTimes, took)
		if took, _, err = pullByCtui(remote(2*r), false); err != nil {
			return err
		}
		quietTimes = append(quietTimes, took)
		took, lat, err := pullByCtui(remote(2*r+1), true)
		if err != nil {
			return fmt.Errorf("during pull %d: %w", 2*r+2, err)
		}
		ctuiTimes = append(ctuiTimes, took)
		busy = append(busy, lat...)
	}

	mb := float64(cfg.size) / 1e6
	fmt.Printf("\ncontainerd %s: key (j/k on the images list) to the frame showing it, %s between presses on average\n", v, cfg.gap)
	fmt.Printf("  %-40s %5s %9s %9s %9s\n", "", "n", "median", "p95", "max")
	for _, r := range []struct {
		name string
		ds   []time.Duration
	}{{"no job running", idle}, {fmt.Sprintf("while ctui pulls %.0f MB", mb), busy}} {
		st := stats(r.ds)
		fmt.Printf("  %-40s %5d %9s %9s %9s\n", r.name, len(r.ds), ms(st.median), ms(st.p95), ms(st.max))
	}
	ctrMed := stats(ctrTimes).median
	fmt.Printf("  pull of %.0f MB from the loopback registry, median of %d rounds (ctr, ctui, ctui with keys):\n", mb, cfg.pulls)
	fmt.Printf("    %-38s %8s %8.1f MB/s\n", "ctr images pull --plain-http", ctrMed.Round(time.Millisecond), mb/ctrMed.Seconds())
	for _, r := range []struct {
		name string
		ds   []time.Duration
	}{{"ctui :pull, no key pressed", quietTimes}, {"ctui :pull, keys pressed throughout", ctuiTimes}} {
		med := stats(r.ds).median
		fmt.Printf("    %-38s %8s %8.1f MB/s  (%.2fx ctr)\n", r.name, med.Round(time.Millisecond), mb/med.Seconds(), ctrMed.Seconds()/med.Seconds())
	}
	fmt.Printf("  ctui's CPU time per pull with no key pressed: %s\n", (quietCPU / time.Duration(cfg.pulls)).Round(time.Millisecond))
	return nil
}

// presser presses j and k in turn, each when the previous one showed.
type presser struct {
	s    *ptyScreen
	gap  time.Duration
	rng  *rand.Rand
	down bool // the next press is j
}

// press presses n keys, or until stop says so when n is 0, and returns the
// latency of each.
func (p *presser) press(n int, stop func() bool) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; n == 0 || i < n; i++ {
		if stop != nil && stop() {
			break
		}
		key, want := "k", testbed.BusyboxImage
		if p.down = !p.down; p.down {
			key, want = "j", testbed.PauseImage
		}
		d, err := p.s.pressFor(key, want, 5*time.Second)
		if err != nil {
			return out, err
		}
		out = append(out, d)
		// Uniform in [gap/2, 3*gap/2): no beat with the frame clock.
		time.Sleep(p.gap/2 + time.Duration(p.rng.Int64N(int64(p.gap))))
	}
	return out, nil
}

// cpuTime is a process's user plus system time from /proc/PID/stat (0 when
// it cannot be read).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	st := string(b)
	f := strings.Fields(st[strings.LastIndexByte(st, ')')+2:])
	var ut, sy int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &sy)
	return time.Duration(ut+sy) * time.Second / 100 // USER_HZ
}

type summary struct{ median, p95, max time.Duration }

func stats(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	p95 := s[min(len(s)-1, (len(s)*95+99)/100-1)]
	return summary{median: s[len(s)/2], p95: p95, max: s[len(s)-1]}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

// ptyScreen is ctui on a pseudo-terminal whose output feeds a terminal
// emulator. After each chunk of output it notes which row is drawn in
// reverse video (the cursor) and when texts of interest first showed.
type ptyScreen struct {
	cmd *exec.Cmd
	f   *os.File

	mu      sync.Mutex
	vt      vt10x.Terminal
	cursor  string               // the first word of the reversed row
	moved   chan cursorAt        // cursor changes, newest last
	watch   []string             // texts whose first showing is noted
	seenTxt map[string]time.Time // when each watched text showed
	done    chan struct{}
}

type cursorAt struct {
	ref string
	at  time.Time
}

func startPTY(bin string, env []string, cols, rows int, args ...string) (*ptyScreen, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(env, "TERM=xterm-256color")
	s := &ptyScreen{cmd: cmd, vt: vt10x.New(vt10x.WithSize(cols, rows)), moved: make(chan cursorAt, 1024),
		seenTxt: map[string]time.Time{}, done: make(chan struct{})}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, err
	}
	s.f = f
	go s.read()
	return s, nil
}

func (s *ptyScreen) read() {
	defer close(s.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := s.f.Read(buf)
		if n > 0 {
			now := time.Now()
			s.mu.Lock()
			s.vt.Write(buf[:n])
			if cur := s.cursorRow(); cur != s.cursor {
				s.cursor = cur
				select {
				case s.moved <- cursorAt{cur, now}:
				default:
				}
			}
			if len(s.watch) > 0 {
				screen := s.vt.String()
				for _, w := range s.watch {
					if _, ok := s.seenTxt[w]; !ok && strings.Contains(screen, w) {
						s.seenTxt[w] = now
					}
				}
			}
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// cursorRow is the first word of the first row drawn in reverse video from
// its second column (the first is the mark column), "" when none is.
func (s *ptyScreen) cursorRow() string {
	cols, rows := s.vt.Size()
	for y := range rows {
		if s.vt.Cell(1, y).Mode&1 == 0 { // vt10x's attrReverse
			continue
		}
		var b strings.Builder
		for x := 1; x < cols; x++ {
			c := s.vt.Cell(x, y).Char
			if c == ' ' || c == 0 {
				break
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	return ""
}

// pressFor sends key and returns the time until the cursor row is want.
func (s *ptyScreen) pressFor(key, want string, timeout time.Duration) (time.Duration, error) {
	for drained := false; !drained; {
		select {
		case <-s.moved:
		default:
			drained = true
		}
	}
	start := time.Now()
	s.send(key)
	deadline := time.After(timeout)
	for {
		select {
		case c := <-s.moved:
			if c.ref == want {
				return c.at.Sub(start), nil
			}
		case <-deadline:
			return 0, fmt.Errorf("%q did not move the cursor to %s within %s; the screen:\n%s", key, want, timeout, s.text())
		}
	}
}

// waitCursor waits until the cursor row is ref.
func (s *ptyScreen) waitCursor(timeout time.Duration, ref string) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		cur := s.cursor
		s.mu.Unlock()
		if cur == ref {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("the cursor is not on %s", ref)
}

// seen reports whether text has shown, watching it from now on.
func (s *ptyScreen) seen(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !containsStr(s.watch, text) {
		s.watch = append(s.watch, text)
		if strings.Contains(s.vt.String(), text) {
			s.seenTxt[text] = time.Now()
		}
	}
	_, ok := s.seenTxt[text]
	return ok
}

// seenAt is when text first showed.
func (s *ptyScreen) seenAt(text string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seenTxt[text]
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// waitText waits until every text is on the screen (noting when each
// showed, for seenAt).
func (s *ptyScreen) waitText(timeout time.Duration, texts ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		all := true
		for _, t := range texts {
			all = s.seen(t) && all
		}
		if all {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ctui did not show %q within %s; the screen:\n%s", texts, timeout, s.text())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *ptyScreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt.String()
}

func (s *ptyScreen) send(text string) { _, _ = s.f.Write([]byte(text)) }

func (s *ptyScreen) quit() {
	s.send("\x03")
	wait := make(chan error, 1)
	go func() { wait <- s.cmd.Wait() }()
	select {
	case <-wait:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-wait
	}
	s.f.Close()
	<-s.done
}
