package cmdlog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// ChangedMsg carries the log, newest first, after an action finished.
type ChangedMsg struct{ Entries []Entry }

// Column indexes of the log table.
const (
	colTime = iota
	colOutcome
	colNamespace
	colCommand
)

// Columns are the log's columns: the command line gets the room.
func Columns() []table.Column {
	return []table.Column{
		colTime:      {Title: "TIME", Width: 8},
		colOutcome:   {Title: "OUTCOME", Key: 'o', Width: 8},
		colNamespace: {Title: "NAMESPACE", Width: 10, Drop: 1},
		colCommand:   {Title: "COMMAND", Flex: 1, Min: 20},
	}
}

// Row renders an entry.
func Row(e Entry) table.Row {
	return table.Row{ID: strconv.Itoa(e.Seq), Cells: []string{
		colTime: e.Time.Format("15:04:05"), colOutcome: string(e.Outcome), colNamespace: e.Namespace, colCommand: e.Command,
	}}
}

// KeyMap is the log page's own bindings.
type KeyMap struct{ Detail, Back key.Binding }

// DefaultKeyMap: enter shows an entry in full (the whole command line to
// copy, the error sentence), esc returns.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Detail: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show the entry in full: command line, error, note")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
	}
}

// PageBindings are the keys only this page has.
func PageBindings() []key.Binding {
	k := DefaultKeyMap()
	return []key.Binding{k.Detail, k.Back}
}

// Config is what the page is built from.
type Config struct {
	ID      page.ID
	Styles  *theme.Styles
	Entries []Entry // newest first
}

// Page is the command log page (:log): a list (ui/listpage) that the root
// fills with ChangedMsg rather than one that loads.
type Page struct {
	listpage.List[Entry]
	keys   KeyMap
	detail int // Seq of the entry shown in full; 0 for the list
	width  int
	height int
}

var _ page.Page = Page{}

// New returns the page.
func New(cfg Config) (Page, tea.Cmd) {
	l := listpage.New(listpage.Config[Entry]{
		ID: cfg.ID, Styles: cfg.Styles, Title: "log", Type: page.TypeCmdLog, Global: true,
		Columns: func(string) []table.Column { return Columns() },
		Row:     func(e Entry, _ string, _ time.Time) table.Row { return Row(e) },
	})
	l.SetItems(cfg.Entries, time.Time{}, nil)
	return Page{List: l, keys: DefaultKeyMap()}, nil
}

// Update implements page.Page.
func (p Page) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case ChangedMsg:
		p.SetItems(msg.Entries, time.Time{}, nil)
		return p, nil
	case page.SizeMsg:
		p.width, p.height = msg.Width, msg.Height
	case tea.KeyPressMsg:
		if p.detail != 0 {
			if key.Matches(msg, p.keys.Back) {
				p.detail = 0
			}
			return p, nil
		}
		if !p.Table.Typing() && key.Matches(msg, p.keys.Detail) {
			if s, ok := p.Table.SelectedID(); ok {
				p.detail, _ = strconv.Atoi(s)
			}
			return p, nil
		}
	}
	cmd, _ := p.List.Update(msg)
	return p, cmd
}

// View implements page.Page.
func (p Page) View() string {
	if p.detail != 0 {
		for _, e := range p.Items() {
			if e.Seq == p.detail {
				return Detail(p.Styles(), e, p.width, p.height)
			}
		}
	}
	if len(p.Items()) == 0 {
		return page.Fit(p.Styles().Dim.Render("no actions yet: each pull, tag, import, export, push and remove is logged here with the ctr or crictl command that does the same"), p.width, p.height)
	}
	return p.List.View()
}

// Detail renders one entry in full, the command line wrapped but whole.
func Detail(st *theme.Styles, e Entry, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	var lines []string
	add := func(label, value string) {
		if value == "" {
			return
		}
		for i, l := range wrap(value, max(width-12, 8)) {
			lead := strings.Repeat(" ", 12)
			if i == 0 {
				lead = st.Label.Render(fmt.Sprintf("%-11s", label)) + " "
			}
			lines = append(lines, lead+l)
		}
	}
	lines = append(lines, st.Title.Render(fmt.Sprintf("%s %s", e.Kind, e.Subject)))
	add("time", e.Time.Format("2006-01-02 15:04:05")+fmt.Sprintf(" (took %s)", e.Took.Round(1e6)))
	add("namespace", e.Namespace)
	add("via", e.Via)
	add("outcome", string(e.Outcome))
	add("error", e.Error)
	add("note", e.Note)
	add("command", e.Command)
	lines = append(lines, "", st.Dim.Render("esc back to the list"))
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

// wrap breaks s into lines of w columns, at spaces where it can and
// anywhere in a word longer than w (a long reference).
func wrap(s string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		for ansi.StringWidth(word) > w {
			if line != "" {
				out = append(out, line)
				line = ""
			}
			out = append(out, ansi.Truncate(word, w, ""))
			word = ansi.TruncateLeft(word, w, "")
		}
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	return append(out, line)
}

// Keys implements page.Page.
func (p Page) Keys() []key.Binding { return append(PageBindings(), p.Table.Keys()...) }

// State implements page.Page; esc belongs to the page while an entry is
// shown in full.
func (p Page) State() page.State {
	st := p.List.State()
	st.Filtered = st.Filtered || p.detail != 0
	return st
}
