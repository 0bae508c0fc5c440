package ui

import (
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/cmdlog"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/top"
	"github.com/ctui/ctui/ui/usage"
)

// DefaultStatsInterval is how often the page on screen samples resource
// use unless --stats-interval says otherwise.
const DefaultStatsInterval = 2 * time.Second

// statsTickMsg is the root's stats timer; seq drops ticks of a timer that
// was replaced.
type statsTickMsg struct{ seq uint64 }

// statsState is the root's share of resource use: the timer that asks the
// page on screen to sample, and the OOM kills seen since ctui started.
type statsState struct {
	every time.Duration // 0: stats off
	seq   uint64
	ooms  usage.OOMs
}

// statsSources are the pages' sources of resource use: none when stats are
// off, so the pages leave out their stats columns.
func (m Model) statsSources() usage.Sources {
	var src usage.Sources
	if m.stats.every <= 0 {
		return src
	}
	if s, ok := m.b.Native.(backend.TaskMetrics); ok && m.b.Native != nil {
		src.Tasks = s
	}
	if s, ok := m.b.CRI.(backend.RuntimeStats); ok && m.b.CRI != nil {
		src.CRI = s
	}
	return src
}

// nodeCPUs is the node's core count for NODE%, known only when ctui runs
// on the node (a local socket).
func (m Model) nodeCPUs() int {
	if localRuntime(m.b.Config) {
		return runtime.NumCPU()
	}
	return 0
}

// armStats schedules the next stats tick; nothing when stats are off.
func (m *Model) armStats() tea.Cmd {
	if m.stats.every <= 0 {
		return nil
	}
	m.stats.seq++
	seq := m.stats.seq
	return tea.Tick(m.stats.every, func(time.Time) tea.Msg { return statsTickMsg{seq: seq} })
}

// updateStats routes the stats timer, the pages' stats queries (to the
// command log) and OOM kills (flash, counts to every page).
func (m Model) updateStats(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case statsTickMsg:
		if msg.seq != m.stats.seq {
			return m, nil
		}
		if m.conn.Lost {
			return m, m.armStats()
		}
		return m, tea.Batch(m.armStats(), m.updateTop(page.StatsTickMsg{}))
	case page.StatsQueriedMsg:
		now := time.Now()
		for _, q := range msg.Queries {
			e := cmdlog.Entry{Time: now, Kind: backend.ActionStats, Subject: q.Subject(), Namespace: q.Namespace,
				Via: q.Via, Outcome: cmdlog.OK, Command: q.CommandLine(m.b.Config)}
			if msg.Err != nil {
				e.Outcome, e.Error = cmdlog.Failed, msg.Err.Error()
			}
			m.acts.LogRepeat(e)
		}
		return m, nil
	case page.GotoMsg:
		// Enter on :top: the containers page of the container's namespace,
		// the cursor on its row.
		cmd := m.switchNamespace(msg.Namespace)
		m.gotoID = msg.ID
		return m, tea.Batch(cmd, m.push(page.TypeContainers))
	case usage.OOMResolvedMsg:
		out := m.stats.ooms.Add(msg.Kill)
		return m, tea.Batch(m.flash.Set(usage.Flash(msg.Kill), true), m.broadcast(out))
	}
	return m, nil
}

// oomAfter resolves the pods of the OOM kills in a batch of events.
func (m *Model) oomAfter(events []backend.Event) tea.Cmd {
	var cmds []tea.Cmd
	for _, ev := range events {
		if ev.Topic == backend.TopicTaskOOM && ev.ID != "" {
			g, _ := m.b.Native.(backend.ContainerGetter)
			cmds = append(cmds, usage.ResolveOOM(m.ctx, m.timeout, g, ev))
		}
	}
	return tea.Batch(cmds...)
}

// topConfig builds :top's config: every namespace, with the node's totals
// when ctui runs on the node.
func (m Model) topConfig(id page.ID) top.Config {
	cfg := top.Config{ID: id, Ctx: m.ctx, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Namespace: m.ns, All: true,
		Unavailable: m.b.NativeErr, Stats: m.statsSources(), CPUs: m.nodeCPUs(), OOMs: m.stats.ooms.Total()}
	if m.b.Native != nil {
		cfg.Lister = m.b.Native
	}
	if localRuntime(m.b.Config) {
		cfg.ProcDir = "/proc"
	}
	return cfg
}
