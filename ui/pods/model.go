// Package pods is the pods page: CRI's pod sandboxes as crictl pods lists
// them, with each pod's container count, and, on enter, a page of the pod's
// containers (every attempt, with exit code and reason, which is how a
// crash loop reads). CRI has no event stream ctui relies on, so containerd's
// events in k8s.io, where CRI keeps everything, trigger a re-list, once per
// burst.
package pods

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

// Config is what the pods page (and the containers pages it opens) are
// built from.
type Config struct {
	ID  page.ID
	Ctx context.Context
	// Runtime is the CRI runtime; nil when CRI is unavailable, and then
	// Unavailable says why.
	Runtime     backend.Runtime
	Unavailable error
	Timeout     time.Duration
	Styles      *theme.Styles
	// Clock is what ages are measured against; the zero Clock is the
	// wall clock.
	Clock backend.Clock
	// Stats is CRI's stats (crictl stats, statsp); none when stats are
	// off, and then the pages have no stats columns. CPUs is the node's
	// core count for NODE% (0: unknown). OOMByPod is the OOM kills seen
	// so far, by pod UID (a copy).
	Stats    usage.Sources
	CPUs     int
	OOMByPod map[string]int
}

// item is a pod with its containers, every attempt: n counts them, -1
// when CRI could not list them.
type item struct {
	pod  backend.Pod
	n    int
	ctrs []backend.PodContainer
}

// Model is the pods page.
type Model struct {
	listpage.List[item]
	cfg    Config
	keys   KeyMap
	pods   map[string]backend.Pod // by sandbox id
	counts map[string]int         // containers by sandbox id (-1: unknown)
	at     time.Time              // when the list was answered
	usage  usage.Tracker
	ooms   map[string]int // OOM kills by pod UID
}

var (
	_ page.Page     = Model{}
	_ page.Selector = Model{}
)

// New returns the page, newest pod first, and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	lc := listpage.Config[item]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Global: true,
		Title: "pods", Type: page.TypePods, Caps: page.CanLifecycle,
		Columns: func(string) []table.Column { return columns(cfg.statsOn()) },
		Relist:  func(ev backend.Event, _ string) bool { return touchesCRI(ev) },
		Keys:    PageBindings(), Unavailable: cfg.Unavailable,
		Failed:  func(string) string { return "pods: " },
		Loading: func(string) string { return "listing pods…" },
	}
	if rt := cfg.Runtime; rt != nil {
		lc.Load = func(ctx context.Context, _ string) ([]item, error) { return loadPods(ctx, rt) }
	} else {
		lc.Failed = func(string) string { return "pods need the CRI API: " }
		if lc.Unavailable == nil {
			lc.Unavailable = errors.New("CRI is not connected")
		}
	}
	m := Model{cfg: cfg, keys: DefaultKeyMap(), List: listpage.New(lc), usage: usage.NewTracker(cfg.Clock.Now, false), ooms: map[string]int{}}
	for uid, n := range cfg.OOMByPod {
		m.ooms[uid] = n
	}
	m.Table.SortBy(colCreated, true)
	return m, m.Reload()
}

// Update implements page.Page: enter opens the pod's containers; the rest
// is the list's.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case listpage.Loaded[item]:
		return m.loaded(msg)
	case usage.SampledMsg:
		return m.sampled(msg)
	case page.StatsTickMsg:
		return m, m.sample()
	case page.OOMMsg:
		return m.oomKilled(msg)
	case tea.KeyPressMsg:
		if !m.Table.Typing() && key.Matches(msg, m.keys.Open) {
			return m, m.open()
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

func (m Model) loaded(msg listpage.Loaded[item]) (page.Page, tea.Cmd) {
	cmd, took := m.Take(msg, func(it item, now time.Time) table.Row { return m.row(it.pod, it.n, now) })
	if !took {
		return m, cmd
	}
	m.pods, m.counts, m.at = make(map[string]backend.Pod, len(msg.Items)), make(map[string]int, len(msg.Items)), msg.At
	for _, it := range msg.Items {
		m.pods[it.pod.ID], m.counts[it.pod.ID] = it.pod, it.n
	}
	m.usage.Forget(func(id string) bool { _, ok := m.pods[id]; return ok })
	return m, tea.Batch(cmd, m.sample())
}

// selected is the pod under the cursor.
func (m Model) selected() (item, bool) {
	id, ok := m.Table.SelectedID()
	if !ok {
		return item{}, false
	}
	for _, it := range m.Items() {
		if it.pod.ID == id {
			return it, true
		}
	}
	return item{pod: backend.Pod{ID: id}}, true
}

// open asks the root for a page of the selected pod's containers, seeded
// with the ones this page already has so that it shows at once.
func (m Model) open() tea.Cmd {
	it, ok := m.selected()
	if !ok {
		return nil
	}
	cfg, seed := m.cfg, it.ctrs
	return page.Open(func(pid page.ID) (page.Page, tea.Cmd) {
		cfg.ID = pid
		return NewContainers(cfg, it.pod, seed)
	})
}

// Selected implements page.Selector: d describes the pod's sandbox status.
func (m Model) Selected() (page.Object, bool) {
	it, ok := m.selected()
	if !ok {
		return page.Object{}, false
	}
	return page.Object{Kind: page.KindPod, ID: it.pod.ID, Name: podName(it.pod)}, true
}

// podName is how a pod is named in titles: namespace/name, as kubectl's
// users know it.
func podName(p backend.Pod) string {
	if p.Namespace == "" {
		return p.Name
	}
	return p.Namespace + "/" + p.Name
}
