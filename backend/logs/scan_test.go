package logs

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
)

// genCRI writes a CRI log that exercises the tail scan: both streams, lines
// split into P pieces with the other stream's records in between, malformed
// records, empty messages, and optionally an unfinished last record.
func genCRI(rng *rand.Rand, lines int, unfinished bool) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	n := 0
	var open [2]int // P pieces written for a line in flight
	tick := func() string {
		n++
		return t0.Add(time.Duration(n) * time.Millisecond).Format(time.RFC3339Nano)
	}
	for i := 0; i < lines; i++ {
		s := rng.IntN(2)
		name := streamNames[s]
		switch r := rng.IntN(20); {
		case r == 0:
			fmt.Fprintf(&b, "garbage %d\n", i)
		case r < 4 && open[s] < 3:
			fmt.Fprintf(&b, "%s %s P %s-p%d|\n", tick(), name, name, i)
			open[s]++
		case r == 4:
			fmt.Fprintf(&b, "%s %s F \n", tick(), name)
			open[s] = 0
		default:
			fmt.Fprintf(&b, "%s %s F %s-%d\n", tick(), name, name, i)
			open[s] = 0
		}
	}
	if unfinished {
		fmt.Fprintf(&b, "%s stdout F unfinished", tick())
	}
	return b.Bytes()
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tailFrom is the tail as the reader computes it, with a chosen block size.
func tailFrom(t *testing.T, data []byte, format Format, n int, stream string, blockSize int) []backend.LogLine {
	t.Helper()
	r := bytes.NewReader(data)
	want, wantBad := [2]bool{true, true}, true
	if stream != "" {
		want, wantBad = [2]bool{stream == "stdout", stream == "stderr"}, false
	}
	start, err := tailStart(r, int64(len(data)), format, n, want, wantBad, blockSize)
	if err != nil {
		t.Fatal(err)
	}
	d := newDecoder(format, DefaultMaxLineBytes)
	if format == FormatCRI && start > 0 {
		if d.skip, err = orphans(r, start, blockSize); err != nil {
			t.Fatal(err)
		}
	}
	var out []backend.LogLine
	emit := func(l backend.LogLine) {
		if keep(l, stream) {
			out = append(out, l)
		}
	}
	rest := data[start:]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		d.record(rest[:i], emit)
		rest = rest[i+1:]
	}
	if len(rest) > 0 {
		d.record(rest, emit)
	}
	d.flush(emit)
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

func keep(l backend.LogLine, stream string) bool {
	return stream == "" || l.Stream == stream
}

// reference decodes the whole file and keeps the last n lines.
func reference(data []byte, format Format, n int, stream string) []backend.LogLine {
	var out []backend.LogLine
	for _, l := range decodeAll(format, DefaultMaxLineBytes, string(data)) {
		if keep(l, stream) {
			out = append(out, l)
		}
	}
	if n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

func TestTailMatchesFullDecode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 60; iter++ {
		data := genCRI(rng, 50+rng.IntN(400), iter%3 == 0)
		for _, bs := range []int{1, 7, 64, 4096} {
			for _, n := range []int{1, 2, 5, 17, 100, 1000} {
				for _, stream := range []string{"", "stdout", "stderr"} {
					got := tailFrom(t, data, FormatCRI, n, stream, bs)
					want := reference(data, FormatCRI, n, stream)
					if !equalLines(got, want) {
						t.Fatalf("iter %d block %d tail %d stream %q:\ngot  %s\nwant %s\nfile:\n%s", iter, bs, n, stream, dump(got), dump(want), data)
					}
				}
			}
		}
	}
}

func TestTailRaw(t *testing.T) {
	data := []byte("one\ntwo\r\n\nfour\nunfinished")
	for _, bs := range []int{1, 3, 1024} {
		got := tailFrom(t, data, FormatRaw, 3, "", bs)
		want := []backend.LogLine{{Text: ""}, {Text: "four"}, {Text: "unfinished"}}
		if !equalLines(got, want) {
			t.Fatalf("block %d: got %s want %s", bs, dump(got), dump(want))
		}
	}
}

func TestScanBackwardCutsHugeRecords(t *testing.T) {
	data := append(bytes.Repeat([]byte("y"), 3*maxRecord), []byte("\nlast\n")...)
	var recs []int
	err := scanBackward(bytes.NewReader(data), int64(len(data)), 4096, func(off int64, rec []byte) bool {
		recs = append(recs, len(rec))
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	if recs[0] != 4 || len(recs) < 2 {
		t.Fatalf("records %v", recs)
	}
	for _, n := range recs[1:] {
		if n > maxRecord+4096 {
			t.Fatalf("held a record of %d bytes, more than the cap", n)
		}
	}
}

func TestSinceMatchesFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := genCRI(rng, 20000, false)
	t0 := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	p := writeTemp(t, data)
	src := Source{Path: p, Format: FormatCRI, Name: "test"}
	for _, d := range []time.Duration{0, time.Millisecond, 7 * time.Second, 20 * time.Second, time.Hour} {
		since := t0.Add(d)
		var want []backend.LogLine
		for _, l := range reference(data, FormatCRI, 0, "") {
			if !l.Time.Before(since) {
				want = append(want, l)
			}
		}
		got, err := Read(context.Background(), src, Options{Since: since})
		if err != nil {
			t.Fatal(err)
		}
		if !equalLines(got, want) {
			t.Fatalf("since +%v: got %d lines, want %d", d, len(got), len(want))
		}
		// since and tail together: the tail of the window.
		got, err = Read(context.Background(), src, Options{Since: since, Tail: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) > 10 {
			want = want[len(want)-10:]
		}
		if !equalLines(got, want) {
			t.Fatalf("since +%v tail 10: got %s want %s", d, dump(got), dump(want))
		}
	}
}

func TestSinceSearchReadsLittle(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := genCRI(rng, 200000, false)
	cr := &countingReader{r: bytes.NewReader(data)}
	t0 := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	start, err := sinceStart(cr, 0, int64(len(data)), t0.Add(150*time.Second), defaultBlockSize)
	if err != nil {
		t.Fatal(err)
	}
	if cr.n > 2<<20 {
		t.Fatalf("since search read %d of %d bytes", cr.n, len(data))
	}
	if start == 0 || start >= int64(len(data)) {
		t.Fatalf("start %d", start)
	}
}

type countingReader struct {
	r interface {
		ReadAt([]byte, int64) (int, error)
	}
	n int64
}

func (c *countingReader) ReadAt(b []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(b, off)
	c.n += int64(n)
	return n, err
}
