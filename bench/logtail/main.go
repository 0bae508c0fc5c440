// Command logtail prints the tail of a CRI log the way ctui's log viewer
// opens it (backend/logs), so bench/logs.sh can time it against
// `tail -n N` on the same file. With -gen it writes a CRI log of -size bytes
// first, for benchmarks that need a big one.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctui/ctui/backend/logs"
)

func main() {
	n := flag.Int("n", 1000, "lines to show from the end")
	gen := flag.Bool("gen", false, "write a CRI log of -size bytes to the file instead of reading it")
	size := flag.Int64("size", 1<<30, "bytes to generate with -gen")
	raw := flag.Bool("raw", false, "the file is raw output (ctr run --log-uri), not CRI")
	noop := flag.Bool("noop", false, "exit at once: the cost of starting this binary, for -compare")
	compare := flag.Int("compare", 0, "run `logtail -n N FILE` and `tail -n N FILE` this many times each, as processes, and print the median wall times")
	flag.Parse()
	if *noop {
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: logtail [-n N] [-raw] FILE | logtail -gen [-size BYTES] FILE")
		os.Exit(2)
	}
	path := flag.Arg(0)
	if *gen {
		if err := generate(path, *size); err != nil {
			fmt.Fprintln(os.Stderr, "logtail:", err)
			os.Exit(1)
		}
		return
	}
	if *compare > 0 {
		if err := compareWithTail(path, *n, *compare); err != nil {
			fmt.Fprintln(os.Stderr, "logtail:", err)
			os.Exit(1)
		}
		return
	}
	src := logs.Source{Path: path, Format: logs.FormatCRI, Name: path}
	if *raw {
		src.Format = logs.FormatRaw
	}
	lines, err := logs.Read(context.Background(), src, logs.Options{Tail: *n})
	if err != nil {
		fmt.Fprintln(os.Stderr, "logtail:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	for _, l := range lines {
		w.WriteString(l.Text)
		w.WriteByte('\n')
	}
	w.Flush()
}

// generate writes lines like a busy web server's, on both streams, with one
// in 50 split into P pieces as containerd does for long lines.
func generate(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pad := strings.Repeat("abcdefghij", 30)
	t0 := time.Now().Add(-time.Hour).UTC()
	var written int64
	for i := 0; written < size; i++ {
		ts := t0.Add(time.Duration(i) * time.Microsecond).Format(time.RFC3339Nano)
		stream := "stdout"
		if i%7 == 0 {
			stream = "stderr"
		}
		var k int
		if i%50 == 0 {
			k, _ = fmt.Fprintf(w, "%s %s P line %d part one %s\n%s %s F  part two\n", ts, stream, i, pad[:i%97], ts, stream)
		} else {
			k, _ = fmt.Fprintf(w, "%s %s F line %d level=info msg=%q %s\n", ts, stream, i, "request served", pad[:i%197])
		}
		written += int64(k)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// compareWithTail times both commands as fresh processes, alternating so
// that both see the same page cache and machine load, and prints medians.
// Timing from here rather than from the shell keeps the cost of starting
// `date` out of the figures.
func compareWithTail(path string, n, runs int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmds := [][]string{
		{self, "-n", strconv.Itoa(n), path},
		{"tail", "-n", strconv.Itoa(n), path},
		{self, "-noop"},
	}
	times := make([][]time.Duration, len(cmds)+1)
	src := logs.Source{Path: path, Format: logs.FormatCRI, Name: path}
	for i := 0; i < runs+1; i++ {
		for j, c := range cmds {
			start := time.Now()
			if err := exec.Command(c[0], c[1:]...).Run(); err != nil {
				return fmt.Errorf("%s: %w", strings.Join(c, " "), err)
			}
			if i > 0 { // the first round warms caches
				times[j] = append(times[j], time.Since(start))
			}
		}
		start := time.Now()
		if _, err := logs.Read(context.Background(), src, logs.Options{Tail: n}); err != nil {
			return err
		}
		if i > 0 {
			times[len(cmds)] = append(times[len(cmds)], time.Since(start))
		}
	}
	med := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	ctui, tail, start, inproc := med(times[0]), med(times[1]), med(times[2]), med(times[3])
	fmt.Printf("  ctui (backend/logs), a process:  %6.2f ms\n", ctui)
	fmt.Printf("  tail -n %-6d a process:         %6.2f ms\n", n, tail)
	fmt.Printf("  ratio ctui/tail:                 %6.2fx (target <= 2x)\n", ctui/tail)
	fmt.Printf("  of which starting a Go binary:   %6.2f ms (logtail -noop)\n", start)
	fmt.Printf("  in ctui's running process:       %6.2f ms (what the viewer waits for; %.2fx tail)\n", inproc, inproc/tail)
	return nil
}
