// Package logstest holds the scenarios ctui's log reader (backend/logs) must
// pass wherever a node's files are read: on the machine ctui runs on
// (backend/logs' own tests) and on a remote node over SSH (backend/remote's,
// through sftp). Each test passes its own filesystem (logs.FS) and sources;
// the scenario, the daemon's pods and the checks are the same.
package logstest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/backend/testbed"
)

// Node is what Seed ran on a real daemon for the scenarios to read.
type Node struct {
	// Logger is the logging pod's container (testbed.LoggingPod: "line N"
	// on stdout every half second, "warning N" on stderr every fifth).
	Logger string
	// Attempts are the crash loop's containers, attempt 0 then attempt 1
	// (testbed.CrashLoopPod).
	Attempts []string
}

// TaskID is the native task (namespace "default") Seed starts with a
// file:// log, for TaskLog.
const TaskID = "printer"

// Seed runs on d what the scenarios read: the logging pod, a crash loop
// restarted once, and the native task TaskID with a file log.
func Seed(ctx context.Context, t testing.TB, d *testbed.Daemon) Node {
	t.Helper()
	_, logIDs, err := d.RunPod(ctx, testbed.LoggingPod("logger"))
	if err != nil {
		t.Fatal(err)
	}
	_, crashIDs, err := d.RunPod(ctx, testbed.CrashLoopPod("crasher"))
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := d.CrashLoop(ctx, crashIDs[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	taskLog := filepath.Join(d.Dir, "tasklogs", TaskID+".log")
	if err := d.RunTask(ctx, "default", TaskID, testbed.BusyboxImage, taskLog,
		"sh", "-c", `echo "task out"; echo "task err" >&2; sleep 3600`); err != nil {
		t.Fatal(err)
	}
	return Node{Logger: logIDs[0], Attempts: attempts}
}

// ByID indexes CRI's pod containers by id.
func ByID(ctrs []backend.PodContainer) map[string]backend.PodContainer {
	byID := make(map[string]backend.PodContainer, len(ctrs))
	for _, c := range ctrs {
		byID[c.ID] = c
	}
	return byID
}

// Follower follows one log as the log page does (logs.Open with Follow and
// Tail 5) and keeps every line and notice the reader gave.
type Follower struct {
	t        testing.TB
	r        *logs.Reader
	deadline <-chan time.Time
	atEnd    bool

	// Got is every line read, the history first.
	Got []backend.LogLine
	// Notices are the batches' notices, in order.
	Notices []string
	// Live counts the lines read after the history.
	Live int
}

// Follow opens src to follow; every Collect gives up, failing the test,
// within the given time of the open. The reader ends with ctx.
func Follow(ctx context.Context, t testing.TB, src logs.Source, within time.Duration) *Follower {
	t.Helper()
	r, err := logs.Open(ctx, src, logs.Options{Follow: true, Tail: 5})
	if err != nil {
		t.Fatal(err)
	}
	return &Follower{t: t, r: r, deadline: time.After(within)}
}

// Collect reads until want lines came after the history, a line from
// stderr is among those read, and (notice not "") a notice holding notice
// came.
func (f *Follower) Collect(want int, notice string) {
	f.t.Helper()
	for f.Live < want || !hasStderr(f.Got) || (notice != "" && !strings.Contains(strings.Join(f.Notices, "|"), notice)) {
		select {
		case b, ok := <-f.r.Batches():
			if !ok || b.Err != nil {
				f.t.Fatalf("reader ended: %v", b.Err)
			}
			if f.atEnd {
				f.Live += len(b.Lines)
			}
			f.atEnd = f.atEnd || b.AtEnd
			if b.Notice != "" {
				f.Notices = append(f.Notices, b.Notice)
			}
			f.Got = append(f.Got, b.Lines...)
		case <-f.deadline:
			f.t.Fatalf("%d lines, notices %q (waiting for %d live lines and %q):\n%s", len(f.Got), f.Notices, want, notice, Texts(f.Got))
		}
	}
}

// CheckOrder fails the test unless every "line N" read so far came once,
// in order, numbered from 1 with a time, each on its stream (the lines on
// stdout, the warnings on stderr).
func (f *Follower) CheckOrder() {
	f.t.Helper()
	prev := 0
	for _, l := range f.Got {
		var n int
		if _, err := fmt.Sscanf(l.Text, "line %d", &n); err != nil {
			continue
		}
		if prev != 0 && n != prev+1 {
			f.t.Fatalf("line %d after line %d:\n%s", n, prev, Texts(f.Got))
		}
		prev = n
	}
	for i, l := range f.Got {
		if l.Seq != uint64(i+1) || l.Time.IsZero() {
			f.t.Fatalf("line %d: %+v", i, l)
		}
		switch {
		case strings.HasPrefix(l.Text, "line "):
			if l.Stream != backend.StreamStdout {
				f.t.Fatalf("%q on %s", l.Text, l.Stream)
			}
		case strings.HasPrefix(l.Text, "warning "):
			if l.Stream != backend.StreamStderr {
				f.t.Fatalf("%q on %s", l.Text, l.Stream)
			}
		default:
			f.t.Fatalf("unexpected line %q", l.Text)
		}
	}
}

// FollowAcrossRotation is the follow scenario: src, the logging pod's log
// (read through src.FS), followed from its last lines (some history, then
// three live lines and a warning), rotated as kubelet does (renamed away,
// then the runtime reopens it at the same path) and read on past the
// rotation's notice, with every line once and in order. It returns the
// follower for a caller's further steps.
func FollowAcrossRotation(ctx context.Context, t testing.TB, d *testbed.Daemon, n Node, src logs.Source, within time.Duration) *Follower {
	t.Helper()
	f := Follow(ctx, t, src, within)
	f.Collect(3, "")
	if len(f.Got) < 5 {
		t.Fatalf("history of %d lines: %s", len(f.Got), Texts(f.Got))
	}
	if err := os.Rename(src.Path, src.Path+".20261121-224024"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond) // a line or two into the renamed file
	if err := d.ReopenContainerLog(ctx, n.Logger); err != nil {
		t.Fatal(err)
	}
	f.Collect(f.Live+4, "log rotated")
	f.CheckOrder()
	return f
}

// PreviousAttempt is the crash loop scenario: the previous attempt's log of
// attempt 1, found by previous (logs.PreviousSource, or PreviousSourceOn a
// remote node's files), holds what attempt 0 printed on each stream, and
// attempt 0 has none.
func PreviousAttempt(ctx context.Context, t testing.TB, n Node, byID map[string]backend.PodContainer, previous func(backend.PodContainer) (logs.Source, error)) {
	t.Helper()
	cur := byID[n.Attempts[1]]
	if cur.Attempt != 1 {
		t.Fatalf("attempt %d", cur.Attempt)
	}
	src, err := previous(cur)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := logs.Read(ctx, src, logs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if text := Texts(lines); !strings.Contains(text, "stdout starting attempt") || !strings.Contains(text, "stderr fatal: missing config /etc/app.conf") {
		t.Fatalf("previous log:\n%s", text)
	}
	if _, err := previous(byID[n.Attempts[0]]); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("attempt 0 has a previous log? %v", err)
	}
}

// TaskLog is the native task scenario: task TaskID, listed by native, has a
// file:// log that reads (through fsys; nil is the local filesystem) as the
// two lines it printed, one on each stream, once the task wrote them.
func TaskLog(ctx context.Context, t testing.TB, native backend.Native, fsys logs.FS) {
	t.Helper()
	cs, err := native.Containers(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	var task *backend.Task
	for _, c := range cs {
		if c.ID == TaskID {
			task = c.Task
		}
	}
	if task == nil {
		t.Fatalf("task %s not listed", TaskID)
	}
	src, err := logs.TaskSource(*task)
	if err != nil {
		t.Fatalf("stdout %q: %v", task.Stdout, err)
	}
	src.FS = fsys
	var lines []backend.LogLine
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && len(lines) < 2; time.Sleep(200 * time.Millisecond) {
		if lines, err = logs.Read(ctx, src, logs.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := Texts(lines); got != " task out\n task err\n" && got != " task err\n task out\n" {
		t.Fatalf("task log:\n%q", got)
	}
}

// Texts is the lines one a line, each after its stream, for failures.
func Texts(ls []backend.LogLine) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Stream + " " + l.Text + "\n")
	}
	return b.String()
}

func hasStderr(ls []backend.LogLine) bool {
	for _, l := range ls {
		if l.Stream == backend.StreamStderr {
			return true
		}
	}
	return false
}
