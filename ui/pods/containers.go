package pods

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// ContainersModel is the page of one pod's CRI containers, every attempt,
// newest first: enter on the pods page opens it.
type ContainersModel struct {
	listpage.List[backend.PodContainer]
	cfg   Config
	byID  map[string]backend.PodContainer
	at    time.Time
	usage usage.Tracker
}

var (
	_ page.Page     = ContainersModel{}
	_ page.Selector = ContainersModel{}
)

// NewContainers returns the page of pod's containers, showing seed (what
// the pods page listed) at once, and the command that lists them afresh.
func NewContainers(cfg Config, pod backend.Pod, seed []backend.PodContainer) (ContainersModel, tea.Cmd) {
	name := podName(pod)
	lc := listpage.Config[backend.PodContainer]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Global: true,
		Title: "pod " + name, Type: page.TypePodContainers, Caps: page.CanLifecycle,
		Columns: func(string) []table.Column { return containerColumns(cfg.statsOn()) },
		Relist:  func(ev backend.Event, _ string) bool { return touchesCRI(ev) },
		Keys:    ContainerBindings(), Unavailable: cfg.Unavailable,
		Failed:  func(string) string { return "containers of pod " + name + ": " },
		Loading: func(string) string { return "listing the containers of pod " + name + "…" },
	}
	if rt := cfg.Runtime; rt != nil {
		lc.Load = func(ctx context.Context, _ string) ([]backend.PodContainer, error) {
			all, err := rt.PodContainers(ctx)
			return ofPod(all, pod.ID), err
		}
	}
	m := ContainersModel{List: listpage.New(lc), cfg: cfg, usage: usage.NewTracker(cfg.Clock.Now, false)}
	m.Table.SortBy(ccCreated, true)
	if seed != nil {
		m.setRows(seed, cfg.Clock.Now())
	}
	return m, m.Reload()
}

// setRows shows ctrs, answered at now, with their stats.
func (m *ContainersModel) setRows(ctrs []backend.PodContainer, now time.Time) {
	m.index(ctrs, now)
	m.SetItems(ctrs, now, m.row)
}

// index keeps the listed containers by id, for their stats.
func (m *ContainersModel) index(ctrs []backend.PodContainer, now time.Time) {
	m.byID, m.at = make(map[string]backend.PodContainer, len(ctrs)), now
	for _, c := range ctrs {
		m.byID[c.ID] = c
	}
}

// Update implements page.Page.
func (m ContainersModel) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case listpage.Loaded[backend.PodContainer]:
		cmd, took := m.Take(msg, m.row)
		if !took {
			return m, cmd
		}
		m.index(msg.Items, msg.At)
		return m, tea.Batch(cmd, m.sample())
	case usage.SampledMsg:
		return m.sampled(msg)
	case page.StatsTickMsg:
		return m, m.sample()
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// Selected implements page.Selector: d describes the container's CRI
// status.
func (m ContainersModel) Selected() (page.Object, bool) {
	id, ok := m.Table.SelectedID()
	if !ok {
		return page.Object{}, false
	}
	return page.Object{Kind: page.KindPodContainer, ID: id, Name: shortID(id)}, true
}
