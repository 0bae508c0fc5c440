package uitest

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Drain runs cmd as bubbletea would, expanding batches, and returns the
// messages that arrive within wait each. Commands that take longer (timers
// such as a flash's expiry) are left out, so tests never sleep for them.
func Drain(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(wait):
		return nil
	}
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, Drain(c, wait)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
