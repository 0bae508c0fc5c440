// Package usage is what the list pages share to show resource use: the
// CPU%, NODE%, MEM and MEM% columns, a per-page Tracker that samples the
// rows on screen (one bulk call per source) and turns counters into rates,
// the sparkline history of :top, and the root's count of OOM kills. The
// pages decide which rows to sample and through which source: CRI for the
// containers and pods CRI manages (as crictl stats and statsp), containerd's
// task metrics for the rest (as ctr tasks metrics).
package usage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
)

// Sources are the two ways to sample; either may be nil (that side is
// unavailable, or the runtime has no stats).
type Sources struct {
	Tasks backend.TaskMetrics
	CRI   backend.RuntimeStats
}

// On tells whether there is a source to sample at all (stats on, and a
// side that can answer).
func (s Sources) On() bool { return s.Tasks != nil || s.CRI != nil }

// Request is what one sample asks for: running tasks of a containerd
// namespace, CRI containers and CRI pods. Each non-empty list costs one
// call.
type Request struct {
	Namespace string
	Tasks     []string
	CRI       []string
	Pods      []string
}

// AddRunning puts container c of the request's namespace in the list of
// its source, if its task runs: CRI for the containers CRI manages in
// k8s.io (when CRI stats are there, as crictl stats reads them), task
// metrics for the rest (ctr tasks metrics). id is the id to ask with.
func (r *Request) AddRunning(c backend.Container, src Sources) {
	switch {
	case c.Status() != backend.TaskRunning:
	case r.Namespace == backend.CRINamespace && src.CRI != nil && c.Kind == "container":
		r.CRI = append(r.CRI, c.ID)
	default:
		r.Tasks = append(r.Tasks, c.ID)
	}
}

// Empty tells a request that asks for nothing.
func (r Request) Empty() bool { return len(r.Tasks)+len(r.CRI)+len(r.Pods) == 0 }

// SampledMsg is a sample's answer, for the page that asked.
type SampledMsg struct {
	seq     uint64
	asked   []Request
	usage   []backend.Usage
	queries []backend.StatsQuery
	err     error
}

// Qualified is the key of id of containerd namespace ns in a tracker that
// samples several namespaces (:top), where ids may repeat.
func Qualified(ns, id string) string { return ns + "/" + id }

// Sample runs reqs against src off the update loop: at most one call per
// source and namespace, each bounded by timeout. With qualify, the answers'
// ids are Qualified by their request's namespace.
func Sample(parent context.Context, timeout time.Duration, src Sources, reqs []Request, qualify bool, seq uint64) func() tea.Msg {
	return func() tea.Msg {
		msg := SampledMsg{seq: seq}
		var errs []error
		for _, req := range reqs {
			us, asked, qs, err := sampleOne(parent, timeout, src, req)
			if qualify {
				for i := range us {
					us[i].ID = Qualified(req.Namespace, us[i].ID)
				}
				for _, ids := range [][]string{asked.Tasks, asked.CRI, asked.Pods} {
					for i := range ids {
						ids[i] = Qualified(req.Namespace, ids[i])
					}
				}
			}
			msg.usage = append(msg.usage, us...)
			msg.asked = append(msg.asked, asked)
			msg.queries = append(msg.queries, qs...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		msg.err = errors.Join(errs...)
		return msg
	}
}

// sampleOne is one request's calls; asked is a copy of req the caller may
// change.
func sampleOne(parent context.Context, timeout time.Duration, src Sources, req Request) (usage []backend.Usage, asked Request, queries []backend.StatsQuery, err error) {
	asked = Request{Namespace: req.Namespace, Tasks: slices.Clone(req.Tasks), CRI: slices.Clone(req.CRI), Pods: slices.Clone(req.Pods)}
	{
		msg := struct {
			usage   []backend.Usage
			queries []backend.StatsQuery
		}{}
		var errs []error
		add := func(us []backend.Usage, err error, q backend.StatsQuery) {
			msg.queries = append(msg.queries, q)
			msg.usage = append(msg.usage, us...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		call := func(f func(ctx context.Context) ([]backend.Usage, error)) ([]backend.Usage, error) {
			ctx, cancel := context.WithTimeout(parent, timeout)
			defer cancel()
			return f(ctx)
		}
		if len(req.Tasks) > 0 && src.Tasks != nil {
			us, err := call(func(ctx context.Context) ([]backend.Usage, error) {
				return src.Tasks.TaskMetrics(ctx, req.Namespace, req.Tasks)
			})
			add(us, err, backend.StatsQuery{Via: "containerd", Namespace: req.Namespace, IDs: sorted(req.Tasks)})
		}
		if len(req.CRI) > 0 && src.CRI != nil {
			us, err := call(func(ctx context.Context) ([]backend.Usage, error) { return src.CRI.ContainerStats(ctx, req.CRI) })
			add(us, err, backend.StatsQuery{Via: "CRI", IDs: oneOrAll(req.CRI)})
		}
		if len(req.Pods) > 0 && src.CRI != nil {
			us, err := call(func(ctx context.Context) ([]backend.Usage, error) { return src.CRI.PodStats(ctx, req.Pods) })
			add(us, err, backend.StatsQuery{Via: "CRI", Pods: true})
		}
		return msg.usage, asked, msg.queries, errors.Join(errs...)
	}
}

// sorted is a sorted copy of ids: the command log folds the same query
// together whatever order the rows were in.
func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// oneOrAll is what the CRI adapter asks for ids: one id is `crictl stats
// --id`, more are one list of all.
func oneOrAll(ids []string) []string {
	if len(ids) == 1 {
		return ids
	}
	return nil
}

// Tracker is one page's stats: the last Stats per id, the rates behind
// them, and whether a sample is in flight (a slow daemon never gets a
// second one stacked on the first).
type Tracker struct {
	rates    backend.Rates
	latest   map[string]backend.Stats
	history  map[string]*History // only when History was asked for
	seq      uint64
	tag      page.Tag // who asked for the sample in flight
	inFlight bool
	lastErr  string
	keepHist bool
}

// NewTracker returns a tracker whose rates use now for samples without a
// time of their own; withHistory keeps a minute of CPU history per id (:top).
func NewTracker(now func() time.Time, withHistory bool) Tracker {
	t := Tracker{latest: map[string]backend.Stats{}, keepHist: withHistory}
	t.rates.Now = now
	if withHistory {
		t.history = map[string]*History{}
	}
	return t
}

// Sample asks for req unless a sample is still in flight; the answer comes
// to the tagged page as a SampledMsg for Apply.
func (t *Tracker) Sample(tag page.Tag, parent context.Context, timeout time.Duration, src Sources, req Request) tea.Cmd {
	return t.sample(tag, parent, timeout, src, []Request{req}, false)
}

// SampleAll asks for several namespaces at once (:top), keyed by
// Qualified ids.
func (t *Tracker) SampleAll(tag page.Tag, parent context.Context, timeout time.Duration, src Sources, reqs []Request) tea.Cmd {
	return t.sample(tag, parent, timeout, src, reqs, true)
}

func (t *Tracker) sample(tag page.Tag, parent context.Context, timeout time.Duration, src Sources, reqs []Request, qualify bool) tea.Cmd {
	reqs = slices.DeleteFunc(slices.Clone(reqs), Request.Empty)
	if t.inFlight || len(reqs) == 0 || !src.On() {
		return nil
	}
	t.inFlight = true
	t.seq++
	t.tag = tag
	return tag.Wrap(Sample(parent, timeout, src, reqs, qualify, t.seq))
}

// Apply takes a sample's answer: the ids it changed (asked-for ids that
// came back without a sample lose theirs: the task stopped or its cgroup
// went away) and a command that logs the queries and reports a new error.
func (t *Tracker) Apply(msg SampledMsg) ([]string, tea.Cmd) {
	if msg.seq != t.seq {
		return nil, nil
	}
	t.inFlight = false
	if t.latest == nil {
		t.latest = map[string]backend.Stats{}
	}
	changed := make([]string, 0, len(msg.usage))
	got := make(map[string]bool, len(msg.usage))
	firstOnly := false
	for _, u := range msg.usage {
		s := t.rates.Add(u)
		firstOnly = firstOnly || (u.HasCPU && !s.CPUKnown())
		old, had := t.latest[u.ID]
		t.latest[u.ID] = s
		got[u.ID] = true
		// A row whose figures read the same (an idle container's CPU
		// stays 0.0, its memory the same) is not redrawn: no row
		// rendered, no table re-sorted. :top's sparklines move with
		// every sample.
		if t.keepHist || !had || !sameShown(old, s) {
			changed = append(changed, u.ID)
		}
		if t.keepHist {
			h := t.history[u.ID]
			if h == nil {
				h = &History{}
				t.history[u.ID] = h
			}
			h.Add(s.CPU)
		}
	}
	for _, req := range msg.asked {
		for _, ids := range [][]string{req.Tasks, req.CRI, req.Pods} {
			for _, id := range ids {
				if !got[id] {
					if _, had := t.latest[id]; had {
						delete(t.latest, id)
						changed = append(changed, id)
					}
				}
			}
		}
	}
	queries, err := msg.queries, msg.err
	cmd := func() tea.Msg { return page.StatsQueriedMsg{Queries: queries, Err: err} }
	if firstOnly && err == nil {
		// A row seen for the first time has its memory but no CPU rate:
		// a second sample soon gives it one, rather than an interval later.
		cmd = tea.Batch(cmd, t.tag.After(FirstRate, page.StatsTickMsg{}))
	}
	switch {
	case err == nil:
		t.lastErr = ""
	case err.Error() != t.lastErr || page.ConnectionLost(err):
		// A failing source is said once, not every interval.
		t.lastErr = err.Error()
		cmd = tea.Batch(cmd, page.Report(err))
	}
	return changed, cmd
}

// sameShown tells whether two samples of one object fill its cells alike:
// the same CPU rate to a hundredth of a percent (finer than any cell, NODE%
// included), the same memory, limit and pids, and the same problem.
func sameShown(a, b backend.Stats) bool {
	return a.CPUKnown() == b.CPUKnown() && math.Round(a.CPU*100) == math.Round(b.CPU*100) &&
		a.HasMemory == b.HasMemory && a.Memory == b.Memory && a.MemoryLimit == b.MemoryLimit &&
		a.PIDs == b.PIDs && a.PIDsLimit == b.PIDsLimit && a.Problem == b.Problem && a.Source == b.Source
}

// FirstRate is how soon after a row's first sample the second one is
// taken, for its CPU rate.
const FirstRate = 750 * time.Millisecond

// Get is the last Stats of id.
func (t Tracker) Get(id string) (backend.Stats, bool) {
	s, ok := t.latest[id]
	return s, ok
}

// History is id's CPU history, nil without.
func (t Tracker) History(id string) *History { return t.history[id] }

// Forget drops what the tracker holds of ids keep says are gone.
func (t *Tracker) Forget(keep func(id string) bool) {
	t.rates.Forget(keep)
	for id := range t.latest {
		if !keep(id) {
			delete(t.latest, id)
			delete(t.history, id)
		}
	}
}

// HistoryLen is how many samples a History keeps: a minute at the default
// interval of 2 s.
const HistoryLen = 30

// History is the last HistoryLen CPU rates of one container, oldest first.
type History struct {
	vals [HistoryLen]float64
	n    int
	next int
}

// Add records a rate (negative: unknown, drawn as a gap).
func (h *History) Add(v float64) {
	h.vals[h.next] = v
	h.next = (h.next + 1) % HistoryLen
	h.n = min(h.n+1, HistoryLen)
}

// Values returns the rates, oldest first.
func (h *History) Values() []float64 {
	if h == nil {
		return nil
	}
	out := make([]float64, 0, h.n)
	for i := range h.n {
		out = append(out, h.vals[(h.next-h.n+i+HistoryLen)%HistoryLen])
	}
	return out
}

var bars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws vals in width cells (the newest on the right), scaled so
// that one busy core (100) or the largest value, whichever is more, fills a
// cell; an unknown value is a space.
func Sparkline(vals []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(vals) > width {
		vals = vals[len(vals)-width:]
	}
	top := 100.0
	for _, v := range vals {
		top = max(top, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(vals)))
	for _, v := range vals {
		if v < 0 {
			b.WriteRune(' ')
			continue
		}
		i := int(v / top * float64(len(bars)-1))
		b.WriteRune(bars[min(max(i, 0), len(bars)-1)])
	}
	return b.String()
}

// The sort keys of the stats columns: Shift+U sorts by CPU (use), Shift+W
// by memory (working set), Shift+L by memory against the limit. c and m
// are taken by CREATED and IMAGE on the pages that have stats.
const (
	KeyCPU     = 'u'
	KeyMem     = 'w'
	KeyMemPerc = 'l'
)

// NumColumns is how many columns Columns adds.
const NumColumns = 4

// Columns are the stats columns a page appends: CPU% of one core (as top),
// NODE% (the same as a share of every core), MEM (working set) and MEM%
// (of the limit). They sort busiest first. dropBase orders their dropping
// among the page's own droppable columns (NODE% and MEM% go first).
func Columns(dropBase int) []table.Column {
	return []table.Column{
		{Title: "CPU%", Key: KeyCPU, Width: 6, Align: table.AlignRight, Numeric: true, DescFirst: true},
		{Title: "NODE%", Width: 6, Align: table.AlignRight, Numeric: true, DescFirst: true, Drop: dropBase + 2},
		{Title: "MEM", Key: KeyMem, Width: 10, Align: table.AlignRight, Numeric: true, DescFirst: true},
		{Title: "MEM%", Key: KeyMemPerc, Width: 5, Align: table.AlignRight, Numeric: true, DescFirst: true, Drop: dropBase + 1},
	}
}

// Cells renders s (ok false: no sample, a dash in every cell) for the
// columns of Columns, with their sort values (-1 for a dash, so dashes
// sort last busiest-first). cpus is the node's core count (0: unknown).
func Cells(s backend.Stats, ok bool, cpus int) (cells []string, num []int64) {
	cells, num = []string{"-", "-", "-", "-"}, []int64{-1, -1, -1, -1}
	if !ok {
		return cells, num
	}
	if s.CPUKnown() {
		cells[0], num[0] = percent(s.CPU), int64(s.CPU*100)
		if share := s.NodeShare(cpus); share >= 0 {
			cells[1], num[1] = percent(share), int64(share*100)
		}
	}
	if s.HasMemory {
		cells[2], num[2] = humanize.Size(int64(s.Memory)), int64(s.Memory)
		if p := s.MemoryPercent(); p >= 0 {
			cells[3], num[3] = percent(p), int64(p*100)
		}
	}
	return cells, num
}

// percent prints a percentage as top does: one decimal below 10, whole
// above.
func percent(p float64) string {
	if p < 10 {
		return fmt.Sprintf("%.1f", p)
	}
	return fmt.Sprintf("%.0f", p)
}

// Append adds the stats cells of s to a rendered row, whose Num must be
// as long as the page's own columns.
func Append(r table.Row, own int, s backend.Stats, ok bool, cpus int) table.Row {
	cells, num := Cells(s, ok, cpus)
	r.Cells = append(r.Cells, cells...)
	n := make([]int64, own, own+NumColumns)
	copy(n, r.Num)
	r.Num = append(n, num...)
	return r
}
