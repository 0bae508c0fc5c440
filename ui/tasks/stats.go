package tasks

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// statsOn tells whether the page samples resource use.
func statsOn(cfg Config) bool { return cfg.Stats.On() }

func (m Model) statsOn() bool { return statsOn(m.cfg) }

// columns are the page's columns in ns, with the stats columns when stats
// are on.
func columns(ns string, stats bool) []table.Column {
	cols := Columns(ns)
	if stats {
		cols = append(cols, usage.Columns(1)...)
	}
	return cols
}

// request is what a sample asks for: the running tasks on screen, CRI's
// containers through CRI (crictl stats), the rest through task metrics
// (ctr tasks metrics); one call each. Empty with stats off.
func (m Model) request() usage.Request {
	req := usage.Request{Namespace: m.Namespace()}
	if !m.statsOn() {
		return req
	}
	for _, id := range m.Table.Near(0, nil) {
		if c, ok := m.byID[id]; ok {
			req.AddRunning(c, m.cfg.Stats)
		}
	}
	return req
}

// WantsStats implements page.StatsWanter: a running task is on screen.
func (m Model) WantsStats() bool { return !m.request().Empty() }

// sample asks for the resource use of the running tasks on screen;
// nothing when none runs.
func (m *Model) sample() tea.Cmd {
	return m.usage.Sample(m.Tag(), m.cfg.Ctx, m.cfg.Timeout, m.cfg.Stats, m.request())
}

func (m Model) sampled(msg usage.SampledMsg) (page.Page, tea.Cmd) {
	changed, cmd := m.usage.Apply(msg)
	m.redraw(changed)
	return m, cmd
}

func (m Model) oomKilled(msg page.OOMMsg) (page.Page, tea.Cmd) {
	if msg.Kill.Namespace != m.Namespace() {
		return m, nil
	}
	m.oom[msg.Kill.ID] = true
	m.redraw([]string{msg.Kill.ID})
	return m, nil
}

func (m *Model) redraw(ids []string) {
	rows := make([]table.Row, 0, len(ids))
	for _, id := range ids {
		if c, ok := m.byID[id]; ok {
			rows = append(rows, m.row(c, m.at))
		}
	}
	m.Table.UpdateRows(rows...)
}

// row renders a task with its OOM mark and stats cells.
func (m Model) row(c backend.Container, now time.Time) table.Row {
	r := row(c, m.Namespace() == backend.CRINamespace, now)
	stopped := c.Status() != backend.TaskRunning
	if m.oom[c.ID] && c.Status() == backend.TaskStopped {
		r.Cells[colStatus] = backend.ReasonOOMKilled
	}
	if !m.statsOn() {
		return r
	}
	s, ok := m.usage.Get(c.ID)
	return usage.Append(r, len(Columns(m.Namespace())), s, ok && !stopped, m.cfg.CPUs)
}
