package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// flashTTL is how long a transient message stays: long enough to read a
// sentence, short enough not to be mistaken for the current state.
const flashTTL = 6 * time.Second

// flash is the timed status line for transient notices and errors.
type flash struct {
	text string
	err  bool
	seq  uint64
}

// flashExpiredMsg clears the flash it was set for, not a newer one.
type flashExpiredMsg struct{ seq uint64 }

func (f *flash) set(text string, isErr bool) tea.Cmd {
	f.seq++
	f.text, f.err = text, isErr
	seq := f.seq
	return tea.Tick(flashTTL, func(time.Time) tea.Msg { return flashExpiredMsg{seq: seq} })
}

func (f *flash) expire(seq uint64) {
	if seq == f.seq {
		f.text = ""
	}
}

// probeEvery is how often a lost connection is retried.
const probeEvery = 2 * time.Second

// conn tracks a lost connection. While lost, a small panel says so above
// the page (which keeps its last rows) and a probe asks the daemon for its
// version every probeEvery until it answers.
type conn struct {
	lost  bool
	err   error
	since time.Time
	seq   uint64 // probe loop generation: a restored connection ends it
}

type probeMsg struct{ seq uint64 }

type probeResultMsg struct {
	seq uint64
	err error
}

// lose records err and starts the probe loop unless it already runs.
func (c *conn) lose(err error, now time.Time) tea.Cmd {
	c.err = err
	if c.lost {
		return nil
	}
	c.lost, c.since = true, now
	c.seq++
	return probeTick(c.seq)
}

func probeTick(seq uint64) tea.Cmd {
	return tea.Tick(probeEvery, func(time.Time) tea.Msg { return probeMsg{seq: seq} })
}

// probeCmd asks whichever side is connected for its version.
func probeCmd(parent context.Context, b *backend.Backend, timeout time.Duration, seq uint64) tea.Cmd {
	native, cri := b.Native, b.CRI
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		var err error
		switch {
		case native != nil:
			_, err = native.Version(ctx)
		case cri != nil:
			_, err = cri.Version(ctx)
		}
		return probeResultMsg{seq: seq, err: err}
	}
}
