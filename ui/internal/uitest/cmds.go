package uitest

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Drain runs cmd as bubbletea would, expanding batches (whose commands run
// concurrently), and returns the messages that arrive within wait, in batch
// order. Commands that take longer (timers such as a flash's expiry) are
// left out, so tests never sleep for them.
func Drain(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	return drain(cmd, time.Now().Add(wait))
}

func drain(cmd tea.Cmd, deadline time.Time) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(time.Until(deadline)):
		return nil
	}
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		parts := make([][]tea.Msg, len(msg))
		var wg sync.WaitGroup
		for i, c := range msg {
			wg.Go(func() { parts[i] = drain(c, deadline) })
		}
		wg.Wait()
		var out []tea.Msg
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return []tea.Msg{msg}
}
