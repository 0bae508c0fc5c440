package pods

import (
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// statsOn tells whether the pages sample resource use (CRI's stats).
func (c Config) statsOn() bool { return c.Stats.CRI != nil }

// oomColumn counts a pod's OOM kills since ctui started; Shift+K sorts by it.
var oomColumn = table.Column{Title: "OOM", Key: 'k', Width: 3, Align: table.AlignRight, Numeric: true, DescFirst: true, Drop: 5}

// columns are the pods table's, with the OOM count and the stats columns
// (crictl statsp) when stats are on.
func columns(stats bool) []table.Column {
	cols := Columns()
	if stats {
		cols = append(append(cols, oomColumn), usage.Columns(5)...)
	}
	return cols
}

// request is what a sample asks for: the ready pods on screen, in one
// ListPodSandboxStats (crictl statsp). Empty with stats off.
func (m Model) request() usage.Request {
	var req usage.Request
	if !m.cfg.statsOn() {
		return req
	}
	for _, id := range m.Table.Near(0, nil) {
		if p, ok := m.pods[id]; ok && p.State == backend.PodReady {
			req.Pods = append(req.Pods, id)
		}
	}
	return req
}

// WantsStats implements page.StatsWanter: a ready pod is on screen.
func (m Model) WantsStats() bool { return !m.request().Empty() }

// sample asks for the use of the ready pods on screen; nothing when none
// is.
func (m *Model) sample() tea.Cmd {
	return m.usage.Sample(m.Tag(), m.cfg.Ctx, m.cfg.Timeout, m.cfg.Stats, m.request())
}

func (m Model) sampled(msg usage.SampledMsg) (page.Page, tea.Cmd) {
	changed, cmd := m.usage.Apply(msg)
	m.redraw(changed)
	return m, cmd
}

// oomKilled counts a kill against its pod.
func (m Model) oomKilled(msg page.OOMMsg) (page.Page, tea.Cmd) {
	if msg.Kill.PodUID == "" {
		return m, nil
	}
	m.ooms[msg.Kill.PodUID] = msg.ByPod[msg.Kill.PodUID]
	var ids []string
	for id, p := range m.pods {
		if p.UID == msg.Kill.PodUID {
			ids = append(ids, id)
		}
	}
	m.redraw(ids)
	return m, nil
}

func (m *Model) redraw(ids []string) {
	rows := make([]table.Row, 0, len(ids))
	for _, id := range ids {
		if p, ok := m.pods[id]; ok {
			rows = append(rows, m.row(p, m.counts[id], m.at))
		}
	}
	m.Table.UpdateRows(rows...)
}

// row renders a pod with its OOM count and stats cells.
func (m Model) row(p backend.Pod, containers int, now time.Time) table.Row {
	r := podRow(p, containers, now)
	if !m.cfg.statsOn() {
		return r
	}
	n := m.ooms[p.UID]
	r.Cells = append(r.Cells, strconv.Itoa(n))
	r.Num = append(r.Num, int64(n))
	s, ok := m.usage.Get(p.ID)
	return usage.Append(r, len(Columns())+1, s, ok && p.State == backend.PodReady, m.cfg.CPUs)
}

// containerColumns are a pod's containers' columns, with the stats columns
// (crictl stats) when stats are on.
func containerColumns(stats bool) []table.Column {
	cols := ContainerColumns()
	if stats {
		cols = append(cols, usage.Columns(3)...)
	}
	return cols
}

// request is what a sample asks for: the pod's running containers on
// screen (crictl stats). Empty with stats off.
func (m ContainersModel) request() usage.Request {
	var req usage.Request
	if !m.cfg.statsOn() {
		return req
	}
	for _, id := range m.Table.Near(0, nil) {
		if c, ok := m.byID[id]; ok && c.State == backend.ContainerRunning {
			req.CRI = append(req.CRI, id)
		}
	}
	return req
}

// WantsStats implements page.StatsWanter: a running container of the pod
// is on screen.
func (m ContainersModel) WantsStats() bool { return !m.request().Empty() }

// sample asks for the use of the pod's running containers on screen;
// nothing when none runs.
func (m *ContainersModel) sample() tea.Cmd {
	return m.usage.Sample(m.Tag(), m.cfg.Ctx, m.cfg.Timeout, m.cfg.Stats, m.request())
}

func (m ContainersModel) sampled(msg usage.SampledMsg) (page.Page, tea.Cmd) {
	changed, cmd := m.usage.Apply(msg)
	rows := make([]table.Row, 0, len(changed))
	for _, id := range changed {
		if c, ok := m.byID[id]; ok {
			rows = append(rows, m.row(c, m.at))
		}
	}
	m.Table.UpdateRows(rows...)
	return m, cmd
}

// row renders a pod's container with its stats cells.
func (m ContainersModel) row(c backend.PodContainer, now time.Time) table.Row {
	r := containerRow(c, now)
	if !m.cfg.statsOn() {
		return r
	}
	s, ok := m.usage.Get(c.ID)
	return usage.Append(r, len(ContainerColumns()), s, ok && c.State == backend.ContainerRunning, m.cfg.CPUs)
}
