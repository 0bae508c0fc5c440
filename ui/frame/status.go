package frame

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/theme"
)

// FlashTTL is how long a transient message stays: long enough to read a
// sentence, short enough not to be mistaken for the current state.
const FlashTTL = 6 * time.Second

// Flash is the timed status line for transient notices and errors.
type Flash struct {
	text string
	err  bool
	seq  uint64
}

// FlashExpiredMsg clears the flash it was set for, not a newer one.
type FlashExpiredMsg struct{ Seq uint64 }

// Set shows text (an error when isErr) until FlashTTL has passed or another
// text replaces it.
func (f *Flash) Set(text string, isErr bool) tea.Cmd {
	f.seq++
	f.text, f.err = text, isErr
	seq := f.seq
	return tea.Tick(FlashTTL, func(time.Time) tea.Msg { return FlashExpiredMsg{Seq: seq} })
}

// Expire clears the flash if msg is the timer of the one shown.
func (f *Flash) Expire(msg FlashExpiredMsg) {
	if msg.Seq == f.seq {
		f.text = ""
	}
}

// Text is what the flash line says now ("" for nothing).
func (f Flash) Text() string { return f.text }

// Seq counts the texts set, so that a timer names the one it was set for.
func (f Flash) Seq() uint64 { return f.seq }

// Render draws the flash after ind, or "" when there is none.
func (f Flash) Render(st *theme.Styles, ind string) string {
	switch {
	case f.text != "" && f.err:
		return ind + st.FlashErr.Render(f.text)
	case f.text != "":
		return ind + st.FlashInfo.Render(f.text)
	}
	return ""
}

// ProbeEvery is how often a lost connection is retried.
const ProbeEvery = 2 * time.Second

// Conn tracks a lost connection. While Lost, a small panel says so above
// the page (which keeps its last rows) and a probe asks the daemon for its
// version every ProbeEvery until it answers.
type Conn struct {
	Lost  bool
	Err   error
	Since time.Time
	seq   uint64 // probe loop generation: a restored connection ends it
}

// ProbeMsg is the probe loop's timer.
type ProbeMsg struct{ Seq uint64 }

type probeResultMsg struct {
	seq uint64
	err error
}

// Seq is the generation of the probe loop now running.
func (c Conn) Seq() uint64 { return c.seq }

// Lose records err and starts the probe loop unless it already runs.
func (c *Conn) Lose(err error, now time.Time) tea.Cmd {
	c.Err = err
	if c.Lost {
		return nil
	}
	c.Lost, c.Since = true, now
	c.seq++
	return probeTick(c.seq)
}

// Restore records that the daemon answers again and ends the probe loop.
func (c *Conn) Restore() {
	c.Lost, c.Err = false, nil
	c.seq++
}

// Handles reports whether msg is the probe loop's, for Update.
func Handles(msg tea.Msg) bool {
	switch msg.(type) {
	case ProbeMsg, probeResultMsg:
		return true
	}
	return false
}

// Update runs the probe loop: on its timer it asks whichever side of b is
// connected for its version; answered is true when the daemon answered
// (the caller restores the connection).
func (c *Conn) Update(parent context.Context, b *backend.Backend, timeout time.Duration, msg tea.Msg) (cmd tea.Cmd, answered bool) {
	switch msg := msg.(type) {
	case ProbeMsg:
		if c.Lost && msg.Seq == c.seq {
			return probeCmd(parent, b, timeout, msg.Seq), false
		}
	case probeResultMsg:
		if !c.Lost || msg.seq != c.seq {
			return nil, false
		}
		if msg.err != nil {
			c.Err = msg.err
			return probeTick(msg.seq), false
		}
		return nil, true
	}
	return nil, false
}

func probeTick(seq uint64) tea.Cmd {
	return tea.Tick(ProbeEvery, func(time.Time) tea.Msg { return ProbeMsg{Seq: seq} })
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
