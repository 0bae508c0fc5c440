package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/usage"
)

// subscribe opens the event stream of the current namespace (ui/events) in
// place of the one open now.
func (m *Model) subscribe() tea.Cmd {
	var src backend.EventSource
	if m.b.Native != nil {
		src = m.b.Native
	}
	return m.hub.Subscribe(m.ctx, src, m.ns)
}

// resumeEvents opens the stream again at once after the connection came
// back, if it broke.
func (m *Model) resumeEvents() tea.Cmd {
	var src backend.EventSource
	if m.b.Native != nil {
		src = m.b.Native
	}
	return m.hub.Resume(m.ctx, src, m.ns)
}

// updateHub handles the event hub's messages: a batch goes to every page
// (with the header and OOM kills it may concern); a broken stream is
// flashed, or opens the connection panel.
func (m Model) updateHub(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd, out := m.hub.Update(msg)
	switch {
	case out.Events != nil:
		var header tea.Cmd
		if m.b.CRI != nil {
			header = m.hub.HeaderAfter(out.Events)
		}
		return m, tea.Batch(cmd, m.broadcast(page.EventsMsg{Events: out.Events}), header, usage.ResolveOOMs(m.ctx, m.timeout, m.b.Native, out.Events))
	case out.Ended:
		if m.ctx.Err() != nil {
			return m, nil // the program is ending
		}
		switch err := out.Err; {
		case err == nil:
		case page.ConnectionLost(err):
			cmd = tea.Batch(cmd, m.lose(err))
		default:
			cmd = tea.Batch(cmd, m.flash.Set("live updates interrupted: "+err.Error(), true))
		}
	case out.Resubscribe:
		cmd = m.subscribe()
	case out.Resync:
		cmd = m.broadcast(page.ResyncMsg{})
	case out.Safety && !m.conn.Lost:
		cmd = tea.Batch(cmd, m.updateTop(page.ResyncMsg{}))
	case out.Header:
		cmd = m.loadHeader()
	}
	return m, cmd
}
