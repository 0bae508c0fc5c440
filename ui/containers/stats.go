package containers

import (
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// statsOn tells whether the page samples resource use (stats on, and a
// source to ask).
func (m Model) statsOn() bool { return statsOn(m.cfg) }

func statsOn(cfg Config) bool { return cfg.Stats.On() }

// columns are the page's columns in namespace ns, with the stats columns
// when stats are on.
func columns(ns string, stats bool) []table.Column {
	cols := Columns(ns)
	if stats {
		cols = append(cols, usage.Columns(0)...)
	}
	return cols
}

// request is what a sample asks for: the running containers on screen,
// those CRI manages through CRI (crictl stats), the rest through task
// metrics (ctr tasks metrics); one call each. Empty with stats off.
func (m Model) request() usage.Request {
	req := usage.Request{Namespace: m.Namespace()}
	if !m.statsOn() {
		return req
	}
	for _, id := range m.Table.Near(0, nil) {
		if i, ok := m.index[id]; ok {
			req.AddRunning(m.ctrs[i], m.cfg.Stats)
		}
	}
	return req
}

// WantsStats implements page.StatsWanter: a running container is on
// screen.
func (m Model) WantsStats() bool { return !m.request().Empty() }

// sample asks for the resource use of the running containers on screen;
// nothing when none runs.
func (m *Model) sample() tea.Cmd {
	return m.usage.Sample(m.Tag(), m.cfg.Ctx, m.cfg.Timeout, m.cfg.Stats, m.request())
}

// sampled takes a sample's answer and redraws the rows it changed.
func (m Model) sampled(msg usage.SampledMsg) (page.Page, tea.Cmd) {
	changed, cmd := m.usage.Apply(msg)
	m.redraw(changed)
	return m, cmd
}

// oomKilled marks the row of a container the kernel OOM-killed.
func (m Model) oomKilled(msg page.OOMMsg) (page.Page, tea.Cmd) {
	if msg.Kill.Namespace != m.Namespace() {
		return m, nil
	}
	m.oom[msg.Kill.ID] = true
	m.redraw([]string{msg.Kill.ID})
	return m, nil
}

// redraw renders the rows of ids again.
func (m *Model) redraw(ids []string) {
	rows := make([]table.Row, 0, len(ids))
	now := m.cfg.Clock.Now()
	for _, id := range ids {
		if i, ok := m.index[id]; ok {
			rows = append(rows, m.row(m.ctrs[i], now))
		}
	}
	m.Table.UpdateRows(rows...)
}

// withStats completes a rendered row with the OOM mark and the stats cells.
func (m Model) withStats(r table.Row, c backend.Container, pc *backend.PodContainer) table.Row {
	stopped := c.Task == nil || c.Task.Status == backend.TaskStopped
	if stopped && (m.oom[c.ID] || pc != nil && pc.Reason == backend.ReasonOOMKilled) {
		r.Cells[colStatus] = backend.ReasonOOMKilled
	}
	if !m.statsOn() {
		return r
	}
	s, ok := m.usage.Get(c.ID)
	return usage.Append(r, len(Columns(m.Namespace())), s, ok && !stopped, m.cfg.CPUs)
}
