package uitest

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Loop runs commands the way bubbletea's event loop does: each in its own
// goroutine, batches expanded, every message queued for the model. Unlike Drain it keeps long-running commands (an event stream's
// wait, a timer) alive, so a test can see what they yield seconds later.
type Loop struct {
	msgs chan tea.Msg
	done chan struct{}
}

// NewLoop returns a loop whose commands stop delivering when the test ends.
func NewLoop(t testing.TB) *Loop {
	l := &Loop{msgs: make(chan tea.Msg, 1024), done: make(chan struct{})}
	t.Cleanup(func() { close(l.done) })
	return l
}

// Run starts cmd.
func (l *Loop) Run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				l.Run(c)
			}
		default:
			select {
			case l.msgs <- msg:
			case <-l.done:
			}
		}
	}()
}

// Next returns the next message, or false after timeout.
func (l *Loop) Next(timeout time.Duration) (tea.Msg, bool) {
	select {
	case msg := <-l.msgs:
		return msg, true
	case <-time.After(timeout):
		return nil, false
	}
}

// Until feeds messages to m (and runs the commands it returns) until done
// reports true of the model, and fails the test after timeout. It returns
// the model and how long it took.
func Until[M tea.Model](t testing.TB, l *Loop, m M, timeout time.Duration, done func(M) bool) (M, time.Duration) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for !done(m) {
		msg, ok := l.Next(time.Until(deadline))
		if !ok {
			t.Fatalf("not done after %v", timeout)
		}
		if _, quit := msg.(tea.QuitMsg); quit {
			continue
		}
		tm, cmd := m.Update(msg)
		m = tm.(M)
		l.Run(cmd)
	}
	return m, time.Since(start)
}
