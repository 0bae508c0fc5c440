package usage

import (
	"context"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/cmdlog"
	"github.com/ctui/ctui/ui/page"
)

// DefaultInterval is how often the page on screen samples resource use
// unless --stats-interval says otherwise.
const DefaultInterval = 2 * time.Second

// Timer is the root's share of resource use: the timer that asks the page
// on screen to sample (page.StatsTickMsg), and the OOM kills seen since
// ctui started.
type Timer struct {
	every time.Duration // 0: stats off
	seq   uint64
	armed bool // a tick is on its way
	OOMs  OOMs
}

// NewTimer returns the timer of --stats-interval every; 0 turns stats off.
func NewTimer(every time.Duration) Timer { return Timer{every: every} }

// TickMsg is the timer's tick; a tick of a timer that was replaced is
// dropped.
type TickMsg struct{ seq uint64 }

// Arm schedules the next tick; nothing when stats are off.
func (t *Timer) Arm() tea.Cmd {
	if t.every <= 0 {
		return nil
	}
	t.seq++
	t.armed = true
	seq := t.seq
	return tea.Tick(t.every, func(time.Time) tea.Msg { return TickMsg{seq: seq} })
}

// Fired takes msg, the timer's tick: false for a tick of a timer that
// was replaced; true leaves the timer unarmed until Arm or Wake.
func (t *Timer) Fired(msg TickMsg) bool {
	if msg.seq != t.seq || !t.armed {
		return false
	}
	t.armed = false
	return true
}

// Wanted tells whether page p has something to sample now (a
// page.StatsWanter that wants); a page that samples nothing never does.
func Wanted(p any) bool {
	w, ok := p.(page.StatsWanter)
	return ok && w.WantsStats()
}

// Wake arms the sleeping timer when p, the page on top, has something to
// sample; nothing while a tick is on its way or stats are off. The root
// calls it after every message, so the cost of a sleeping timer is one
// look at the rows on screen per message, and none per interval.
func (t *Timer) Wake(p any) tea.Cmd {
	if t.armed || t.every <= 0 || !Wanted(p) {
		return nil
	}
	return t.Arm()
}

// Sources are the pages' sources of resource use on b: none when stats are
// off, so the pages leave out their stats columns.
func (t Timer) Sources(b *backend.Backend) Sources {
	var src Sources
	if t.every <= 0 {
		return src
	}
	if s, ok := b.Native.(backend.TaskMetrics); ok && b.Native != nil {
		src.Tasks = s
	}
	if s, ok := b.CRI.(backend.RuntimeStats); ok && b.CRI != nil {
		src.CRI = s
	}
	return src
}

// NodeCPUs is the node's core count for NODE%, known only when ctui runs
// on the node (local).
func NodeCPUs(local bool) int {
	if local {
		return runtime.NumCPU()
	}
	return 0
}

// Logged are the command log's entries for a page's stats queries (the
// crictl stats or ctr tasks metrics line of each), at now.
func Logged(msg page.StatsQueriedMsg, cfg backend.Config, now time.Time) []cmdlog.Entry {
	out := make([]cmdlog.Entry, 0, len(msg.Queries))
	for _, q := range msg.Queries {
		e := cmdlog.Entry{Time: now, Kind: backend.ActionStats, Subject: q.Subject(), Namespace: q.Namespace,
			Via: q.Via, Outcome: cmdlog.OK, Command: q.CommandLine(cfg)}
		if msg.Err != nil {
			e.Outcome, e.Error = cmdlog.Failed, msg.Err.Error()
		}
		out = append(out, e)
	}
	return out
}

// ResolveOOMs resolves the pods of the OOM kills in a batch of events
// (native looks them up; nil names them by id only).
func ResolveOOMs(parent context.Context, timeout time.Duration, native backend.Native, events []backend.Event) tea.Cmd {
	var cmds []tea.Cmd
	for _, ev := range events {
		if ev.Topic == backend.TopicTaskOOM && ev.ID != "" {
			g, _ := native.(backend.ContainerGetter)
			cmds = append(cmds, ResolveOOM(parent, timeout, g, ev))
		}
	}
	return tea.Batch(cmds...)
}
