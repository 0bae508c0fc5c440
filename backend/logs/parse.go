package logs

import (
	"bytes"
	"time"

	"github.com/ctui/ctui/backend"
)

// Format says how the bytes of a log file are laid out.
type Format int

const (
	// FormatCRI is what containerd's CRI plugin (and CRI-O) writes for
	// kubelet: one record per line, `<RFC3339Nano> <stdout|stderr> <P|F>
	// <msg>`, where P marks a piece of a longer line (split at 16 KiB, or
	// flushed without a newline) and F the piece that ends it.
	FormatCRI Format = iota + 1
	// FormatRaw is what the shim appends for `ctr run --log-uri file://`:
	// the task's stdout and stderr bytes as they came, with no timestamp and
	// no stream.
	FormatRaw
)

func (f Format) String() string {
	switch f {
	case FormatCRI:
		return "CRI"
	case FormatRaw:
		return "raw"
	}
	return "unknown"
}

// Stream indexes for the per-stream state of the CRI decoder.
const (
	streamOut = 0
	streamErr = 1
	streamBad = -1 // not a CRI record
)

var streamNames = [2]string{backend.StreamStdout, backend.StreamStderr}

// criHeader reads the stream and the partial tag of a CRI record without
// parsing its timestamp: the backward tail scan needs only these. ok is false
// for a record that is not CRI-shaped; kubelet's parser is the reference
// (timestamp, space, stream, space, tag[:more tags], space, message), but a
// record cut right after the tag ("... stdout F") is taken as an empty
// message rather than rejected.
func criHeader(rec []byte) (stream int, partial bool, tsEnd int, msg []byte, ok bool) {
	i := bytes.IndexByte(rec, ' ')
	if i <= 0 {
		return streamBad, false, 0, nil, false
	}
	rest := rec[i+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")):
		stream = streamOut
	case bytes.HasPrefix(rest, []byte("stderr ")):
		stream = streamErr
	default:
		return streamBad, false, 0, nil, false
	}
	rest = rest[len("stdout "):]
	j := bytes.IndexByte(rest, ' ')
	tag := rest
	if j >= 0 {
		tag, msg = rest[:j], rest[j+1:]
	}
	if len(tag) == 0 {
		return streamBad, false, 0, nil, false
	}
	// Tags may grow (kubelet splits them on ':'); only the first matters.
	if k := bytes.IndexByte(tag, ':'); k >= 0 {
		tag = tag[:k]
	}
	return stream, len(tag) == 1 && tag[0] == 'P', i, msg, true
}

// parseTime parses a CRI timestamp. containerd writes RFC3339Nano with
// trailing zeros trimmed; time.Parse has a fast path for that layout.
func parseTime(b []byte) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}

// group is a CRI line being joined from P records of one stream.
type group struct {
	buf    []byte
	time   time.Time
	active bool
}

// decoder turns records (lines of the file, newline removed) into LogLines.
// CRI partial records are joined per stream, because containerd writes stdout
// and stderr from two goroutines and their records interleave in the file.
// It keeps the joins across rotation and truncation: a line split at 16 KiB
// can straddle kubelet's rotation.
type decoder struct {
	format  Format
	maxLine int
	groups  [2]group
	// skip drops a stream's records up to and including its next F: set
	// when reading starts in the middle of a joined line whose beginning
	// lies before the start offset.
	skip [2]bool
}

func newDecoder(format Format, maxLine int) *decoder {
	return &decoder{format: format, maxLine: maxLine}
}

// record decodes one record and calls emit for each finished line.
func (d *decoder) record(rec []byte, emit func(backend.LogLine)) {
	if d.format != FormatCRI {
		d.emitCapped(backend.LogLine{}, trimCR(rec), emit)
		return
	}
	s, partial, tsEnd, msg, ok := criHeader(rec)
	var ts time.Time
	if ok {
		ts, ok = parseTime(rec[:tsEnd])
	}
	if !ok {
		// Kept as raw text rather than dropped: a node operator would
		// rather see a garbled line than miss one.
		d.emitCapped(backend.LogLine{}, trimCR(rec), emit)
		return
	}
	if d.skip[s] {
		if !partial {
			d.skip[s] = false
		}
		return
	}
	g := &d.groups[s]
	if partial {
		if !g.active {
			g.active, g.time, g.buf = true, ts, g.buf[:0]
		}
		g.buf = append(g.buf, msg...)
		if d.maxLine > 0 && len(g.buf) >= d.maxLine {
			emit(backend.LogLine{Time: g.time, Stream: streamNames[s], Text: string(g.buf), Partial: true})
			g.active = false
		}
		return
	}
	if g.active {
		g.buf = append(g.buf, msg...)
		g.active = false
		d.emitCapped(backend.LogLine{Time: g.time, Stream: streamNames[s]}, trimCR(g.buf), emit)
		return
	}
	d.emitCapped(backend.LogLine{Time: ts, Stream: streamNames[s]}, trimCR(msg), emit)
}

// emitCapped emits text as one line, or as several when it is longer than
// maxLine (all but the last marked Partial): one runaway line must not hold
// the whole memory budget of the viewer.
func (d *decoder) emitCapped(l backend.LogLine, text []byte, emit func(backend.LogLine)) {
	for d.maxLine > 0 && len(text) > d.maxLine {
		p := l
		p.Text, p.Partial = string(text[:d.maxLine]), true
		emit(p)
		text = text[d.maxLine:]
	}
	l.Text = string(text)
	emit(l)
}

// flush emits the lines still being joined, marked Partial: reading stops, or
// they waited too long for their end.
func (d *decoder) flush(emit func(backend.LogLine)) {
	for s := range d.groups {
		g := &d.groups[s]
		if g.active {
			emit(backend.LogLine{Time: g.time, Stream: streamNames[s], Text: string(g.buf), Partial: true})
			g.active = false
		}
	}
}

// pending reports whether a joined line is waiting for its F record.
func (d *decoder) pending() bool {
	return d.groups[0].active || d.groups[1].active
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
