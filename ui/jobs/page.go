package jobs

import (
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// ChangedMsg carries every job, newest first, after one changed. The root
// sends it to every page; the jobs page redraws from it.
type ChangedMsg struct {
	Jobs []Job
	At   time.Time
}

// CancelMsg asks the root to cancel a job.
type CancelMsg struct{ ID ID }

// KeyMap is the jobs page's own bindings.
type KeyMap struct {
	Detail, Cancel, Back key.Binding
}

// DefaultKeyMap: enter shows a job's layers, x or esc cancels a running
// job, esc leaves the detail.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Detail: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show the job: outcome in full, progress per layer")),
		Cancel: key.NewBinding(key.WithKeys("x", "esc"), key.WithHelp("x/esc", "cancel the running job under the cursor (nothing of it is kept)")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back from a job to the list; on a finished job, back a page")),
	}
}

// PageBindings are the keys only this page has.
func PageBindings() []key.Binding {
	k := DefaultKeyMap()
	return []key.Binding{k.Detail, k.Cancel, k.Back}
}

// Config is what the page is built from.
type Config struct {
	ID     page.ID
	Styles *theme.Styles
	Jobs   []Job // newest first
	Now    time.Time
}

// Page is the jobs page (:jobs): a list (ui/listpage) that the root fills
// with ChangedMsg rather than one that loads.
type Page struct {
	listpage.List[Job]
	keys   KeyMap
	now    time.Time
	detail ID // the job shown in full; 0 for the list
	width  int
	height int
}

var _ page.Page = Page{}

// New returns the page.
func New(cfg Config) (Page, tea.Cmd) {
	l := listpage.New(listpage.Config[Job]{
		ID: cfg.ID, Styles: cfg.Styles, Title: "jobs", Type: page.TypeJobs, Global: true,
		Columns: func(string) []table.Column { return Columns() },
		Row:     func(j Job, _ string, now time.Time) table.Row { return Row(j, now) },
	})
	p := Page{List: l, keys: DefaultKeyMap()}
	p.set(cfg.Jobs, cfg.Now)
	return p, nil
}

func (p *Page) set(js []Job, now time.Time) {
	p.now = now
	p.SetItems(js, now, nil)
}

// Update implements page.Page.
func (p Page) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case ChangedMsg:
		p.set(msg.Jobs, msg.At)
		return p, nil
	case page.SizeMsg:
		p.width, p.height = msg.Width, msg.Height
	case tea.KeyPressMsg:
		if cmd, ok := p.updateKey(msg); ok {
			return p, cmd
		}
	case tea.MouseWheelMsg, tea.PasteMsg: // a paste reaches the filter only while it is typing
		if p.detail != 0 {
			return p, nil
		}
	}
	cmd, _ := p.List.Update(msg)
	return p, cmd
}

// updateKey handles the page's own keys; ok is false for those the list
// handles (cursor, filter, sort, esc clearing a filter).
func (p *Page) updateKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	if p.Table.Typing() {
		return nil, false
	}
	if p.detail != 0 {
		switch {
		case msg.String() == "x":
			return cancelCmd(p.detail), true
		case key.Matches(msg, p.keys.Back):
			p.detail = 0
		}
		return nil, true
	}
	j, ok := p.selected()
	switch {
	case key.Matches(msg, p.keys.Detail) && ok:
		p.detail = j.ID
		return nil, true
	case key.Matches(msg, p.keys.Cancel) && ok && j.Running():
		return cancelCmd(j.ID), true
	case msg.Code == tea.KeyEscape && p.Table.Filter() == "":
		return nil, true
	}
	return nil, false
}

func cancelCmd(id ID) tea.Cmd { return func() tea.Msg { return CancelMsg{ID: id} } }

func (p Page) selected() (Job, bool) {
	s, ok := p.Table.SelectedID()
	if !ok {
		return Job{}, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return Job{}, false
	}
	return p.find(ID(n))
}

func (p Page) find(id ID) (Job, bool) {
	for _, j := range p.Items() {
		if j.ID == id {
			return j, true
		}
	}
	return Job{}, false
}

// View implements page.Page.
func (p Page) View() string {
	if p.detail != 0 {
		if j, ok := p.find(p.detail); ok {
			return Detail(p.Styles(), j, p.now, p.width, p.height)
		}
	}
	if len(p.Items()) == 0 {
		return page.Fit(p.Styles().Dim.Render("no jobs yet: p pulls, i imports, e exports and P pushes from the images page, in the background"), p.width, p.height)
	}
	return p.List.View()
}

// Keys implements page.Page.
func (p Page) Keys() []key.Binding { return append(PageBindings(), p.Table.Keys()...) }

// State implements page.Page. Filtered is also set while esc has a job to
// act on (the detail to leave, a running job to cancel), so that the root
// hands esc to the page instead of going back.
func (p Page) State() page.State {
	j, ok := p.selected()
	st := p.List.State()
	st.Filtered = st.Filtered || p.detail != 0 || (ok && j.Running())
	return st
}
