// Package cmdlog is the command log (:log): every image action that
// finished, with its time, outcome and the ctr or crictl command line that
// does the same, so an operator can repeat on another node what ctui did
// here, or paste it into a ticket. Command lines come from the action's
// CommandLine, which never holds a secret.
package cmdlog

import (
	"errors"
	"fmt"
	"time"

	"github.com/ctui/ctui/backend"
)

// keep bounds the log: an operator reads the last actions, not a history.
const keep = 500

// Outcome is how an action ended.
type Outcome string

// The outcomes.
const (
	OK       Outcome = "ok"
	Failed   Outcome = "failed"
	Canceled Outcome = "canceled"
)

// Entry is one finished action.
type Entry struct {
	Seq       int
	Time      time.Time // when it finished
	Took      time.Duration
	Kind      backend.ActionKind
	Subject   string
	Namespace string
	Via       string
	Outcome   Outcome
	Command   string // the ctr or crictl equivalent
	Error     string // the sentence, for failures
	Note      string
	Repeats   int // how many times AddRepeat folded the same command in
}

// FromJob makes the entry of a finished job. cfg names the socket and
// endpoints the command line must use.
func FromJob(j backend.Job, cfg backend.Config) Entry {
	e := Entry{Time: j.Finished, Took: j.Finished.Sub(j.Started), Namespace: j.Namespace, Via: j.Via, Outcome: OK, Note: j.Note}
	if j.Action != nil {
		e.Kind, e.Subject = j.Action.Kind(), j.Action.Subject()
		e.Command = j.Action.CommandLine(cfg, j.Namespace)
	}
	switch {
	case errors.Is(j.Err, backend.ErrCanceled):
		e.Outcome, e.Error = Canceled, j.Err.Error()
	case j.Err != nil:
		e.Outcome, e.Error = Failed, j.Err.Error()
	}
	return e
}

// Log is the command log, oldest first. The root keeps it as a value.
type Log struct {
	entries []Entry
	seq     int
}

// Add appends e, numbering it, and forgets the oldest beyond keep.
func (l *Log) Add(e Entry) {
	l.seq++
	e.Seq = l.seq
	l.entries = append(l.entries, e)
	if len(l.entries) > keep {
		n := copy(l.entries, l.entries[len(l.entries)-keep:])
		clear(l.entries[n:])
		l.entries = l.entries[:n]
	}
}

// repeatWindow is how far back AddRepeat looks for the same command.
const repeatWindow = 8

// AddRepeat adds e, unless one of the last few entries has the same
// command and outcome: that one then moves to e's time and counts the
// repeat. Stats are sampled every couple of seconds; the log keeps one
// line per query, not one per sample.
func (l *Log) AddRepeat(e Entry) {
	for i := len(l.entries) - 1; i >= max(len(l.entries)-repeatWindow, 0); i-- {
		old := &l.entries[i]
		if old.Command == e.Command && old.Outcome == e.Outcome && old.Kind == e.Kind {
			old.Repeats++
			old.Time, old.Took, old.Error = e.Time, e.Took, e.Error
			old.Note = fmt.Sprintf("run %d times, the last at %s", old.Repeats+1, e.Time.Format("15:04:05"))
			return
		}
	}
	l.Add(e)
}

// Entries returns a copy, newest first.
func (l Log) Entries() []Entry {
	out := make([]Entry, len(l.entries))
	for i, e := range l.entries {
		out[len(l.entries)-1-i] = e
	}
	return out
}
