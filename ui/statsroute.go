package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/top"
	"github.com/ctui/ctui/ui/usage"
)

// statsSources are the pages' sources of resource use (none with stats
// off).
func (m Model) statsSources() usage.Sources { return m.stats.Sources(m.b) }

// nodeCPUs is the node's core count for NODE%, when ctui runs on it.
func (m Model) nodeCPUs() int { return usage.NodeCPUs(localRuntime(m.b.Config)) }

// updateStats routes the stats timer (to the page on top, while it has
// something to sample), the pages' stats queries (to the command log) and OOM kills (flash, counts to every
// page).
func (m Model) updateStats(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case usage.TickMsg:
		if !m.stats.Fired(msg) || m.conn.Lost || !usage.Wanted(m.top()) {
			return m, nil // asleep until a message leaves the page on top wanting a sample (Update's Wake)
		}
		return m, tea.Batch(m.stats.Arm(), m.updateTop(page.StatsTickMsg{}))
	case page.StatsQueriedMsg:
		for _, e := range usage.Logged(msg, m.b.Config, time.Now()) {
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
		out := m.stats.OOMs.Add(msg.Kill)
		return m, tea.Batch(m.flash.Set(usage.Flash(msg.Kill), true), m.broadcast(out))
	}
	return m, nil
}

// topConfig builds :top's config: every namespace, with the node's totals
// when ctui runs on the node.
func (m Model) topConfig(id page.ID) top.Config {
	cfg := top.Config{ID: id, Ctx: m.ctx, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Namespace: m.ns, All: true,
		Unavailable: m.b.NativeErr, Stats: m.statsSources(), CPUs: m.nodeCPUs(), OOMs: m.stats.OOMs.Total(), Pods: top.PodsOf(m.b.CRI)}
	if m.b.Native != nil {
		cfg.Lister = m.b.Native
	}
	if localRuntime(m.b.Config) {
		cfg.ProcDir = "/proc"
	}
	return cfg
}
