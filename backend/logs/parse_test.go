package logs

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
)

func decodeAll(format Format, maxLine int, in string) []backend.LogLine {
	d := newDecoder(format, maxLine)
	var out []backend.LogLine
	emit := func(l backend.LogLine) { out = append(out, l) }
	data := []byte(in)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		d.record(data[:i], emit)
		data = data[i+1:]
	}
	if len(data) > 0 {
		d.record(data, emit)
	}
	d.flush(emit)
	return out
}

const ts1 = "2026-11-21T22:40:24.499102475Z"
const ts2 = "2026-11-21T22:40:25Z"

func TestDecodeCRI(t *testing.T) {
	t1, _ := time.Parse(time.RFC3339Nano, ts1)
	t2, _ := time.Parse(time.RFC3339Nano, ts2)
	big := strings.Repeat("x", 16<<10)
	type L = backend.LogLine
	tests := []struct {
		name string
		in   string
		want []L
	}{
		{"full lines", ts1 + " stdout F hello\n" + ts2 + " stderr F oops\n",
			[]L{{Time: t1, Stream: "stdout", Text: "hello"}, {Time: t2, Stream: "stderr", Text: "oops"}}},
		{"partial joined until F, time of the first piece", ts1 + " stdout P hel\n" + ts2 + " stdout P l\n" + ts2 + " stdout F o\n",
			[]L{{Time: t1, Stream: "stdout", Text: "hello"}}},
		{"16 KiB split", ts1 + " stdout P " + big + "\n" + ts1 + " stdout P " + big + "\n" + ts2 + " stdout F end\n",
			[]L{{Time: t1, Stream: "stdout", Text: big + big + "end"}}},
		{"streams joined separately when interleaved", ts1 + " stdout P out-\n" + ts1 + " stderr P err-\n" + ts2 + " stderr F 1\n" + ts2 + " stdout F 2\n",
			[]L{{Time: t1, Stream: "stderr", Text: "err-1"}, {Time: t1, Stream: "stdout", Text: "out-2"}}},
		{"empty message with space", ts1 + " stdout F \n", []L{{Time: t1, Stream: "stdout", Text: ""}}},
		{"empty message without space", ts1 + " stdout F\n", []L{{Time: t1, Stream: "stdout", Text: ""}}},
		{"message keeps inner spaces", ts1 + " stdout F  two  spaces \n", []L{{Time: t1, Stream: "stdout", Text: " two  spaces "}}},
		{"CRLF", ts1 + " stdout F dos\r\n", []L{{Time: t1, Stream: "stdout", Text: "dos"}}},
		{"CR only at the end of the joined line", ts1 + " stdout P a\r\n" + ts1 + " stdout F b\r\n", []L{{Time: t1, Stream: "stdout", Text: "a\rb"}}},
		{"extra tags", ts1 + " stdout F:x:y tagged\n", []L{{Time: t1, Stream: "stdout", Text: "tagged"}}},
		{"unknown tag is a full line", ts1 + " stdout Z what\n", []L{{Time: t1, Stream: "stdout", Text: "what"}}},
		{"malformed: no stream", "just some text\n", []L{{Text: "just some text"}}},
		{"malformed: bad time", "yesterday stdout F hi\n", []L{{Text: "yesterday stdout F hi"}}},
		{"malformed: bad stream", ts1 + " stdin F hi\n", []L{{Text: ts1 + " stdin F hi"}}},
		{"malformed: no tag", ts1 + " stdout \n", []L{{Text: ts1 + " stdout "}}},
		{"empty record", "\n", []L{{Text: ""}}},
		{"malformed does not break a join", ts1 + " stdout P a\nnoise\n" + ts1 + " stdout F b\n",
			[]L{{Text: "noise"}, {Time: t1, Stream: "stdout", Text: "ab"}}},
		{"partial at the end is flushed as Partial", ts1 + " stdout F one\n" + ts2 + " stdout P tw\n",
			[]L{{Time: t1, Stream: "stdout", Text: "one"}, {Time: t2, Stream: "stdout", Text: "tw", Partial: true}}},
		{"unfinished last record", ts1 + " stdout F one\n" + ts2 + " stdout F tw",
			[]L{{Time: t1, Stream: "stdout", Text: "one"}, {Time: t2, Stream: "stdout", Text: "tw"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeAll(FormatCRI, DefaultMaxLineBytes, tc.in)
			if !equalLines(got, tc.want) {
				t.Fatalf("got  %s\nwant %s", dump(got), dump(tc.want))
			}
		})
	}
}

func TestDecodeRaw(t *testing.T) {
	type L = backend.LogLine
	tests := []struct {
		name string
		in   string
		want []L
	}{
		{"lines", "a\nb\n", []L{{Text: "a"}, {Text: "b"}}},
		{"CRLF", "a\r\nb\r\n", []L{{Text: "a"}, {Text: "b"}}},
		{"empty lines", "\n\nx\n", []L{{Text: ""}, {Text: ""}, {Text: "x"}}},
		{"looks like CRI but is raw", ts1 + " stdout F hi\n", []L{{Text: ts1 + " stdout F hi"}}},
		{"cut at the line limit", "abcdefghij\n", []L{{Text: "abcd", Partial: true}, {Text: "efgh", Partial: true}, {Text: "ij"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			max := DefaultMaxLineBytes
			if strings.HasPrefix(tc.name, "cut") {
				max = 4
			}
			got := decodeAll(FormatRaw, max, tc.in)
			if !equalLines(got, tc.want) {
				t.Fatalf("got  %s\nwant %s", dump(got), dump(tc.want))
			}
		})
	}
}

func TestDecodeCRILineLimit(t *testing.T) {
	in := ts1 + " stdout P 12345\n" + ts1 + " stdout P 67890\n" + ts1 + " stdout F ab\n"
	got := decodeAll(FormatCRI, 8, in)
	want := []backend.LogLine{
		{Stream: "stdout", Text: "1234567890", Partial: true},
		{Stream: "stdout", Text: "ab"},
	}
	for i := range got {
		got[i].Time = time.Time{}
	}
	if !equalLines(got, want) {
		t.Fatalf("got  %s\nwant %s", dump(got), dump(want))
	}
}

func TestDecoderSkip(t *testing.T) {
	d := newDecoder(FormatCRI, 0)
	d.skip[streamOut] = true
	var got []string
	for _, r := range []string{ts1 + " stdout P tail-of-", ts1 + " stderr F e", ts1 + " stdout F old", ts1 + " stdout F new"} {
		d.record([]byte(r), func(l backend.LogLine) { got = append(got, l.Text) })
	}
	if strings.Join(got, ",") != "e,new" {
		t.Fatalf("got %v, want the orphan continuation dropped", got)
	}
}

func equalLines(a, b []backend.LogLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Time.Equal(y.Time) || x.Stream != y.Stream || x.Text != y.Text || x.Partial != y.Partial {
			return false
		}
	}
	return true
}

func dump(ls []backend.LogLine) string {
	var b strings.Builder
	for _, l := range ls {
		txt := l.Text
		if len(txt) > 40 {
			txt = txt[:20] + "…" + txt[len(txt)-10:]
		}
		b.WriteString("\n  ")
		b.WriteString(l.Stream + " " + l.Time.Format(time.RFC3339Nano) + " " + strings.ReplaceAll(txt, "\r", `\r`))
		if l.Partial {
			b.WriteString(" (partial)")
		}
	}
	return b.String()
}
