package logs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
)

func seqLines(from, to int) []backend.LogLine {
	var out []backend.LogLine
	for i := from; i <= to; i++ {
		s := backend.StreamStdout
		if i%3 == 0 {
			s = backend.StreamStderr
		}
		out = append(out, backend.LogLine{Seq: uint64(i), Stream: s, Text: fmt.Sprintf("line %d", i)})
	}
	return out
}

func TestRingKeepsNewestWithStableSeq(t *testing.T) {
	r := NewRing(5)
	if d := r.Append(seqLines(1, 3)...); d != 0 || r.Len() != 3 {
		t.Fatalf("dropped %d len %d", d, r.Len())
	}
	if d := r.Append(seqLines(4, 7)...); d != 2 {
		t.Fatalf("dropped %d", d)
	}
	if r.FirstSeq() != 3 || r.LastSeq() != 7 || r.At(0).Text != "line 3" || r.At(4).Text != "line 7" {
		t.Fatalf("first %d last %d", r.FirstSeq(), r.LastSeq())
	}
	if i, ok := r.Index(5); !ok || i != 2 {
		t.Fatalf("Index(5) = %d %v", i, ok)
	}
	if _, ok := r.Get(2); ok {
		t.Fatal("dropped line still found")
	}
	// A batch larger than the ring.
	if d := r.Append(seqLines(8, 20)...); d != 5+13-5 {
		t.Fatalf("dropped %d", d)
	}
	var got []uint64
	for l := range r.All() {
		got = append(got, l.Seq)
	}
	if fmt.Sprint(got) != "[16 17 18 19 20]" {
		t.Fatalf("kept %v", got)
	}
	r.Reset()
	if r.Len() != 0 || r.LastSeq() != 0 {
		t.Fatal("not empty after Reset")
	}
	if NewRing(0).Cap() != DefaultRingLines {
		t.Fatal("default capacity")
	}
}

func TestRingFilterCoversWholeBufferAndSearch(t *testing.T) {
	r := NewRing(1000)
	r.Append(seqLines(1, 2500)...) // keeps 1501..2500
	m, err := Compile(Query{Pattern: "LINE 15", Stream: backend.StreamStderr})
	if err != nil {
		t.Fatal(err)
	}
	// Upper case in the pattern: case matters, nothing matches.
	if got := r.Filter(m); len(got) != 0 {
		t.Fatalf("case-sensitive filter matched %v", got)
	}
	m, _ = Compile(Query{Pattern: "line 15", Stream: backend.StreamStderr})
	got := r.Filter(m)
	// 1501..1599 with seq%3==0, plus nothing else: the oldest lines of the
	// buffer are filtered too, not only a screenful.
	if len(got) != 33 || got[0] != 1503 || got[len(got)-1] != 1599 {
		t.Fatalf("filter: %d seqs %v…", len(got), got[:min(3, len(got))])
	}
	if n := len(r.Filter(nil)); n != 1000 {
		t.Fatalf("nil matcher kept %d", n)
	}
	re, err := Compile(Query{Pattern: `^line 2(4|5)00$`, Regexp: true})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := r.Search(re, 0, true); !ok || s != 2400 {
		t.Fatalf("search from a dropped seq: %d %v", s, ok)
	}
	if s, ok := r.Search(re, 2400, true); !ok || s != 2500 {
		t.Fatalf("next: %d %v", s, ok)
	}
	if _, ok := r.Search(re, 2500, true); ok {
		t.Fatal("search past the end found something")
	}
	if s, ok := r.Search(re, 2500, false); !ok || s != 2400 {
		t.Fatalf("previous: %d %v", s, ok)
	}
	if _, ok := r.Search(re, 2400, false); ok {
		t.Fatal("search before the first match found something")
	}
	if _, err := Compile(Query{Pattern: "(", Regexp: true}); !errors.Is(err, backend.ErrInvalid) {
		t.Fatalf("bad regexp: %v", err)
	}
}

func TestMatcherFind(t *testing.T) {
	tests := []struct {
		q    Query
		text string
		want string
	}{
		{Query{Pattern: "err"}, "ERR: error", "[[0 3] [5 8]]"},
		{Query{Pattern: "Err"}, "ERR: Error", "[[5 8]]"},
		{Query{Pattern: `\d+`, Regexp: true}, "a 12 b 345", "[[2 4] [7 10]]"},
		{Query{Pattern: `x*`, Regexp: true}, "abc", "[]"},
		{Query{Pattern: "é"}, "café É", "[[3 5]]"},
	}
	for _, tc := range tests {
		m, err := Compile(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(m.Find(tc.text)); got != tc.want && !(tc.want == "[]" && got == "[]") {
			t.Errorf("%+v in %q: got %s want %s", tc.q, tc.text, got, tc.want)
		}
		if !m.Match(backend.LogLine{Text: tc.text}) && tc.want != "[]" {
			t.Errorf("%+v does not match %q", tc.q, tc.text)
		}
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "web.log")
	os.WriteFile(p, []byte("previous content\n"), 0o600)
	t0 := time.Date(2026, 11, 21, 22, 40, 24, 499102475, time.UTC)
	r := NewRing(10)
	r.Append(
		backend.LogLine{Seq: 1, Time: t0, Stream: "stdout", Text: "hello"},
		backend.LogLine{Seq: 2, Stream: "", Text: "raw"},
	)
	n, err := Save(p, r.All(), SaveOptions{Timestamps: true, Streams: true})
	if err != nil || n != 2 {
		t.Fatalf("Save: %d %v", n, err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "2026-11-21T22:40:24.499102475Z stdout hello\nraw\n" {
		t.Fatalf("saved %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	_, err = Save(filepath.Join(dir, "no/such/dir/x.log"), r.All(), SaveOptions{})
	if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing dir: %v", err)
	}
}
