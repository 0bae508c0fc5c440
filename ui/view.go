package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/actions"
	"github.com/ctui/ctui/ui/describe"
	"github.com/ctui/ctui/ui/dialog"
	doctorpage "github.com/ctui/ctui/ui/doctor"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/frame"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/logs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/pods"
	"github.com/ctui/ctui/ui/table"
)

// render draws the frame: header, connection panel, page (or help), status
// line. Every line is cut to the width and the frame to the height, so no
// page can break the layout.
func (m Model) render() string {
	if m.width < MinWidth || m.height < MinHeight {
		return frame.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	lines := make([]string, 0, m.height)
	h := frame.RenderHeader(m.styles, frame.HeaderView{Info: m.header, Endpoint: m.endpoint(), NS: m.ns, Readonly: m.b.Config.Readonly,
		Context: m.b.Config.Context, Doctor: doctorpage.Badge(m.doctorRun)})
	lines = append(lines, h[0], h[1])
	if m.conn.Lost {
		lines = append(lines, frame.RenderPanel(m.styles, m.conn.Since, m.conn.Err, frame.ProbeEvery, m.clock.Now(), m.width)...)
	}
	_, ch := m.contentSize()
	var body string
	switch {
	case m.help:
		body = frame.RenderHelp(m.styles, m.helpSections(), m.width, ch)
	case m.top() != nil:
		body = m.top().View()
	}
	bl := strings.Split(body, "\n")
	if body == "" {
		bl = nil
	}
	for i := range ch {
		if i < len(bl) {
			lines = append(lines, bl[i])
		} else {
			lines = append(lines, "")
		}
	}
	if d, ok := m.acts.Dialog(); ok {
		frame.Overlay(lines[len(lines)-ch:], d.View(m.width, ch), m.width)
	}
	lines = append(lines, m.statusLine())
	return frame.Clip(lines, m.width, m.height)
}

// endpoint is where the header says ctui is connected.
func (m Model) endpoint() string {
	cfg := m.b.Config
	if a := cfg.Address; a != "" {
		return cfg.Where(a) // ssh://user@node/path for a remote node
	}
	if p, ok := backend.SocketPath(cfg.RuntimeEndpoint); ok && cfg.Transport != nil {
		return cfg.Where(p)
	}
	return cfg.RuntimeEndpoint
}

// statusLine is the command line while typing one, else the flash, else
// the page's title and count with the keys to know.
func (m Model) statusLine() string {
	ind := ""
	if s := jobs.Summary(m.acts.Jobs()); s != "" {
		ind = m.styles.Warn.Render(s) + "  "
	}
	switch {
	case m.cmdline.Active:
		return m.cmdline.Input.View()
	case m.flash.Text() != "":
		return m.flash.Render(m.styles, ind)
	}
	var b strings.Builder
	b.WriteString(ind)
	if p := m.top(); p != nil {
		st := p.State()
		b.WriteString(m.styles.Title.Render(st.Title))
		if st.Info != "" {
			b.WriteString(" " + m.styles.Value.Render(st.Info))
		}
		b.WriteString("  ")
	}
	b.WriteString(m.styles.Dim.Render("? help  : command  / filter  d describe  esc back  q quit"))
	return b.String()
}

// helpSections are the global keys, the page's, and the commands.
func (m Model) helpSections() []frame.Section {
	secs := []frame.Section{{Title: "global", Keys: m.keys.Bindings()}}
	if p := m.top(); p != nil {
		secs = append(secs, frame.Section{Title: p.State().Title, Keys: p.Keys()})
		for _, s := range m.acts.Help(p) {
			secs = append(secs, frame.Section{Title: s.Title, Keys: s.Keys})
		}
	}
	return append(secs, frame.Section{Title: "commands", Keys: commandBindings()})
}

// commandBindings presents the command table as bindings, so that help and
// docs render commands and keys alike.
func commandBindings() []key.Binding {
	var out []key.Binding
	for _, c := range commands() {
		k := ":" + c.name
		for _, a := range c.aliases {
			k += " :" + a
		}
		if c.args != "" {
			k += " " + c.args
		}
		out = append(out, key.NewBinding(key.WithKeys(c.name), key.WithHelp(k, c.help)))
	}
	return out
}

// docSections are the sections docs/keybindings.md documents: every page's
// keys, not only the page on top. The routes' sections come in this order,
// which the doc has always had; a route not named here (a new page) is
// added after them.
func docSections() []frame.Section {
	secs := []frame.Section{
		{Title: "Global", Keys: DefaultKeyMap().Bindings()},
		{Title: "Commands", Keys: commandBindings()},
		{Title: "Lists (every table)", Keys: append(table.DefaultKeyMap().Bindings(), DefaultKeyMap().Back)},
	}
	done := map[page.Type]bool{}
	of := func(ts ...page.Type) []frame.Section {
		var out []frame.Section
		for _, t := range ts {
			if r, ok := routeOf(t); ok && r.keys != nil {
				out = append(out, frame.Section{Title: r.doc, Keys: r.keys()})
				done[t] = true
			}
		}
		return out
	}
	secs = append(secs, of(page.TypeImages, page.TypeContainers, page.TypeNamespaces, page.TypeTasks, page.TypePods)...)
	secs = append(secs,
		frame.Section{Title: "A pod's containers (enter on a pod)", Keys: pods.ContainerBindings()},
		frame.Section{Title: "Describe page (d)", Keys: describe.DefaultKeyMap().Bindings()},
		frame.Section{Title: "Log page (l)", Keys: logs.DefaultKeyMap().Bindings()},
		frame.Section{Title: "Output of :exec", Keys: exec.DefaultKeyMap().Bindings()},
		frame.Section{Title: "Image actions (images page; marked images, else the one under the cursor)", Keys: actions.DefaultActionKeyMap().Bindings(true)},
		frame.Section{Title: "Container, task and pod actions (containers, tasks, pods and a pod's containers)", Keys: actions.DefaultLifecycleKeyMap().Bindings(nil)},
		frame.Section{Title: "Dialogs of the image and container actions", Keys: dialog.Bindings()},
	)
	secs = append(secs, of(page.TypeJobs, page.TypeCmdLog, page.TypeHealth, page.TypeDu, page.TypeSnapshots, page.TypeContent, page.TypeLeases, page.TypePrune, page.TypeDoctor, page.TypeTop)...)
	for _, r := range routes() {
		if !done[r.typ] && r.keys != nil {
			secs = append(secs, frame.Section{Title: r.doc, Keys: r.keys()})
		}
	}
	return secs
}
