package backend

import "time"

// LogLine is one line of a container's output as the log viewer shows it:
// CRI's 16 KiB partial records already joined, the newline (and a trailing
// carriage return) removed. The timestamp and stream stay in the data even
// when the viewer hides them, so toggling them needs no re-read.
type LogLine struct {
	// Seq numbers the lines one log reader delivered, from 1, without gaps.
	// It survives a ring buffer dropping old lines, so the UI keeps its
	// place (cursor, search hit, marks) by Seq rather than by index.
	Seq uint64
	// Time is when the runtime wrote the line (the first record of a joined
	// line). Zero for raw logs (ctr run --log-uri) and malformed CRI records,
	// which carry no timestamp.
	Time time.Time
	// Stream is StreamStdout, StreamStderr, or "" when the log does not say
	// (raw logs mix both streams; malformed records).
	Stream string
	Text   string
	// Partial is set when no newline ended Text: the writer had not finished
	// the line when it was read, it was longer than the reader's line limit,
	// or the log stopped (rotation, truncation, exit) in the middle of it.
	// The rest, if it ever comes, arrives as the next line of the stream.
	Partial bool
}

// The two streams a container writes, with CRI's names.
const (
	StreamStdout = "stdout"
	StreamStderr = "stderr"
)
