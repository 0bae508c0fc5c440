package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/cmdlog"
	"github.com/ctui/ctui/ui/containers"
	"github.com/ctui/ctui/ui/describe"
	doctorpage "github.com/ctui/ctui/ui/doctor"
	"github.com/ctui/ctui/ui/health"
	"github.com/ctui/ctui/ui/images"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/namespaces"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/pods"
	"github.com/ctui/ctui/ui/tasks"
	"github.com/ctui/ctui/ui/top"
)

// newPage builds a page of the given kind with a fresh ID. ok is false for
// views this build does not have yet.
func (m *Model) newPage(v view) (p page.Page, cmd tea.Cmd, ok bool) {
	m.nextID++
	switch v {
	case viewImages:
		cfg := images.Config{
			ID: m.nextID, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock,
			Unavailable: m.b.NativeErr,
		}
		if m.b.Native != nil {
			cfg.Lister, cfg.Containers = m.b.Native, m.b.Native
			if m.first != nil {
				cfg.Lister = m.first.Lister(m.b.Native)
			}
		}
		if m.b.CRI != nil {
			cfg.CRI = m.b.CRI
		}
		p, cmd = images.New(cfg)
		return p, cmd, true
	case viewContainers:
		cfg := containers.Config{
			ID: m.nextID, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock,
			Unavailable: m.b.NativeErr,
		}
		if m.b.Native != nil {
			cfg.Lister = m.b.Native
		}
		if m.b.CRI != nil {
			cfg.CRI = m.b.CRI
		}
		cfg.Stats, cfg.CPUs = m.statsSources(), m.nodeCPUs()
		cfg.Select, m.gotoID = m.gotoID, ""
		p, cmd = containers.New(cfg)
		return p, cmd, true
	case viewNamespaces:
		cfg := namespaces.Config{
			ID: m.nextID, Ctx: m.ctx, Current: m.ns, Timeout: m.timeout, Styles: m.styles,
			Unavailable: m.b.NativeErr,
		}
		if m.b.Native != nil {
			cfg.Lister, cfg.Counter = m.b.Native, m.b.Native
		}
		p, cmd = namespaces.New(cfg)
		return p, cmd, true
	case viewTasks:
		cfg := tasks.Config{
			ID: m.nextID, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock,
			Unavailable: m.b.NativeErr,
		}
		if m.b.Native != nil {
			cfg.Lister = m.b.Native
		}
		cfg.Stats, cfg.CPUs = m.statsSources(), m.nodeCPUs()
		p, cmd = tasks.New(cfg)
		return p, cmd, true
	case viewPods:
		cfg := pods.Config{ID: m.nextID, Ctx: m.ctx, Timeout: m.timeout, Styles: m.styles, Clock: m.clock, Unavailable: m.b.CRIErr,
			Stats: m.statsSources(), CPUs: m.nodeCPUs(), OOMByPod: m.stats.ooms.ByPod()}
		cfg.Stats.Tasks = nil // pods and their containers are CRI's
		if m.b.CRI != nil {
			cfg.Runtime = m.b.CRI
		}
		p, cmd = pods.New(cfg)
		return p, cmd, true
	case viewJobs:
		p, cmd = jobs.New(jobs.Config{ID: m.nextID, Styles: m.styles, Jobs: m.acts.runner.Jobs(), Now: m.clock.Now()})
		return p, cmd, true
	case viewLog:
		p, cmd = cmdlog.New(cmdlog.Config{ID: m.nextID, Styles: m.styles, Entries: m.acts.log.Entries()})
		return p, cmd, true
	case viewTop:
		p, cmd = top.New(m.topConfig(m.nextID))
		return p, cmd, true
	case viewHealth:
		cfg := health.Config{
			ID: m.nextID, Ctx: m.ctx, Namespace: m.ns, Timeout: m.timeout, Styles: m.styles, Clock: m.clock,
			Native: m.b.Native, NativeErr: m.b.NativeErr, CRI: m.b.CRI, CRIErr: m.b.CRIErr,
			LocalFS: localRuntime(m.b.Config),
		}
		p, cmd = health.New(cfg)
		return p, cmd, true
	case viewDu:
		p, cmd = m.openDu(m.nextID)
		return p, cmd, true
	case viewSnapshots, viewContent, viewLeases:
		p, cmd = m.openStore(v, m.nextID)
		return p, cmd, true
	case viewDoctor:
		p, cmd = doctorpage.New(doctorpage.Config{ID: m.nextID, Ctx: m.ctx, Source: m.doctorSource(),
			Timeout: 3 * m.timeout, Styles: m.styles, Clock: m.clock})
		return p, cmd, true
	}
	return nil, nil, false
}

// doctorSource is the node :doctor checks: the connected backend, the
// files under the configured root.
func (m *Model) doctorSource() doctorpage.Source {
	o := m.doctor
	if o.Timeout <= 0 {
		o.Timeout = m.timeout
	}
	src := doctorpage.Source{Backend: m.b, Options: o}
	if r := m.b.Config.Remote; r != "" {
		src.Unavailable = backend.Errorf(backend.ErrUnsupported,
			"the doctor reads the files of the machine ctui runs on, so it cannot check the remote node %s: run ctui doctor there (ssh to it)", r)
	}
	return src
}

// localRuntime tells whether the CRI image service runs on this machine (a
// unix socket, or no endpoint named: the local default), so that the health
// page may statfs the image filesystem's mountpoint.
func localRuntime(cfg backend.Config) bool {
	if cfg.Transport != nil {
		return false // the image filesystem is on the remote node
	}
	ep := cfg.ImageEndpoint
	if ep == "" {
		ep = cfg.RuntimeEndpoint
	}
	ep, err := backend.NormalizeEndpoint(ep)
	return err == nil && (ep == "" || strings.HasPrefix(ep, "unix://"))
}

// describe opens the describe page for obj, on whichever side of the
// backend can describe it (a side that cannot is reported by the page).
func (m *Model) describe(obj page.Object) tea.Cmd {
	cfg := describe.Config{
		Ctx: m.ctx, Object: obj, Timeout: m.timeout, Styles: m.styles,
		NativeErr: m.b.NativeErr, CRIErr: m.b.CRIErr,
	}
	if d, ok := m.b.Native.(backend.NativeDescriber); ok {
		cfg.Native = d
	}
	if d, ok := m.b.CRI.(backend.RuntimeDescriber); ok {
		cfg.Runtime = d
	}
	return m.open(func(id page.ID) (page.Page, tea.Cmd) {
		cfg.ID = id
		return describe.New(cfg)
	})
}

// open pushes a page that build makes with a fresh ID: a drill-in a page
// asked for (page.OpenMsg), or describe.
func (m *Model) open(build func(page.ID) (page.Page, tea.Cmd)) tea.Cmd {
	m.nextID++
	p, cmd := build(m.nextID)
	return m.pushPage(p, cmd)
}

// push opens a page on top of the stack and sizes it.
func (m *Model) push(v view) tea.Cmd {
	p, cmd, ok := m.newPage(v)
	if !ok {
		return m.flash.set("this view is not in this build yet", true)
	}
	return m.pushPage(p, cmd)
}

// pushPage puts p, built with ID m.nextID, on top of the stack and sizes
// it; cmd is its first load.
func (m *Model) pushPage(p page.Page, cmd tea.Cmd) tea.Cmd {
	m.pages = append(m.pages, entry{id: m.nextID, p: p})
	w, h := m.contentSize()
	return tea.Batch(cmd, m.send(len(m.pages)-1, page.SizeMsg{Width: w, Height: h}))
}

// pop goes back a page; the last page stays.
func (m *Model) pop() {
	if len(m.pages) > 1 {
		m.closeFrom(len(m.pages) - 1)
	}
}

func (m Model) top() page.Page {
	if len(m.pages) == 0 {
		return nil
	}
	return m.pages[len(m.pages)-1].p
}

// send updates the page at index i with msg.
func (m *Model) send(i int, msg tea.Msg) tea.Cmd {
	p, cmd := m.pages[i].p.Update(msg)
	m.pages[i].p = p
	return cmd
}

// updateTop gives msg to the page on top.
func (m *Model) updateTop(msg tea.Msg) tea.Cmd {
	if len(m.pages) == 0 {
		return nil
	}
	return m.send(len(m.pages)-1, msg)
}

// deliver hands a reply to the page that asked, wherever it is on the
// stack; a reply for a page that was popped is dropped here. Stale
// generations are the page's to drop.
func (m *Model) deliver(r page.Reply) tea.Cmd {
	for i := range m.pages {
		if m.pages[i].id == r.Tag.Page {
			return m.send(i, r.Msg)
		}
	}
	return nil
}

// broadcast sends msg to every page on the stack.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.pages))
	for i := range m.pages {
		cmds = append(cmds, m.send(i, msg))
	}
	return tea.Batch(cmds...)
}

// resize tells every page the size of the content area.
func (m *Model) resize() tea.Cmd {
	w, h := m.contentSize()
	return m.broadcast(page.SizeMsg{Width: w, Height: h})
}

// Frame geometry: two header lines and one status line around the page, and
// the connection panel when it shows.
const (
	headerLines = 2
	statusLines = 1
	panelLines  = 4
	// MinWidth and MinHeight are the smallest usable screen; below it the
	// UI says so instead of drawing a garbled frame.
	MinWidth  = 40
	MinHeight = 8
)

func (m Model) contentSize() (w, h int) {
	h = m.height - headerLines - statusLines
	if m.conn.lost {
		h -= panelLines
	}
	return max(m.width, 0), max(h, 0)
}
