// Package tasks is the tasks page: the running and stopped tasks of the
// namespace, as `ctr tasks ls` lists them, with the exit status and, in
// k8s.io, the pod container each one runs. containerd's task events keep it
// current: a burst of them costs one list.
package tasks

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

// Config is what the page is built from.
type Config struct {
	ID  page.ID
	Ctx context.Context
	// Lister is containerd's container API; nil when it is unavailable,
	// and then Unavailable says why.
	Lister      backend.ContainerLister
	Unavailable error
	// Pods names the pod of each task in k8s.io by its sandbox's
	// metadata (CRI); nil without CRI, and then the labels do.
	Pods      backend.PodRefLister
	Namespace string
	Timeout   time.Duration
	Styles    *theme.Styles
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
	// Stats are the sources of CPU and memory; none when stats are off.
	// CPUs is the node's core count for NODE% (0: unknown).
	Stats usage.Sources
	CPUs  int
}

// Model is the tasks page: a list of the containers that have a task, with
// their resource use.
type Model struct {
	listpage.List[backend.Container]
	cfg   Config
	byID  map[string]backend.Container // the listed tasks, for stats
	at    time.Time                    // when they were listed
	usage usage.Tracker
	oom   map[string]bool // tasks OOM-killed since ctui started
}

var (
	_ page.Page     = Model{}
	_ page.Selector = Model{}
)

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	lc := listpage.Config[backend.Container]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Namespace: cfg.Namespace,
		Title: "tasks", Type: page.TypeTasks, Caps: page.CanLifecycle | page.CanRemoveTask,
		Columns: func(ns string) []table.Column { return columns(ns, statsOn(cfg)) },
		Relist:  isTaskEvent, Keys: PageBindings(), Unavailable: cfg.Unavailable,
	}
	if l := cfg.Lister; l != nil {
		pods := cfg.Pods
		lc.Load = func(ctx context.Context, ns string) ([]backend.Container, error) {
			// The containers list already joins the one bulk task list
			// (`ctr tasks ls` costs the same call), and brings the pod
			// labels a bare task lacks.
			ctrs, err := l.Containers(ctx, ns)
			ctrs = withTask(ctrs)
			if err == nil && ns == backend.CRINamespace && pods != nil {
				// The pod by its sandbox's metadata, in one bulk pair
				// of CRI calls: a crictl runp pod has no labels. CRI
				// not answering leaves the labels.
				if refs, perr := pods.PodRefs(ctx); perr == nil {
					backend.JoinPods(ctrs, refs)
				}
			}
			return ctrs, err
		}
	}
	m := Model{List: listpage.New(lc), cfg: cfg, usage: usage.NewTracker(cfg.Clock.Now, false), oom: map[string]bool{}}
	return m, m.Reload()
}

// Update implements page.Page: the list's answers are rendered with the
// page's stats; the rest is the list's.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case listpage.Loaded[backend.Container]:
		return m.loaded(msg)
	case usage.SampledMsg:
		return m.sampled(msg)
	case page.StatsTickMsg:
		return m, m.sample()
	case page.OOMMsg:
		return m.oomKilled(msg)
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

func (m Model) loaded(msg listpage.Loaded[backend.Container]) (page.Page, tea.Cmd) {
	cmd, took := m.Take(msg, m.row)
	if !took {
		return m, cmd
	}
	m.byID, m.at = make(map[string]backend.Container, len(msg.Items)), msg.At
	for _, c := range msg.Items {
		m.byID[c.ID] = c
	}
	m.usage.Forget(func(id string) bool { _, ok := m.byID[id]; return ok })
	return m, tea.Batch(cmd, m.sample())
}

// Selected implements page.Selector: a task is described as its container
// (the record, the spec and the task's state together).
func (m Model) Selected() (page.Object, bool) {
	id, ok := m.Table.SelectedID()
	if !ok {
		return page.Object{}, false
	}
	return page.Object{Kind: page.KindContainer, Namespace: m.Namespace(), ID: id}, true
}
