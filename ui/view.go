package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/actions"
	"github.com/ctui/ctui/ui/describe"
	"github.com/ctui/ctui/ui/dialog"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/logs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/pods"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// render draws the frame: header, connection panel, page (or help), status
// line. Every line is cut to the width and the frame to the height, so no
// page can break the layout.
func (m Model) render() string {
	if m.width < MinWidth || m.height < MinHeight {
		return tooSmall(m.width, m.height)
	}
	lines := make([]string, 0, m.height)
	hv := headerView{info: m.header, endpoint: m.endpoint(), ns: m.ns, readonly: m.b.Config.Readonly, context: m.b.Config.Context, doctor: m.doctorBadge}
	h := renderHeader(m.styles, hv)
	lines = append(lines, h[0], h[1])
	if m.conn.lost {
		lines = append(lines, renderPanel(m.styles, m.conn, m.clock.Now(), m.width)...)
	}
	_, ch := m.contentSize()
	var body string
	switch {
	case m.help:
		body = renderHelp(m.styles, m.helpSections(), m.width, ch)
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
		overlay(lines[len(lines)-ch:], d.View(m.width, ch), m.width)
	}
	lines = append(lines, m.statusLine())
	return clip(lines, m.width, m.height)
}

// endpoint is where the header says ctui is connected.
func (m Model) endpoint() string {
	if a := m.b.Config.Address; a != "" {
		return a
	}
	return m.b.Config.RuntimeEndpoint
}

// statusLine is the command line while typing one, else the flash, else
// the page's title and count with the keys to know.
func (m Model) statusLine() string {
	ind := ""
	if s := jobs.Summary(m.acts.Jobs()); s != "" {
		ind = m.styles.Warn.Render(s) + "  "
	}
	switch {
	case m.cmdline.active:
		return m.cmdline.input.View()
	case m.flash.text != "" && m.flash.err:
		return ind + m.styles.FlashErr.Render(m.flash.text)
	case m.flash.text != "":
		return ind + m.styles.FlashInfo.Render(m.flash.text)
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

// tooSmall replaces the frame when the terminal is below MinWidth x
// MinHeight: one short sentence, cut to whatever room there is.
func tooSmall(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	msg := []string{
		"ctui needs a bigger window:",
		fmt.Sprintf("%dx%d at least, this is %dx%d", MinWidth, MinHeight, w, h),
	}
	return clip(msg, w, h)
}

// renderPanel is the connection-lost notice in a frame: since when and that
// ctui keeps trying, then the operator sentence of the last error.
func renderPanel(st theme.Styles, c conn, now time.Time, width int) []string {
	inner := max(width-4, 1) // border and padding
	head := fmt.Sprintf("connection lost %s ago; retrying every %s", now.Sub(c.since).Round(time.Second), probeEvery)
	msg := "no answer"
	if c.err != nil {
		msg = c.err.Error()
	}
	text := st.Bad.Render(ansi.Truncate(head, inner, "…")) + "\n" + ansi.Truncate(msg, inner, "…")
	lines := strings.Split(st.Panel.Width(width).Render(text), "\n")
	if len(lines) > panelLines {
		lines = lines[:panelLines]
	}
	for len(lines) < panelLines {
		lines = append(lines, "")
	}
	return lines
}

// clip cuts lines to width and the list to height, and joins them.
func clip(lines []string, width, height int) string {
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "")
		}
	}
	return strings.Join(lines, "\n")
}

// keySection is a titled group of bindings, for help and docs.
type keySection struct {
	title string
	keys  []key.Binding
}

// helpSections are the global keys, the page's, and the commands.
func (m Model) helpSections() []keySection {
	secs := []keySection{{title: "global", keys: m.keys.Bindings()}}
	if p := m.top(); p != nil {
		secs = append(secs, keySection{title: p.State().Title, keys: p.Keys()})
		for _, s := range m.acts.Help(p) {
			secs = append(secs, keySection{title: s.Title, keys: s.Keys})
		}
	}
	return append(secs, keySection{title: "commands", keys: commandBindings()})
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

// renderHelp lays the sections out in as many columns as the height needs.
func renderHelp(st theme.Styles, secs []keySection, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	type item struct{ k, d string }
	var items []item // a zero k with a title in d is a section heading
	for _, s := range secs {
		if len(items) > 0 {
			items = append(items, item{})
		}
		items = append(items, item{d: s.title})
		for _, b := range s.keys {
			if b.Enabled() {
				items = append(items, item{k: b.Help().Key, d: b.Help().Desc})
			}
		}
	}
	var cols [][]string
	for start := 0; start < len(items); start += height {
		chunk := items[start:min(start+height, len(items))]
		kw := 0
		for _, it := range chunk {
			kw = max(kw, ansi.StringWidth(it.k))
		}
		col := make([]string, len(chunk))
		for i, it := range chunk {
			switch {
			case it.k == "" && it.d != "":
				col[i] = st.HelpSection.Render(it.d)
			case it.k != "":
				col[i] = st.HelpKey.Render(it.k+strings.Repeat(" ", kw-ansi.StringWidth(it.k))) + "  " + st.HelpDesc.Render(it.d)
			}
		}
		cols = append(cols, col)
	}
	out := make([]string, min(height, len(items)))
	for _, col := range cols {
		cw := 0
		for _, l := range col {
			cw = max(cw, ansi.StringWidth(l))
		}
		for i := range out {
			l := ""
			if i < len(col) {
				l = col[i]
			}
			if out[i] != "" || i < len(col) {
				out[i] += l + strings.Repeat(" ", cw-ansi.StringWidth(l)) + "   "
			}
		}
	}
	return clip(out, width, height)
}

// docSections are the sections docs/keybindings.md documents: every page's
// keys, not only the page on top. The routes' sections come in this order,
// which the doc has always had; a route not named here (a new page) is
// added after them.
func docSections() []keySection {
	secs := []keySection{
		{title: "Global", keys: DefaultKeyMap().Bindings()},
		{title: "Commands", keys: commandBindings()},
		{title: "Lists (every table)", keys: append(table.DefaultKeyMap().Bindings(), DefaultKeyMap().Back)},
	}
	done := map[page.Type]bool{}
	of := func(ts ...page.Type) []keySection {
		var out []keySection
		for _, t := range ts {
			if r, ok := routeOf(t); ok && r.keys != nil {
				out = append(out, keySection{title: r.doc, keys: r.keys()})
				done[t] = true
			}
		}
		return out
	}
	secs = append(secs, of(page.TypeImages, page.TypeContainers, page.TypeNamespaces, page.TypeTasks, page.TypePods)...)
	secs = append(secs,
		keySection{title: "A pod's containers (enter on a pod)", keys: pods.ContainerBindings()},
		keySection{title: "Describe page (d)", keys: describe.DefaultKeyMap().Bindings()},
		keySection{title: "Log page (l)", keys: logs.DefaultKeyMap().Bindings()},
		keySection{title: "Output of :exec", keys: exec.DefaultKeyMap().Bindings()},
		keySection{title: "Image actions (images page; marked images, else the one under the cursor)", keys: actions.DefaultActionKeyMap().Bindings(true)},
		keySection{title: "Container, task and pod actions (containers, tasks, pods and a pod's containers)", keys: actions.DefaultLifecycleKeyMap().Bindings(nil)},
		keySection{title: "Dialogs of the image and container actions", keys: dialog.Bindings()},
	)
	secs = append(secs, of(page.TypeJobs, page.TypeCmdLog, page.TypeHealth, page.TypeDu, page.TypeSnapshots, page.TypeContent, page.TypeLeases, page.TypePrune, page.TypeDoctor, page.TypeTop)...)
	for _, r := range routes() {
		if !done[r.typ] && r.keys != nil {
			secs = append(secs, keySection{title: r.doc, keys: r.keys()})
		}
	}
	return secs
}

// overlay draws a dialog over the middle of the content lines, centred, in
// place of the page lines it covers: the page stays visible above and
// below it.
func overlay(lines []string, box string, width int) {
	if box == "" {
		return
	}
	bl := strings.Split(box, "\n")
	top := max((len(lines)-len(bl))/2, 0)
	for i, l := range bl {
		if top+i >= len(lines) {
			break
		}
		pad := max((width-ansi.StringWidth(l))/2, 0)
		lines[top+i] = strings.Repeat(" ", pad) + l
	}
}
