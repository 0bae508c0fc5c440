package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// fixturePod runs beside the demo: "counter" prints "seq N" about a
// hundred times a second, for search jumps and rotation under follow;
// "quiet" prints nothing, so the test alone writes its CRI log.
func fixturePod() testbed.PodSpec {
	return testbed.PodSpec{Name: "fixture", Containers: []testbed.ContainerSpec{
		{Name: "counter", Command: []string{"sh", "-c"},
			Args: []string{`i=0; while true; do i=$((i+1)); echo "seq $i"; usleep 10000; done`}},
		{Name: "quiet", Command: []string{"sleep", "100000"}},
	}}
}

// TestEndToEndLogsAndExec drives the log page and exec in a real terminal
// against containerd 1.6 and 2.x, the logs and the shells side by side on
// one seeded daemon per version: the logging pod followed without a key
// press, timestamps, the stream and text filters; the crash loop's previous
// attempt; search with highlight and n/N; a CRI line written in P and F
// parts shown whole; a log rotated as kubelet does (rename, then CRI
// ReopenContainerLog) followed without losing a line, checked in the buffer
// ctrl+s saves. Then a shell in a CRI container and in a native task (echo,
// stty size after a resize, exit 3 back on the same view), a stopped task
// refused at once, and :exec's output pane.
func TestEndToEndLogsAndExec(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			t.Cleanup(cancel)
			if _, err := d.SeedDemo(ctx); err != nil {
				t.Fatalf("seed: %v\n%s", err, d.LogTail(20))
			}
			_, ids, err := d.RunPod(ctx, fixturePod())
			if err != nil {
				t.Fatalf("fixture pod: %v\n%s", err, d.LogTail(20))
			}
			counterID, quietID := ids[0], ids[1]

			t.Run("logs", func(t *testing.T) {
				t.Parallel()
				s := startScreen(t, 100, 30, d.Env())
				s.waitFor(screenWait, "busybox:latest")
				followLogger(t, s)
				previousAttempt(t, s)
				searchJumps(t, s)
				rotateAndSave(ctx, t, s, d, counterID)
				partialLines(ctx, t, s, d, quietID)
				s.keys("q")
				if code := s.waitExit(exitWait); code != 0 {
					t.Errorf("q: exit %d", code)
				}
			})

			t.Run("exec", func(t *testing.T) {
				t.Parallel()
				s := startScreen(t, 100, 30, d.Env())
				s.waitFor(screenWait, "busybox:latest")

				// A CRI container, natively: the logging pod's one
				// container, from its pod's page.
				openPod(s, testbed.DemoLoggerPod)
				s.waitFor(screenWait, "pod default/"+testbed.DemoLoggerPod, "logger")
				shellRoundTrip(t, s, 120, 40, "ATTEMPT", "logger")
				// Keys work on the page it came back to: l opens the log.
				s.keys("l")
				s.waitFor(screenWait, "following", "line ")
				s.keys("Escape")
				s.waitGone(screenWait, "following")

				// A native task, at another size.
				filterTasks(s, testbed.DemoTickerTask)
				shellRoundTrip(t, s, 90, 26, "TASK", testbed.DemoTickerTask)

				// :exec CMD: a pane with the output and the exit code.
				s.keys(":")
				s.typeText("exec echo hi")
				s.keys("Enter")
				txt := s.waitFor(screenWait, "exit code 0")
				if !regexp.MustCompile(`(?m)^hi\s*$`).MatchString(txt) {
					t.Errorf(":exec echo hi: no line \"hi\" in the pane:\n%s", txt)
				}
				s.keys("Escape")
				s.waitFor(screenWait, "TASK", testbed.DemoTickerTask)

				// A stopped task is refused at once, not a hang.
				filterTasks(s, testbed.DemoDoneTask)
				start := time.Now()
				s.keys("s")
				s.waitFor(5*time.Second, "not running")
				t.Logf("s on a stopped task answered in %s", time.Since(start).Round(time.Millisecond))
				s.waitFor(screenWait, "TASK", testbed.DemoDoneTask) // still on the tasks page

				s.keys("q")
				if code := s.waitExit(exitWait); code != 0 {
					t.Errorf("q: exit %d", code)
				}
			})
		})
	}
}

// followLogger opens the logging pod's log from its pod's page and checks
// that lines arrive by themselves, then timestamps, the stderr stream and
// a text filter.
func followLogger(t *testing.T, s *screen) {
	t.Helper()
	openPod(s, testbed.DemoLoggerPod)
	s.waitFor(screenWait, "pod default/"+testbed.DemoLoggerPod, "logger")
	s.keys("l")
	txt := s.waitFor(screenWait, "web/logger", "following", "line ")
	n := maxNumber(txt, `line (\d+)`)
	start := time.Now()
	// The logger writes every 500 ms: two more lines, no key pressed.
	s.waitUntil(5*time.Second, fmt.Sprintf("line %d", n+2), func(txt string) bool { return maxNumber(txt, `line (\d+)`) >= n+2 })
	t.Logf("logger: two new lines followed in %s", time.Since(start).Round(time.Millisecond))

	// Timestamps, in UTC to the millisecond, and off again.
	stamp := `(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (line|warning) \d+`
	s.keys("t")
	s.waitMatch(screenWait, stamp)
	s.keys("t")
	s.waitNoMatch(screenWait, stamp)

	// 2: stderr only, the logger's warnings; 0: both again.
	s.keys("2")
	txt = s.waitFor(screenWait, "stderr only", "warning ")
	if b := logLines(txt); strings.Contains(b, "line ") {
		t.Errorf("stream filter 2 still shows stdout lines:\n%s", txt)
	}
	s.keys("0")
	s.waitGone(screenWait, "stderr only")
	s.waitFor(screenWait, "line ")

	// A filter hides what does not match; esc clears it.
	s.keys("&")
	s.typeText("warning")
	s.keys("Enter")
	txt = s.waitFor(screenWait, "&warning", "warning ")
	if b := logLines(txt); strings.Contains(b, "line ") {
		t.Errorf("filter &warning still shows other lines:\n%s", txt)
	}
	s.keys("Escape")
	s.waitGone(screenWait, "&warning")
	s.waitFor(screenWait, "line ")
}

// previousAttempt opens the crash loop's log, then its previous attempt.
func previousAttempt(t *testing.T, s *screen) {
	t.Helper()
	filterPods(s, testbed.DemoCrashPod)
	s.keys("l") // on the pod: its container's current attempt
	s.waitFor(screenWait, "(attempt 2)", "fatal: missing config")
	s.keys("p")
	s.waitFor(screenWait, "previous attempt", "(attempt 1)", "starting attempt", "end of log")
}

// searchJumps searches the counter's kept lines for two numbers a screen
// apart: the first is shown and highlighted, n goes to the second, N back.
func searchJumps(t *testing.T, s *screen) {
	t.Helper()
	openPodContainer(s, "fixture", "counter")
	s.keys("l")
	txt := s.waitFor(screenWait, "fixture/counter", "following", "seq ")
	top := maxNumber(txt, `seq (\d+)`)
	if top < 700 {
		// The counter writes about a hundred lines a second, far fewer on
		// a loaded machine: wait, following, until it has history well
		// beyond a screen.
		s.keys("G")
		txt = s.waitUntil(3*time.Minute, "seq 700 or later", func(txt string) bool {
			return maxNumber(txt, `seq (\d+)`) >= 700
		})
		top = maxNumber(txt, `seq (\d+)`)
	}
	a, b := top-600, top-300
	s.keys("/")
	s.typeText(fmt.Sprintf("~^seq (%d|%d)$", a, b))
	s.keys("Enter")
	lineA, lineB := fmt.Sprintf(`(?m)^seq %d\s*$`, a), fmt.Sprintf(`(?m)^seq %d\s*$`, b)
	s.waitMatch(screenWait, lineA)
	s.waitNoMatch(screenWait, lineB)
	// The match is highlighted; its neighbour is not.
	styled := s.tmux("capture-pane", "-p", "-e", "-t", "main")
	if !regexp.MustCompile(fmt.Sprintf(`\x1b\[[0-9;:]*mseq %d\b`, a)).MatchString(styled) {
		t.Errorf("the match seq %d is not highlighted:\n%q", a, styled)
	}
	// tmux puts the end of the previous line's colours at the start of
	// the next: ignore resets.
	plain := regexp.MustCompile(`\x1b\[(0|39|49)?m`).ReplaceAllString(styled, "")
	if regexp.MustCompile(fmt.Sprintf(`\x1b\[[0-9;:]*mseq %d\b`, a+1)).MatchString(plain) {
		t.Errorf("seq %d is highlighted but does not match:\n%q", a+1, styled)
	}
	s.keys("n")
	s.waitMatch(screenWait, lineB)
	s.waitNoMatch(screenWait, lineA)
	s.keys("N")
	s.waitMatch(screenWait, lineA)
	s.waitNoMatch(screenWait, lineB)
	s.keys("Escape") // clears the search
	s.waitGone(screenWait, "/~^seq")
	s.keys("G")
	s.waitFor(screenWait, "following")
}

// rotateAndSave rotates the counter's log under the open log page as
// kubelet does, then saves the kept lines with ctrl+s and checks that no
// number is missing across the rotation.
func rotateAndSave(ctx context.Context, t *testing.T, s *screen, d *testbed.Daemon, id string) {
	t.Helper()
	path, err := d.ContainerLogPath(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	old := path + "." + time.Now().UTC().Format("20060102-150405")
	if err := os.Rename(path, old); err != nil {
		t.Fatal(err)
	}
	if err := d.ReopenContainerLog(ctx, id); err != nil {
		t.Fatal(err)
	}
	s.waitFor(screenWait, "log rotated")
	lastOld := maxNumber(readFile(t, old), `seq (\d+)`)
	firstNew := minNumber(readFile(t, path), `seq (\d+)`)
	if firstNew != lastOld+1 {
		t.Fatalf("the counter's rotated log ends at seq %d and the new one starts at seq %d", lastOld, firstNew)
	}
	// Lines written after the rotation reach the screen.
	s.waitUntil(screenWait, fmt.Sprintf("seq %d", lastOld+200), func(txt string) bool { return maxNumber(txt, `seq (\d+)`) > lastOld+200 })

	saved := filepath.Join(t.TempDir(), "counter.log")
	s.keys("C-s")
	s.waitFor(screenWait, "save to:")
	s.keys("C-u")
	s.typeText(saved)
	s.keys("Enter")
	s.waitFor(screenWait, "saved ", "lines to ")
	f, err := os.Open(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	first, prev, n := 0, 0, 0
	for sc.Scan() {
		k, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "seq "))
		if err != nil {
			t.Fatalf("saved line %d is not the counter's: %q", n+1, sc.Text())
		}
		if n == 0 {
			first = k
		} else if k != prev+1 {
			t.Fatalf("saved buffer: seq %d follows seq %d (a line lost or doubled)", k, prev)
		}
		prev = k
		n++
	}
	if first > lastOld || prev <= lastOld+100 {
		t.Errorf("saved seq %d..%d does not span the rotation after seq %d", first, prev, lastOld)
	}
	t.Logf("saved %d lines, seq %d..%d, contiguous across the rotation after seq %d", n, first, prev, lastOld)
}

// partialLines writes a line in three CRI records (P, P, F) to the quiet
// container's log: the page shows it whole once the F record is in, not
// before.
func partialLines(ctx context.Context, t *testing.T, s *screen, d *testbed.Daemon, id string) {
	t.Helper()
	path, err := d.ContainerLogPath(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	openPodContainer(s, "fixture", "quiet")
	s.keys("l")
	s.waitFor(screenWait, "fixture/quiet", "following")
	appendCRI(t, path, "stdout F before the partial line")
	s.waitFor(screenWait, "before the partial line")
	appendCRI(t, path, "stdout P alpha-", "stdout P beta-")
	time.Sleep(500 * time.Millisecond) // less than the 2 s a part waits for its end
	if txt := s.text(); strings.Contains(txt, "alpha-") {
		t.Fatalf("a P record is shown before its F record:\n%s", txt)
	}
	appendCRI(t, path, "stdout F gamma", "stderr F after the partial line")
	txt := s.waitFor(screenWait, "alpha-beta-gamma", "after the partial line")
	if strings.Count(txt, "alpha-") != 1 || strings.Contains(txt, "\ngamma") {
		t.Errorf("the parts are not joined into one line:\n%s", txt)
	}
}

// shellRoundTrip presses s on the row under the cursor, runs echo and stty
// size after a resize to w x h, exits with 3 and checks that ctui is back,
// redrawn, on the page that shows back, with the exit code in the flash
// line (which stands in for the status line a while).
func shellRoundTrip(t *testing.T, s *screen, w, h int, back ...string) {
	t.Helper()
	start := time.Now()
	s.keys("s")
	s.waitFor(screenWait, "/ #")
	t.Logf("shell prompt after %s", time.Since(start).Round(time.Millisecond))
	s.typeText("echo hello-$$")
	s.keys("Enter")
	s.waitMatch(screenWait, `(?m)^hello-\d+\s*$`)
	s.resize(w, h)
	s.typeText("stty size")
	s.keys("Enter")
	s.waitMatch(screenWait, fmt.Sprintf(`(?m)^%d %d\s*$`, h, w))
	s.typeText("exit 3")
	s.keys("Enter")
	txt := s.waitFor(screenWait, append([]string{"exited with code 3"}, back...)...)
	if strings.Contains(txt, "hello-") || strings.Contains(txt, "stty size") {
		t.Errorf("the shell's output is still on screen after ctui came back:\n%s", txt)
	}
	for i, line := range strings.Split(strings.TrimRight(txt, "\n"), "\n") {
		if n := len([]rune(line)); n > w {
			t.Errorf("line %d is %d wide after the resize to %d:\n%s", i, n, w, txt)
		}
	}
}

// openPod opens the page of the pod called name.
func openPod(s *screen, name string) {
	filterPods(s, name)
	s.keys("Enter")
}

// filterPods opens :pods with the cursor on the pod called name.
func filterPods(s *screen, name string) {
	s.keys(":")
	s.typeText("pods")
	s.keys("Enter")
	s.waitFor(screenWait, "POD ID")
	// The pods page comes back with its last filter: replace it.
	s.keys("/", "C-u")
	s.typeText(name)
	s.keys("Enter")
	s.waitFor(screenWait, "1/", name)
}

// openPodContainer opens a pod's page with the cursor on container ctr.
func openPodContainer(s *screen, pod, ctr string) {
	openPod(s, pod)
	s.waitFor(screenWait, "pod default/"+pod, ctr)
	s.keys("/", "C-u")
	s.typeText(ctr)
	s.keys("Enter")
	s.waitFor(screenWait, "1/", ctr)
}

// filterTasks opens :tasks with the cursor on the task called name.
func filterTasks(s *screen, name string) {
	s.keys(":")
	s.typeText("t")
	s.keys("Enter")
	s.waitFor(screenWait, "TASK")
	s.keys("/", "C-u")
	s.typeText(name)
	s.keys("Enter")
	s.waitFor(screenWait, "1/", name)
}

// waitMatch waits until the screen matches the regular expression.
func (s *screen) waitMatch(timeout time.Duration, pattern string) string {
	s.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		if re.MatchString(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen still does not match %q:\n%s", timeout, pattern, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitUntil waits until done is true of the screen; what names it for the
// failure.
func (s *screen) waitUntil(timeout time.Duration, what string, done func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		if done(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen still lacks %s:\n%s", timeout, what, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitNoMatch waits until the screen does not match the regular expression.
func (s *screen) waitNoMatch(timeout time.Duration, pattern string) string {
	s.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(timeout)
	for {
		txt := s.text()
		if !re.MatchString(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen still matches %q:\n%s", timeout, pattern, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logLines is the body of a log page: the screen less its first lines
// (ctui's header and the page's own) and its status line.
func logLines(screenText string) string {
	lines := strings.Split(strings.TrimRight(screenText, "\n"), "\n")
	var body []string
	for _, l := range lines {
		if strings.Contains(l, "following") || strings.Contains(l, "·") {
			continue // the page's header line
		}
		body = append(body, l)
	}
	if len(body) > 0 {
		body = body[:len(body)-1]
	}
	return strings.Join(body, "\n")
}

// maxNumber and minNumber are the largest and smallest number the
// pattern's group captures in s (-1 if none).
func maxNumber(s, pattern string) int {
	return extremeNumber(s, pattern, func(a, b int) bool { return a > b })
}
func minNumber(s, pattern string) int {
	return extremeNumber(s, pattern, func(a, b int) bool { return a < b })
}

func extremeNumber(s, pattern string, better func(a, b int) bool) int {
	best := -1
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(s, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && (best < 0 || better(n, best)) {
			best = n
		}
	}
	return best
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// appendCRI appends records ("stream tag text") to a CRI log, stamped now,
// in one write, as the runtime's log writer would.
func appendCRI(t *testing.T, path string, records ...string) {
	t.Helper()
	var b strings.Builder
	for _, r := range records {
		b.WriteString(time.Now().UTC().Format(time.RFC3339Nano) + " " + r + "\n")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
}
