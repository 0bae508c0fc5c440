package logs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

func criLine(stream, tag, msg string) string {
	return time.Now().UTC().Format(time.RFC3339Nano) + " " + stream + " " + tag + " " + msg + "\n"
}

func appendFile(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// collector drains a Reader the way the UI would, recording when each line
// arrived.
type collector struct {
	mu      sync.Mutex
	lines   []backend.LogLine
	arrived []time.Time
	notices []string
	atEnd   int
	err     error
	closed  bool
}

func collect(t *testing.T, ctx context.Context, src Source, opts Options) *collector {
	t.Helper()
	r, err := Open(ctx, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	go func() {
		for b := range r.Batches() {
			now := time.Now()
			c.mu.Lock()
			c.lines = append(c.lines, b.Lines...)
			for range b.Lines {
				c.arrived = append(c.arrived, now)
			}
			if b.Notice != "" {
				c.notices = append(c.notices, b.Notice)
			}
			if b.AtEnd {
				c.atEnd++
			}
			if b.Err != nil {
				c.err = b.Err
			}
			c.mu.Unlock()
		}
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
	}()
	return c
}

func (c *collector) waitFor(t *testing.T, what string, cond func(c *collector) bool) {
	t.Helper()
	deadline := time.Now().Add(testclock.Generous)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		ok := cond(c)
		c.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Fatalf("timed out waiting for %s; have %d lines %s, notices %q, err %v", what, len(c.lines), dump(c.lines[max(0, len(c.lines)-5):]), c.notices, c.err)
}

func (c *collector) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.lines))
	for i, l := range c.lines {
		out[i] = l.Text
	}
	return out
}

func (c *collector) checkSeq(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, l := range c.lines {
		if l.Seq != uint64(i+1) {
			t.Fatalf("line %d has Seq %d", i, l.Seq)
		}
	}
}

func hasLines(n int) func(c *collector) bool {
	return func(c *collector) bool { return len(c.lines) >= n }
}

func numbered(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

func TestReadOptions(t *testing.T) {
	var b strings.Builder
	for i := range 10 {
		b.WriteString(criLine("stdout", "F", fmt.Sprintf("out%d", i)))
		b.WriteString(criLine("stderr", "F", fmt.Sprintf("err%d", i)))
	}
	p := writeTemp(t, []byte(b.String()))
	src := Source{Path: p, Format: FormatCRI, Name: "container web (attempt 0)"}
	ctx := context.Background()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"tail", Options{Tail: 3}, "err8,out9,err9"},
		{"tail stderr", Options{Tail: 2, Stream: "stderr"}, "err8,err9"},
		{"stdout only", Options{Stream: "stdout", Tail: 100}, strings.Join(numbered("out", 0, 10), ",")},
		{"limit bytes cuts the last line", Options{Tail: 3, LimitBytes: 7}, "err8,ou"},
		{"new only", Options{Tail: NewOnly}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines, err := Read(ctx, src, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, l := range lines {
				got = append(got, l.Text)
				if l.Seq != uint64(i+1) {
					t.Fatalf("Seq %d at %d", l.Seq, i)
				}
			}
			if strings.Join(got, ",") != tc.want {
				t.Fatalf("got %q want %q", strings.Join(got, ","), tc.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, err := Open(ctx, Source{Path: filepath.Join(dir, "0.log"), Format: FormatCRI, Name: "container web (attempt 0)"}, Options{})
	if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing file: %v", err)
	}
	raw := Source{Path: filepath.Join(dir, "x"), Format: FormatRaw, Name: "task x"}
	if _, err := Open(ctx, raw, Options{Stream: "stderr"}); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("raw with stream filter: %v", err)
	}
	if _, err := Open(ctx, raw, Options{Since: time.Now()}); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("raw with since: %v", err)
	}
	if _, err := Open(ctx, raw, Options{Stream: "stdin"}); !errors.Is(err, backend.ErrInvalid) {
		t.Fatalf("bad stream: %v", err)
	}
	if os.Geteuid() != 0 {
		p := writeTemp(t, []byte("x\n"))
		os.Chmod(p, 0)
		if _, err := Open(ctx, Source{Path: p, Format: FormatRaw}, Options{}); !errors.Is(err, backend.ErrPermission) {
			t.Fatalf("unreadable: %v", err)
		}
	}
}

func TestFollowAppendsEveryLine(t *testing.T) {
	p := writeTemp(t, []byte(criLine("stdout", "F", "old0")+criLine("stdout", "F", "old1")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := collect(t, ctx, Source{Path: p, Format: FormatCRI}, Options{Follow: true, Tail: 1})
	c.waitFor(t, "history", func(c *collector) bool { return c.atEnd > 0 })
	var worst time.Duration
	for i := range 10 {
		written := time.Now()
		appendFile(t, p, criLine("stderr", "F", fmt.Sprintf("new%d", i)))
		c.waitFor(t, "new line", hasLines(i+2))
		c.mu.Lock()
		lat := c.arrived[i+1].Sub(written)
		c.mu.Unlock()
		worst = max(worst, lat)
		time.Sleep(time.Duration(i*7) * time.Millisecond)
	}
	// How fast is measured by bench/logbench; here only that every line
	// arrives, within waitFor's generous deadline.
	t.Logf("worst follow latency %v", worst)
	want := append([]string{"old1"}, numbered("new", 0, 10)...)
	if got := c.texts(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v", got)
	}
	c.checkSeq(t)
	cancel()
	c.waitFor(t, "close", func(c *collector) bool { return c.closed })
}

// TestFollowRotationByRename rotates as kubelet does: rename N.log to
// N.log.<time>, the runtime writes a little more to the old file before it
// reopens, then writes to a new N.log.
func TestFollowRotationByRename(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "0.log")
	appendFile(t, p, criLine("stdout", "F", "a0"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := collect(t, ctx, Source{Path: p, Format: FormatCRI, Name: "container web (attempt 0)"}, Options{Follow: true})
	c.waitFor(t, "history", hasLines(1))

	old, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 50; i++ {
		old.WriteString(criLine("stdout", "F", fmt.Sprintf("a%d", i)))
	}
	if err := os.Rename(p, p+".20261121-224024"); err != nil {
		t.Fatal(err)
	}
	// The runtime has not reopened yet: a line split across the rotation.
	for i := 50; i < 60; i++ {
		old.WriteString(criLine("stdout", "F", fmt.Sprintf("a%d", i)))
	}
	old.WriteString(criLine("stdout", "P", "split-"))
	appendFile(t, p, criLine("stdout", "F", "across"))
	old.WriteString(criLine("stderr", "F", "a60"))
	old.Close()
	for i := 0; i < 50; i++ {
		appendFile(t, p, criLine("stdout", "F", fmt.Sprintf("b%d", i)))
	}
	c.waitFor(t, "all lines", hasLines(112))
	time.Sleep(150 * time.Millisecond) // nothing more may come
	want := append(append(numbered("a", 0, 60), "a60", "split-across"), numbered("b", 0, 50)...)
	got := c.texts()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	c.checkSeq(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !strings.Contains(strings.Join(c.notices, "|"), "rotated") {
		t.Fatalf("no rotation notice: %q", c.notices)
	}
}

func TestFollowTruncation(t *testing.T) {
	p := writeTemp(t, []byte("one\ntwo\nthree\n"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := collect(t, ctx, Source{Path: p, Format: FormatRaw, Name: "task web"}, Options{Follow: true})
	c.waitFor(t, "history", hasLines(3))
	// copytruncate: the file is copied away, then cut to zero in place;
	// the writer keeps its O_APPEND descriptor.
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(120 * time.Millisecond)
	appendFile(t, p, "four\nfive\n")
	c.waitFor(t, "after truncation", hasLines(5))
	if got := strings.Join(c.texts(), ","); got != "one,two,three,four,five" {
		t.Fatalf("got %s", got)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !strings.Contains(strings.Join(c.notices, "|"), "truncated") {
		t.Fatalf("no truncation notice: %q", c.notices)
	}
}

func TestFollowPartialLineCompletedLater(t *testing.T) {
	for _, format := range []Format{FormatRaw, FormatCRI} {
		t.Run(format.String(), func(t *testing.T) {
			p := writeTemp(t, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := collect(t, ctx, Source{Path: p, Format: format}, Options{Follow: true})
			c.waitFor(t, "history", func(c *collector) bool { return c.atEnd > 0 })
			if format == FormatRaw {
				appendFile(t, p, "hel")
				time.Sleep(200 * time.Millisecond)
				appendFile(t, p, "lo\nnext\n")
			} else {
				line := criLine("stdout", "P", "hel")
				appendFile(t, p, line[:10]) // even a record cut mid-write
				time.Sleep(100 * time.Millisecond)
				appendFile(t, p, line[10:])
				time.Sleep(100 * time.Millisecond)
				appendFile(t, p, criLine("stdout", "F", "lo")+criLine("stdout", "F", "next"))
			}
			c.waitFor(t, "lines", hasLines(2))
			time.Sleep(100 * time.Millisecond)
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(c.lines) != 2 || c.lines[0].Text != "hello" || c.lines[0].Partial || c.lines[1].Text != "next" {
				t.Fatalf("got %s", dump(c.lines))
			}
		})
	}
}

func TestFollowFlushesAStuckPartialLine(t *testing.T) {
	p := writeTemp(t, []byte("Password: "))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := collect(t, ctx, Source{Path: p, Format: FormatRaw}, Options{Follow: true, FlushAfter: 100 * time.Millisecond})
	c.waitFor(t, "flushed partial", hasLines(1))
	appendFile(t, p, "ok\n")
	c.waitFor(t, "rest", hasLines(2))
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.lines[0]; l.Text != "Password: " || !l.Partial || c.lines[1].Text != "ok" {
		t.Fatalf("got %s", dump(c.lines))
	}
}

func TestFollowFileNotThereYetAndDeleted(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "0.log")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := collect(t, ctx, Source{Path: p, Format: FormatCRI, Name: "container web (attempt 0)"}, Options{Follow: true, Tail: 10})
	c.waitFor(t, "waiting notice", func(c *collector) bool { return len(c.notices) > 0 })
	appendFile(t, p, criLine("stdout", "F", "first"))
	c.waitFor(t, "first line", hasLines(1))
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "removed notice", func(c *collector) bool {
		return strings.Contains(strings.Join(c.notices, "|"), "removed")
	})
	appendFile(t, p, criLine("stdout", "F", "second"))
	c.waitFor(t, "line in the new file", hasLines(2))
	if got := strings.Join(c.texts(), ","); got != "first,second" {
		t.Fatalf("got %s", got)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !strings.Contains(c.notices[0], "waiting for the log of container web (attempt 0) to appear") {
		t.Fatalf("notices %q", c.notices)
	}
}

func TestFollowCancelCloses(t *testing.T) {
	p := writeTemp(t, []byte("x\n"))
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, Source{Path: p, Format: FormatRaw}, Options{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	<-r.Batches()
	cancel()
	select {
	case _, ok := <-r.Batches():
		if ok {
			// one more batch may have been in flight
			if _, ok := <-r.Batches(); ok {
				t.Fatal("channel still open after cancel")
			}
		}
	case <-time.After(time.Second):
		t.Fatal("reader did not stop")
	}
}

// TestFollowThroughput writes as fast as it can while following and checks
// every line arrives once, in order.
func TestFollowThroughput(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 50000
	}
	p := writeTemp(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := collect(t, ctx, Source{Path: p, Format: FormatCRI}, Options{Follow: true})
	c.waitFor(t, "history", func(c *collector) bool { return c.atEnd > 0 })
	start := time.Now()
	go func() {
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		defer f.Close()
		var b strings.Builder
		ts := time.Now().UTC().Format(time.RFC3339Nano)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%s stdout F line %d of the throughput test, with some padding text\n", ts, i)
			if b.Len() > 32<<10 {
				f.WriteString(b.String())
				b.Reset()
			}
		}
		f.WriteString(b.String())
	}()
	c.waitFor(t, "all lines", hasLines(n))
	el := time.Since(start)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, l := range c.lines {
		if want := fmt.Sprintf("line %d of", i); !strings.HasPrefix(l.Text, want) || l.Seq != uint64(i+1) {
			t.Fatalf("line %d: %q seq %d", i, l.Text, l.Seq)
		}
	}
	t.Logf("%d lines written and followed in %v (%.0f lines/s)", n, el, float64(n)/el.Seconds())
}
