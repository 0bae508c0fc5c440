package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/describe"
	"github.com/ctui/ctui/ui/frame"
	"github.com/ctui/ctui/ui/page"
)

// localRuntime tells whether the CRI image service runs on this machine (a
// unix socket, or no endpoint named: the local default), so that the health
// page may statfs the image filesystem's mountpoint.
func localRuntime(cfg backend.Config) bool {
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

// push opens a page of type t (its route) on top of the stack and sizes
// it.
func (m *Model) push(t page.Type) tea.Cmd {
	r, ok := routeOf(t)
	if !ok || r.open == nil {
		return m.flash.Set("this view is not in this build yet", true)
	}
	return m.open(func(id page.ID) (page.Page, tea.Cmd) { return r.open(m, id) })
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
	// MinWidth and MinHeight are the smallest usable screen; below it the
	// UI says so instead of drawing a garbled frame.
	MinWidth  = 40
	MinHeight = 8
)

func (m Model) contentSize() (w, h int) {
	h = m.height - headerLines - statusLines
	if m.conn.Lost {
		h -= frame.PanelLines
	}
	return max(m.width, 0), max(h, 0)
}
