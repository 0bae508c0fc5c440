package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/cmdlog"
	"github.com/ctui/ctui/ui/containers"
	"github.com/ctui/ctui/ui/content"
	"github.com/ctui/ctui/ui/contexts"
	doctorpage "github.com/ctui/ctui/ui/doctor"
	"github.com/ctui/ctui/ui/du"
	"github.com/ctui/ctui/ui/health"
	"github.com/ctui/ctui/ui/images"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/leases"
	"github.com/ctui/ctui/ui/namespaces"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/pods"
	"github.com/ctui/ctui/ui/prune"
	"github.com/ctui/ctui/ui/snapshots"
	"github.com/ctui/ctui/ui/tasks"
	"github.com/ctui/ctui/ui/top"
)

// route is one page a `:` command opens. Adding a page is one route: its
// type, its command (name, aliases, help), how it is built from the root's
// values, and its keys for docs/keybindings.md. The command table, help,
// the docs and de-duplication (`:pods` twice goes back to the open one)
// all read routes, by type, never by title.
type route struct {
	typ page.Type
	cmd command
	// open builds the page with id from what the root holds (the backend,
	// namespace, styles).
	open func(m *Model, id page.ID) (page.Page, tea.Cmd)
	// run, instead of open, takes the whole command line (:exec CMD,
	// :prune WHAT) and opens what it asks for.
	run func(m *Model, line string) tea.Cmd
	// doc titles the page's section in docs/keybindings.md; keys are its
	// bindings there.
	doc  string
	keys func() []key.Binding
}

// routes are the pages commands open, in the order help lists them.
func routes() []route {
	return []route{
		{typ: page.TypeImages, open: (*Model).openImages, doc: "Images page (:images)", keys: images.PageBindings,
			cmd: command{name: "images", aliases: []string{"img", "image"}, help: "images of the namespace"}},
		{typ: page.TypeContainers, open: (*Model).openContainers, doc: "Containers page (:containers)", keys: containers.PageBindings,
			cmd: command{name: "containers", aliases: []string{"c", "container"}, help: "containers with their tasks"}},
		{typ: page.TypeTasks, open: (*Model).openTasks, doc: "Tasks page (:tasks)", keys: tasks.PageBindings,
			cmd: command{name: "tasks", aliases: []string{"t", "task"}, help: "running and stopped tasks"}},
		{typ: page.TypePods, open: (*Model).openPods, doc: "Pods page (:pods)", keys: pods.PageBindings,
			cmd: command{name: "pods", aliases: []string{"po", "pod"}, help: "CRI pod sandboxes"}},
		{typ: page.TypeNamespaces, open: (*Model).openNamespaces, doc: "Namespaces page (:ns)", keys: namespaces.PageBindings,
			cmd: command{name: "namespaces", aliases: []string{"ns", "namespace"}, args: "[NAME]", help: "namespaces; with NAME, switch to it"}},
		{typ: page.TypeExec, run: (*Model).execCommand,
			cmd: command{name: "exec", args: "[-it] CMD...", help: "run CMD in the container under the cursor: output and exit code in a pane; -it on the terminal"}},
		{typ: page.TypeJobs, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) {
			return jobs.New(jobs.Config{ID: id, Styles: m.styles, Jobs: m.acts.Jobs(), Now: m.clock.Now()})
		}, doc: "Jobs page (:jobs)", keys: jobs.PageBindings,
			cmd: command{name: "jobs", aliases: []string{"job"}, help: "background image actions: progress, outcome; x cancels"}},
		{typ: page.TypeCmdLog, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) {
			return cmdlog.New(cmdlog.Config{ID: id, Styles: m.styles, Entries: m.acts.Entries()})
		}, doc: "Command log (:log)", keys: cmdlog.PageBindings,
			cmd: command{name: "log", help: "finished actions with their ctr/crictl command lines"}},
		{typ: page.TypeTop, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) { return top.New(m.topConfig(id)) },
			doc: "Top (:top)", keys: top.PageBindings,
			cmd: command{name: "top", help: "running containers of every namespace by CPU, a minute of history each, the node's totals; a: this namespace only"}},
		{typ: page.TypeHealth, open: (*Model).openHealth, doc: "Node health (:health)", keys: health.DefaultKeyMap().Bindings,
			cmd: command{name: "health", aliases: []string{"node"}, help: "node health: containerd, its plugins, CRI conditions and settings, image filesystem"}},
		{typ: page.TypeDu, open: (*Model).openDu, doc: "Disk usage (:du)", keys: du.PageBindings,
			cmd: command{name: "du", aliases: []string{"disk"}, help: "disk usage: image filesystem and containerd's directories (statfs), then images (unique/shared), containers' writable layers and snapshots, biggest first"}},
		{typ: page.TypeSnapshots, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) { return m.openStore(page.TypeSnapshots, id) },
			doc: "Snapshots (:snapshots)", keys: snapshots.PageBindings,
			cmd: command{name: "snapshots", aliases: []string{"snap", "snapshot"}, help: "snapshots of every snapshotter in use (ctr snapshots ls and usage), what holds each, orphans marked"}},
		{typ: page.TypeContent, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) { return m.openStore(page.TypeContent, id) },
			doc: "Content (:content)", keys: content.PageBindings,
			cmd: command{name: "content", aliases: []string{"blobs"}, help: "content blobs (ctr content ls): size, kind, the images that reference each, unreferenced ones"}},
		{typ: page.TypeLeases, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) { return m.openStore(page.TypeLeases, id) },
			doc: "Leases (:leases)", keys: leases.PageBindings,
			cmd: command{name: "leases", aliases: []string{"lease"}, help: "leases (ctr leases ls): what each holds, expired and left-behind ones marked; ctrl+d removes"}},
		{typ: page.TypePrune, run: (*Model).runPrune, doc: "Prune preview (:prune images|containers|content)", keys: prune.PageBindings,
			cmd: command{name: "prune", args: "images [-A] | containers [AGE] [-A] | content", help: "preview, then (ctrl+d, asks first) remove unused images, stopped containers, or left-behind leases, ingests and garbage; -A: every namespace"}},
		{typ: page.TypeDoctor, open: (*Model).openDoctor, doc: "Node doctor (:doctor)", keys: doctorpage.DefaultKeyMap().Bindings,
			cmd: command{name: "doctor", aliases: []string{"dr"}, help: "the node doctor: each check OK/WARN/FAIL/SKIP, failures first; enter shows the evidence and fix"}},
		{typ: page.TypeContexts, open: func(m *Model, id page.ID) (page.Page, tea.Cmd) { return contexts.New(m.contextsConfig(id)) }, doc: "Contexts (:ctx)", keys: contexts.PageBindings,
			cmd: command{name: "ctx", aliases: []string{"context", "contexts"}, help: "contexts of ~/.config/ctui/config.yaml, the current one marked; enter switches to one (reconnects)"}},
	}
}

// routeOf finds the route of page type t.
func routeOf(t page.Type) (route, bool) {
	for _, r := range routes() {
		if r.typ == t {
			return r, true
		}
	}
	return route{}, false
}

func (m *Model) openImages(id page.ID) (page.Page, tea.Cmd) {
	cfg := images.Config{
		ID: id, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Unavailable: m.b.NativeErr}
	if m.b.Native != nil {
		cfg.Lister, cfg.Containers = m.b.Native, m.b.Native
		if m.first != nil {
			cfg.Lister = m.first.Lister(m.b.Native)
		}
	}
	if m.b.CRI != nil {
		cfg.CRI = m.b.CRI
	}
	return images.New(cfg)
}

func (m *Model) openContainers(id page.ID) (page.Page, tea.Cmd) {
	cfg := containers.Config{
		ID: id, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Unavailable: m.b.NativeErr}
	if m.b.Native != nil {
		cfg.Lister = m.b.Native
	}
	if m.b.CRI != nil {
		cfg.CRI = m.b.CRI
	}
	cfg.Stats, cfg.CPUs = m.statsSources(), m.nodeCPUs()
	cfg.Select, m.gotoID = m.gotoID, ""
	return containers.New(cfg)
}

func (m *Model) openTasks(id page.ID) (page.Page, tea.Cmd) {
	cfg := tasks.Config{
		ID: id, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Unavailable: m.b.NativeErr}
	if m.b.Native != nil {
		cfg.Lister = m.b.Native
	}
	if p, ok := m.b.CRI.(backend.PodRefLister); ok && m.b.CRI != nil {
		cfg.Pods = p
	}
	cfg.Stats, cfg.CPUs = m.statsSources(), m.nodeCPUs()
	return tasks.New(cfg)
}

func (m *Model) openPods(id page.ID) (page.Page, tea.Cmd) {
	cfg := pods.Config{ID: id, Ctx: m.ctx, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Unavailable: m.b.CRIErr,
		Stats: m.statsSources(), CPUs: m.nodeCPUs(), OOMByPod: m.stats.OOMs.ByPod()}
	cfg.Stats.Tasks = nil // pods and their containers are CRI's
	if m.b.CRI != nil {
		cfg.Runtime = m.b.CRI
	}
	return pods.New(cfg)
}

func (m *Model) openNamespaces(id page.ID) (page.Page, tea.Cmd) {
	cfg := namespaces.Config{
		ID: id, Ctx: m.ctx, Current: m.ns, Timeout: m.timeout, Styles: m.styles, Unavailable: m.b.NativeErr}
	if m.b.Native != nil {
		cfg.Lister, cfg.Counter = m.b.Native, m.b.Native
	}
	return namespaces.New(cfg)
}

func (m *Model) openHealth(id page.ID) (page.Page, tea.Cmd) {
	return health.New(health.Config{
		ID: id, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock,
		Native: m.b.Native, NativeErr: m.b.NativeErr, CRI: m.b.CRI, CRIErr: m.b.CRIErr,
		LocalFS: localRuntime(m.b.Config),
	})
}

func (m *Model) openDoctor(id page.ID) (page.Page, tea.Cmd) {
	return doctorpage.New(doctorpage.Config{ID: id, Ctx: m.ctx, Source: doctorpage.SourceOf(m.b, m.doctor, m.timeout),
		Timeout: 3 * m.timeout, Styles: m.styles, Clock: m.clock, Last: m.doctorRun})
}

// contextsConfig is :ctx's page: the switcher cmd/ctui gave, the context
// in use, the jobs a switch would cut off.
func (m *Model) contextsConfig(id page.ID) contexts.Config {
	return contexts.Config{ID: id, Ctx: m.ctx, Timeout: m.timeout, Styles: m.styles, Switcher: m.switcher, Current: m.b.Config.Context, Running: m.acts.Running}
}

// execCommand runs `:exec [-it] CMD...` in the container under the cursor.
func (m *Model) execCommand(line string) tea.Cmd {
	return m.execLine(strings.TrimPrefix(strings.TrimSpace(line), strings.Fields(line)[0]))
}
