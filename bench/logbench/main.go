// Command logbench measures ctui's log page on a real containerd, driving the
// built binary in a pty whose output feeds a terminal emulator (vt10x), so a
// line counts only once it is on the screen as a person would see it. It
// starts its own throwaway containerd (backend/testbed) with a few pods and
// measures, in one run:
//
//   - first: time to the first screen of a 1 GiB CRI log at its tail, the log
//     of a real pod container (written at its LogPath), from the l key to
//     the last line on screen, side by side with `tail -n 1000` of the same
//     file; and ctui's whole process, from its start through :pods to that
//     screen (ctui has no flag that opens a log directly).
//
//   - follow: a container printing `seq 1 N` as fast as it can, followed live
//     from its first line; then the same file ctui must ingest written by
//     logbench itself, faster than containerd can; every line accounted for
//     in the buffer ctrl+s saves (--log-lines holds them all), and the
//     in-process parse rate of backend/logs over the finished log.
//
//   - rss: ctui's resident memory while it follows a busy container for
//     --rss (kubelet-style rotation every 256 MiB keeps the disk bounded),
//     with the default 10,000-line ring.
//
//     go run ./bench/logbench --ctui bin/ctui --version 1.6 [--only first,follow,rss] [--rss 5m]
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/ptyscreen"
)

func main() {
	var (
		ctuiPath = flag.String("ctui", "bin/ctui", "the ctui binary to measure")
		version  = flag.String("version", "1.6", "containerd version: 1.6 or 2.x")
		only     = flag.String("only", "first,follow,rss", "which measurements to run, comma-separated")
		sizeMiB  = flag.Int64("size", 1024, "first: MiB of the big CRI log")
		tailN    = flag.Int("tail", 1000, "first: lines tail -n shows (ctui's log page opens with 1000)")
		runs     = flag.Int("runs", 7, "first: runs of each timing; the median is reported")
		nFollow  = flag.Int("lines", 1_000_000, "follow: lines the container prints (and logbench writes)")
		rssFor   = flag.Duration("rss", 30*time.Second, "rss: how long to follow (the full measurement is 5m)")
	)
	flag.Parse()
	b := &bench{ctui: *ctuiPath}
	if err := b.run(*version, strings.Split(*only, ","), *sizeMiB, *tailN, *runs, *nFollow, *rssFor); err != nil {
		fmt.Fprintln(os.Stderr, "logbench:", err)
		os.Exit(1)
	}
}

type bench struct {
	ctui string
	d    *testbed.Daemon
	env  []string
	rt   runtimeapi.RuntimeServiceClient
	work string
}

// pod is a one-container pod of the bench: its container's id and log.
type pod struct {
	name, id, log string
}

func (b *bench) run(version string, only []string, sizeMiB int64, tailN, runs, nFollow int, rssFor time.Duration) error {
	var err error
	if b.ctui, err = filepath.Abs(b.ctui); err != nil {
		return err
	}
	if _, err := os.Stat(b.ctui); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", b.ctui, err)
	}
	v, err := testbed.ParseVersion(version)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if b.d, err = testbed.StartDaemon(ctx, v, ""); err != nil {
		return err
	}
	defer b.d.Stop()
	b.env = append(os.Environ(), b.d.Env()...)
	conn, err := grpc.NewClient(b.d.Endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	b.rt = runtimeapi.NewRuntimeServiceClient(conn)
	if b.work, err = os.MkdirTemp("", "ctui-logbench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.work)
	fmt.Printf("containerd %s, ctui %s\n", v, b.ctui)

	for _, what := range only {
		switch strings.TrimSpace(what) {
		case "first":
			err = b.first(ctx, sizeMiB, tailN, runs)
		case "follow":
			err = b.follow(ctx, nFollow)
		case "rss":
			err = b.rss(ctx, rssFor)
		default:
			err = fmt.Errorf("unknown measurement %q: choose first, follow, rss", what)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// startPod runs a one-container pod whose container runs script in sh.
func (b *bench) startPod(ctx context.Context, name, script string) (pod, error) {
	_, ids, err := b.d.RunPod(ctx, testbed.PodSpec{Name: name, Containers: []testbed.ContainerSpec{
		{Name: name, Command: []string{"sh", "-c"}, Args: []string{script}}}})
	if err != nil {
		return pod{}, err
	}
	p := pod{name: name, id: ids[0]}
	p.log, err = b.d.ContainerLogPath(ctx, p.id)
	return p, err
}

// waitThenRun is a container script that waits for logbench to touch
// /tmp/go, so the page is open and following before the first line.
func waitThenRun(cmd string) string {
	return `while [ ! -e /tmp/go ]; do usleep 20000; done; ` + cmd + `; exec sleep 100000`
}

func (b *bench) touchGo(ctx context.Context, p pod) error {
	resp, err := b.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: p.id, Cmd: []string{"touch", "/tmp/go"}, Timeout: 10})
	if err == nil && resp.ExitCode != 0 {
		err = fmt.Errorf("exit %d: %s", resp.ExitCode, resp.Stderr)
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	return nil
}

// openPod types :pods, filters to the pod and waits for its row; the next
// key (l) opens its log.
func openPod(s *ptyscreen.Screen, name string) error {
	// Keys typed before ctui has the terminal in raw mode would be
	// cooked by the line discipline (enter as ctrl+j): wait for a frame.
	if _, err := s.WaitFor("DIGEST", 30*time.Second); err != nil {
		return err
	}
	s.Send(":pods\r")
	if _, err := s.WaitFor("POD ID", 30*time.Second); err != nil {
		return err
	}
	s.Send("/\x15" + name + "\r")
	_, err := s.WaitUntil(name+" filtered", 30*time.Second, func(txt string) bool {
		return strings.Contains(txt, "/"+name) && strings.Contains(txt, " "+name+" ")
	})
	return err
}

// first: the tail of a 1 GiB log, ctui against tail -n.
func (b *bench) first(ctx context.Context, sizeMiB int64, tailN, runs int) error {
	p, err := b.startPod(ctx, "biglog", "exec sleep 100000")
	if err != nil {
		return err
	}
	t0 := time.Now()
	last, records, err := generate(p.log, sizeMiB<<20)
	if err != nil {
		return err
	}
	fi, err := os.Stat(p.log)
	if err != nil {
		return err
	}
	fmt.Printf("\nfirst screen of a big log: %d bytes, %d records written at the LogPath of pod %s in %s\n",
		fi.Size(), records, p.name, time.Since(t0).Round(time.Millisecond))
	marker := fmt.Sprintf("line %d end", last)

	s, err := ptyscreen.Start(b.ctui, b.env, 120, 30)
	if err != nil {
		return err
	}
	defer s.Quit()
	if err := openPod(s, p.name); err != nil {
		return err
	}
	var ctuiKey, tail, frame []time.Duration
	for i := 0; i < runs+1; i++ { // the first round warms caches
		start := time.Now()
		if err := exec.Command("tail", "-n", strconv.Itoa(tailN), p.log).Run(); err != nil {
			return fmt.Errorf("tail: %w", err)
		}
		dt := time.Since(start)
		if _, err := s.WaitUntil("the pods page", 30*time.Second, func(txt string) bool {
			return strings.Contains(txt, "POD ID") && !strings.Contains(txt, marker)
		}); err != nil {
			return err
		}
		s.Press("l")
		// The first frame of the page: "opening…", unless the lines
		// made it into that frame already.
		f, err := s.WaitUntil("the log page", 60*time.Second, func(txt string) bool {
			return strings.Contains(txt, "opening") || strings.Contains(txt, marker)
		})
		if err != nil {
			return err
		}
		d, err := s.WaitFor(marker, 60*time.Second)
		if err != nil {
			return err
		}
		if i > 0 {
			tail, ctuiKey, frame = append(tail, dt), append(ctuiKey, d), append(frame, f)
		}
		s.Send("\x1b") // back to the pods
	}
	// For reference, a key that only redraws: ? on the pods page.
	var redraw []time.Duration
	for range runs {
		if _, err := s.WaitUntil("the pods page", 30*time.Second, func(txt string) bool {
			return strings.Contains(txt, "POD ID") && !strings.Contains(txt, marker) && !strings.Contains(txt, "command mode")
		}); err != nil {
			return err
		}
		s.Press("?")
		d, err := s.WaitFor("command mode", 30*time.Second)
		if err != nil {
			return err
		}
		redraw = append(redraw, d)
		s.Send("\x1b")
	}
	s.Quit()

	// The whole process: start, first screen, :pods, filter, l.
	var whole []time.Duration
	for range runs {
		s, err := ptyscreen.Start(b.ctui, b.env, 120, 30)
		if err != nil {
			return err
		}
		if err := openPod(s, p.name); err != nil {
			s.Quit()
			return err
		}
		s.Send("l")
		_, err = s.WaitFor(marker, 60*time.Second)
		d := time.Since(s.Started())
		s.Quit()
		if err != nil {
			return err
		}
		whole = append(whole, d)
	}

	// backend/logs alone, in this process: what the page waits for.
	src := logs.Source{Path: p.log, Format: logs.FormatCRI, Name: p.name}
	var inproc []time.Duration
	for range runs {
		start := time.Now()
		if _, err := logs.Read(ctx, src, logs.Options{Tail: tailN}); err != nil {
			return err
		}
		inproc = append(inproc, time.Since(start))
	}
	tm, cm := measure.Median(tail), measure.Median(ctuiKey)
	fmt.Printf("  %-58s %9s\n", fmt.Sprintf("tail -n %d (a process; median of %d)", tailN, runs), ms(tm))
	fmt.Printf("  %-58s %9s  %.2fx tail (target <= 2x)\n", "ctui: l pressed -> last line on screen", ms(cm), float64(cm)/float64(tm))
	fmt.Printf("  %-58s %9s\n", "ctui: l pressed -> the page's first frame", ms(measure.Median(frame)))
	fmt.Printf("  %-58s %9s  (frames are flushed every 33 ms)\n", "ctui: ? pressed -> help on screen (a key that only redraws)", ms(measure.Median(redraw)))
	fmt.Printf("  %-58s %9s  (no flag opens a log directly: start, :pods, filter, l)\n", "ctui: process start -> last line on screen", ms(measure.Median(whole)))
	fmt.Printf("  %-58s %9s\n", "backend/logs.Read tail in-process (what the page waits for)", ms(measure.Median(inproc)))
	return nil
}

// generate appends a CRI log of about size bytes to path, lines like a
// busy web server's on both streams, one in 50 split into P and F records
// as the runtime splits long lines, and ends with "line N end". It returns
// N and the records written.
func generate(path string, size int64) (int, int, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pad := strings.Repeat("abcdefghij", 30)
	t0 := time.Now().Add(-time.Hour).UTC()
	var written int64
	i, records := 0, 0
	for ; written < size; i++ {
		ts := t0.Add(time.Duration(i) * time.Microsecond).Format(time.RFC3339Nano)
		stream := "stdout"
		if i%7 == 0 {
			stream = "stderr"
		}
		var k int
		if i%50 == 0 {
			k, _ = fmt.Fprintf(w, "%s %s P line %d part one %s\n%s %s F  part two\n", ts, stream, i, pad[:i%97], ts, stream)
			records += 2
		} else {
			k, _ = fmt.Fprintf(w, "%s %s F line %d level=info msg=%q %s\n", ts, stream, i, "request served", pad[:i%197])
			records++
		}
		written += int64(k)
	}
	fmt.Fprintf(w, "%s stdout F line %d end of the big log\n", time.Now().UTC().Format(time.RFC3339Nano), i)
	records++
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, 0, err
	}
	return i, records, f.Close()
}

var seqLine = regexp.MustCompile(`(?m)^(\d+)\s*$`)

// follow: a container printing as fast as it can, then logbench writing
// faster than that, each followed live and checked line by line.
func (b *bench) follow(ctx context.Context, n int) error {
	fmt.Printf("\nfollow throughput: %d lines, followed from the first; every line checked in the saved buffer\n", n)
	p, err := b.startPod(ctx, "flood", waitThenRun(fmt.Sprintf("seq 1 %d", n)))
	if err != nil {
		return err
	}
	_, err = b.followOne(ctx, p, n, func() error { return b.touchGo(ctx, p) }, "container: seq 1 N (containerd writes the log)")
	if err != nil {
		return err
	}

	// The same log written straight into a quiet container's file in 1 MiB
	// writes: what ctui takes in when the writer is not the limit.
	q, err := b.startPod(ctx, "direct", "exec sleep 100000")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(p.log)
	if err != nil {
		return err
	}
	var wrote time.Duration
	_, err = b.followOne(ctx, q, n, func() error {
		go func() {
			start := time.Now()
			f, err := os.OpenFile(q.log, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return
			}
			for rest := data; len(rest) > 0; {
				k := min(len(rest), 1<<20)
				if i := bytes.LastIndexByte(rest[:k], '\n'); i >= 0 && k < len(rest) {
					k = i + 1
				}
				f.Write(rest[:k])
				rest = rest[k:]
			}
			f.Close()
			wrote = time.Since(start)
		}()
		return nil
	}, "logbench writes the same log in 1 MiB writes")
	if err != nil {
		return err
	}
	fmt.Printf("    (logbench wrote its %d MiB in %s)\n", len(data)>>20, ms(wrote))

	// The parser alone over the finished log, in this process.
	src := logs.Source{Path: p.log, Format: logs.FormatCRI, Name: p.name}
	start := time.Now()
	lines, err := logs.Read(ctx, src, logs.Options{})
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Printf("  %-58s %9.0f lines/s (%d lines, %d MiB in %s)\n", "backend/logs.Read of the whole log, in-process",
		float64(len(lines))/d.Seconds(), len(lines), len(data)>>20, ms(d))
	return nil
}

// followOne opens p's empty log in ctui (a ring big enough for every
// line), calls begin to start the writing, times the first and the last
// line on screen, then saves the buffer with ctrl+s and checks 1..n.
func (b *bench) followOne(ctx context.Context, p pod, n int, begin func() error, what string) (float64, error) {
	s, err := ptyscreen.Start(b.ctui, b.env, 120, 30, "--log-lines", strconv.Itoa(n+1000))
	if err != nil {
		return 0, err
	}
	defer s.Quit()
	if err := openPod(s, p.name); err != nil {
		return 0, err
	}
	s.Send("l")
	if _, err := s.WaitFor("following", 30*time.Second); err != nil {
		return 0, err
	}
	// The writer's side: when the file holds the last line.
	fileDone := make(chan time.Duration, 1)
	t0 := s.Mark()
	go func() {
		want := []byte(" " + strconv.Itoa(n) + "\n")
		for time.Since(t0) < 10*time.Minute {
			if f, err := os.Open(p.log); err == nil {
				fi, _ := f.Stat()
				buf := make([]byte, 64)
				k, _ := f.ReadAt(buf, max(fi.Size()-64, 0))
				f.Close()
				if bytes.HasSuffix(buf[:k], want) {
					fileDone <- time.Since(t0)
					return
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	if err := begin(); err != nil {
		return 0, err
	}
	first, err := s.WaitUntil("the first line", 60*time.Second, func(txt string) bool { return seqLine.MatchString(txt) })
	if err != nil {
		return 0, err
	}
	last, err := s.WaitUntil(fmt.Sprintf("line %d", n), 10*time.Minute, func(txt string) bool {
		for _, m := range seqLine.FindAllStringSubmatch(txt, -1) {
			if m[1] == strconv.Itoa(n) {
				return true
			}
		}
		return false
	})
	if err != nil {
		return 0, err
	}
	var fd time.Duration
	select {
	case fd = <-fileDone:
	case <-time.After(5 * time.Second):
	}

	// Every line, once, in order: the saved buffer.
	saved := filepath.Join(b.work, p.name+".saved")
	s.Send("\x13")
	if _, err := s.WaitFor("save to:", 10*time.Second); err != nil {
		return 0, err
	}
	s.Send("\x15" + saved + "\r")
	if _, err := s.WaitFor(" lines to ", 60*time.Second); err != nil {
		return 0, err
	}
	if err := checkSeq(saved, n); err != nil {
		return 0, err
	}
	rate := float64(n) / last.Seconds()
	fmt.Printf("  %s\n", what)
	fmt.Printf("    %-56s %9s\n", "writer: start -> last line in the file", ms(fd))
	fmt.Printf("    %-56s %9s\n", "ctui: start -> first line on screen", ms(first))
	fmt.Printf("    %-56s %9s  lag behind the file %s\n", "ctui: start -> last line on screen", ms(last), ms(last-fd))
	fmt.Printf("    %-56s %9.0f lines/s; saved buffer holds 1..%d, none lost or doubled\n", "ctui: lines / (start -> last line on screen)", rate, n)
	return rate, nil
}

// checkSeq reads a saved buffer and checks it holds exactly 1..n.
func checkSeq(path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	want := 1
	for sc.Scan() {
		if sc.Text() != strconv.Itoa(want) {
			return fmt.Errorf("saved buffer %s: line %d is %q, want %d", path, want, sc.Text(), want)
		}
		want++
	}
	if want != n+1 {
		return fmt.Errorf("saved buffer %s: %d lines, want %d", path, want-1, n)
	}
	return sc.Err()
}

// rss: follow a busy container for d with the default ring, sampling
// ctui's resident memory; the log is rotated as kubelet does at 256 MiB.
func (b *bench) rss(ctx context.Context, d time.Duration) error {
	// Chunks of 1,000 numbered lines, a pause of 20 ms between: tens of
	// thousands of lines a second without taking every core of the node.
	script := waitThenRun(`i=1; while true; do seq $i $((i+999)); i=$((i+1000)); usleep 20000; done`)
	p, err := b.startPod(ctx, "busy", script)
	if err != nil {
		return err
	}
	s, err := ptyscreen.Start(b.ctui, b.env, 120, 30)
	if err != nil {
		return err
	}
	defer s.Quit()
	if err := openPod(s, p.name); err != nil {
		return err
	}
	s.Send("l")
	if _, err := s.WaitFor("following", 30*time.Second); err != nil {
		return err
	}
	if err := b.touchGo(ctx, p); err != nil {
		return err
	}
	pid := s.PID()
	fmt.Printf("\npeak RSS while following a busy container for %s (default ring: 10,000 lines; rotation at 256 MiB)\n", d)
	rss0, _ := ptyscreen.ProcStatus(pid, "VmRSS")
	fmt.Printf("  %-10s %9s %14s %12s %10s\n", "elapsed", "RSS MB", "line on screen", "log bytes", "rotations")
	fmt.Printf("  %-10s %9.1f %14s %12s %10s\n", "0s", float64(rss0)/1024, "-", "-", "-")
	start := time.Now()
	var total int64
	rotations := 0
	every := max(d/10, time.Second)
	next := start.Add(every)
	for time.Since(start) < d {
		time.Sleep(200 * time.Millisecond)
		if fi, err := os.Stat(p.log); err == nil && fi.Size() > 256<<20 {
			old := p.log + ".1"
			os.Remove(old)
			total += fi.Size()
			if err := os.Rename(p.log, old); err != nil {
				return err
			}
			if _, err := b.rt.ReopenContainerLog(ctx, &runtimeapi.ReopenContainerLogRequest{ContainerId: p.id}); err != nil {
				return fmt.Errorf("reopen the log: %w", err)
			}
			rotations++
		}
		if time.Now().After(next) || time.Since(start) >= d {
			next = next.Add(every)
			rss, _ := ptyscreen.ProcStatus(pid, "VmRSS")
			cur := int64(0)
			if fi, err := os.Stat(p.log); err == nil {
				cur = fi.Size()
			}
			fmt.Printf("  %-10s %9.1f %14d %12d %10d\n", time.Since(start).Round(time.Second), float64(rss)/1024,
				lastNumber(s.Text()), total+cur, rotations)
		}
	}
	hwm, err := ptyscreen.ProcStatus(pid, "VmHWM")
	if err != nil {
		return err
	}
	line := lastNumber(s.Text())
	fmt.Printf("  ctui peak RSS (VmHWM) %.1f MB after following %d lines (%.0f lines/s) through %d rotations\n",
		float64(hwm)/1024, line, float64(line)/time.Since(start).Seconds(), rotations)
	if !strings.Contains(s.Text(), "following") {
		return errors.New("ctui is no longer following: " + s.Text())
	}
	return nil
}

func lastNumber(txt string) int {
	best := 0
	for _, m := range seqLine.FindAllStringSubmatch(txt, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > best {
			best = n
		}
	}
	return best
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
