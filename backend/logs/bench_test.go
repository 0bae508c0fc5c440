package logs

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
)

var bigLogMB = flag.Int("logs.bigmb", 1024, "size in MiB of the log BenchmarkTailOpen generates")

// GenerateCRILog writes a CRI log of about size bytes at path: lines of
// varied length on both streams, one in 50 split into P pieces, timestamps
// one microsecond apart from start.
func generateCRILog(tb testing.TB, path string, size int64, start time.Time) int {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	pad := strings.Repeat("abcdefghij", 30)
	var written int64
	lines := 0
	for i := 0; written < size; i++ {
		ts := start.Add(time.Duration(i) * time.Microsecond).Format(time.RFC3339Nano)
		stream := "stdout"
		if i%7 == 0 {
			stream = "stderr"
		}
		var n int
		if i%50 == 0 {
			n, _ = fmt.Fprintf(w, "%s %s P line %d part one %s\n%s %s F  part two\n", ts, stream, i, pad[:i%97], ts, stream)
		} else {
			n, _ = fmt.Fprintf(w, "%s %s F line %d level=info msg=%q %s\n", ts, stream, i, "request served", pad[:i%197])
		}
		written += int64(n)
		lines++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return lines
}

// TestTailBigFile opens the tail of a ~200 MB log and checks it against a
// full read. Skipped under -short.
func TestTailBigFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB log")
	}
	p := filepath.Join(t.TempDir(), "0.log")
	t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	total := generateCRILog(t, p, 200<<20, t0)
	src := Source{Path: p, Format: FormatCRI, Name: "big"}
	start := time.Now()
	got, err := Read(context.Background(), src, Options{Tail: 1000})
	if err != nil {
		t.Fatal(err)
	}
	tailTime := time.Since(start)
	if len(got) != 1000 || !strings.HasPrefix(got[999].Text, fmt.Sprintf("line %d ", total-1)) {
		t.Fatalf("got %d lines, last %q", len(got), got[len(got)-1].Text)
	}
	start = time.Now()
	all, err := Read(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fullTime := time.Since(start)
	if len(all) != total {
		t.Fatalf("full read: %d lines, want %d", len(all), total)
	}
	if !equalLines(got, all[len(all)-1000:]) {
		t.Fatal("tail differs from the end of the full read")
	}
	// since in the middle: binary search, then the window to the end.
	since := t0.Add(time.Duration(total-500) * time.Microsecond)
	win, err := Read(context.Background(), src, Options{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(win) != 500 || !equalLines(win, all[len(all)-500:]) {
		t.Fatalf("since window: %d lines", len(win))
	}
	t.Logf("%d lines, 200 MiB: tail 1000 in %v, full read in %v", total, tailTime, fullTime)
}

// BenchmarkDecodeCRI measures the parser alone: records to LogLines.
func BenchmarkDecodeCRI(b *testing.B) {
	var buf bytes.Buffer
	ts := time.Now().UTC()
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "%s stdout F GET /api/v1/items/%d 200 1.2ms user-agent=kube-probe/1.31\n", ts.Add(time.Duration(i)).Format(time.RFC3339Nano), i)
	}
	recs := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	d := newDecoder(FormatCRI, DefaultMaxLineBytes)
	n := 0
	emit := func(backend.LogLine) { n++ }
	b.SetBytes(int64(buf.Len() / len(recs)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.record(recs[i%len(recs)], emit)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReadCRI measures whole-file reading through a Reader (file I/O,
// record splitting, decoding, batching).
func BenchmarkReadCRI(b *testing.B) {
	p := filepath.Join(b.TempDir(), "0.log")
	lines := generateCRILog(b, p, 64<<20, time.Now())
	src := Source{Path: p, Format: FormatCRI}
	b.ResetTimer()
	var total int
	for i := 0; i < b.N; i++ {
		r, err := Open(context.Background(), src, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for batch := range r.Batches() {
			total += len(batch.Lines)
		}
	}
	if total != lines*b.N {
		b.Fatalf("read %d lines", total)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkTailOpen compares opening the last 1000 lines of a 1 GiB log
// (-logs.bigmb) with reading it whole, as a viewer without the backward scan
// would.
func BenchmarkTailOpen(b *testing.B) {
	p := filepath.Join(b.TempDir(), "0.log")
	generateCRILog(b, p, int64(*bigLogMB)<<20, time.Now())
	src := Source{Path: p, Format: FormatCRI}
	b.Run("tail1000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			lines, err := Read(context.Background(), src, Options{Tail: 1000})
			if err != nil || len(lines) != 1000 {
				b.Fatal(len(lines), err)
			}
		}
	})
	b.Run("readWholeBytes", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f, _ := os.Open(p)
			io.Copy(io.Discard, f)
			f.Close()
		}
	})
	b.Run("decodeWhole", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, _ := Open(context.Background(), src, Options{})
			for range r.Batches() {
			}
		}
	})
}

// BenchmarkFollow measures lines/s from a writer appending as fast as it can
// to delivery, every line checked.
func BenchmarkFollow(b *testing.B) {
	p := filepath.Join(b.TempDir(), "0.log")
	os.WriteFile(p, nil, 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := Open(ctx, Source{Path: p, Format: FormatCRI}, Options{Follow: true})
	if err != nil {
		b.Fatal(err)
	}
	<-r.Batches()
	b.ResetTimer()
	go func() {
		f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		defer f.Close()
		w := bufio.NewWriterSize(f, 64<<10)
		ts := time.Now().UTC().Format(time.RFC3339Nano)
		for i := 0; i < b.N; i++ {
			fmt.Fprintf(w, "%s stdout F line %d\n", ts, i)
		}
		w.Flush()
	}()
	var got uint64
	for got < uint64(b.N) {
		batch := <-r.Batches()
		for _, l := range batch.Lines {
			got++
			if l.Seq != got {
				b.Fatalf("seq %d, want %d", l.Seq, got)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
