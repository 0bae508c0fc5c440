// Package prune is the prune preview (:prune images, :prune containers,
// :prune content): it lists and measures in the background, then shows what
// the prune will remove and free and what stays and why; ctrl+d asks (Cancel
// focused) and hands the confirmed plan to the root as a job, which checks
// again at the moment of removal (an image that gained a container since the
// preview is skipped and named), measures what was freed with statfs before
// and after, and logs the ctr/crictl commands. Nothing is removed without
// the preview and the explicit confirm; --readonly refuses.
package prune

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/dialog"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// What is which prune.
type What int

// The prunes.
const (
	Images What = iota
	Containers
	Content
)

func (w What) String() string {
	switch w {
	case Containers:
		return "containers"
	case Content:
		return "content"
	}
	return "images"
}

// Options are a prune's arguments.
type Options struct {
	What What
	// AllNamespaces prunes every namespace (images, containers).
	AllNamespaces bool
	// MinAge is how long ago a CRI container must have exited to go.
	MinAge time.Duration
	// StaleAge is when a lease with an expiry counts as left behind.
	StaleAge time.Duration
}

// DefaultMinAge keeps a CRI container's last minutes of logs around, as
// kubelet keeps dead containers for a while.
const DefaultMinAge = time.Hour

// ParseArgs reads `:prune images [--all-namespaces|-A]`, `:prune
// containers [AGE] [-A]` and `:prune content`.
func ParseArgs(args []string) (Options, error) {
	o := Options{MinAge: DefaultMinAge, StaleAge: backend.DefaultStaleAge}
	if len(args) == 0 {
		return o, backend.Errorf(backend.ErrInvalid, "prune what? :prune images, :prune containers [AGE], or :prune content")
	}
	switch args[0] {
	case "images", "image", "img", "i":
		o.What = Images
	case "containers", "container", "c":
		o.What = Containers
	case "content", "leases":
		o.What = Content
	default:
		return o, backend.Errorf(backend.ErrInvalid, "prune %q: prune images, containers or content", args[0])
	}
	for _, a := range args[1:] {
		switch {
		case a == "--all-namespaces" || a == "-A":
			if o.What == Content {
				return o, backend.Errorf(backend.ErrInvalid, "prune content works on the current namespace (leases are per namespace)")
			}
			o.AllNamespaces = true
		case o.What == Containers:
			d, err := time.ParseDuration(a)
			if err != nil || d < 0 {
				return o, backend.Errorf(backend.ErrInvalid, "prune containers %q: give an age such as 30m or 2h (CRI containers that exited longer ago go)", a)
			}
			o.MinAge = d
		default:
			return o, backend.Errorf(backend.ErrInvalid, "prune %s: unknown argument %q", o.What, a)
		}
	}
	return o, nil
}

// Config is what the page is built from.
type Config struct {
	ID        page.ID
	Ctx       context.Context
	Namespace string
	Options   Options
	Source    Source
	// Readonly refuses the prune (ctui --readonly): the preview still shows.
	// ReadonlyContext is backend.Config's: the refusal says what to change.
	Readonly        bool
	ReadonlyContext string
	Timeout         time.Duration
	Styles          *theme.Styles
	Clock           backend.Clock
}

// Model is the prune preview: the plan (its own) over the list-page base,
// which keeps the rows, size, styles, mouse, filter and esc.
type Model struct {
	listpage.List[table.Row]
	cfg   Config
	keys  KeyMap
	plan  Plan
	ready bool
	busy  bool

	dialog *dialog.Model
	seq    uint64

	width, height int
}

var _ page.Page = Model{}

// New returns the preview and the command that plans.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap()}
	title := m.title()
	keys := m.keys.Bindings()
	if cfg.Readonly {
		keys = keys[1:]
	}
	m.List = listpage.New(listpage.Config[table.Row]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock,
		Title: title, Type: page.TypePrune, Namespace: cfg.Namespace,
		Columns: func(string) []table.Column { return Columns() },
		Row:     func(r table.Row, _ string, _ time.Time) table.Row { return r },
		Keys:    keys,
		Failed:  func(string) string { return title + ": " },
		Loading: func(string) string {
			return title + ": listing and measuring (as ctr content ls and ctr snapshots usage) to plan; nothing is removed yet…"
		},
	})
	return m, m.replan()
}

func (m *Model) replan() tea.Cmd {
	gen := m.List.NextGen()
	m.busy = true
	m.List.Begin()
	// A plan at scale lists and measures thousands of snapshots: give it
	// more than one call's timeout.
	t := max(m.cfg.Timeout*6, time.Minute)
	return m.List.Tag().Wrap(planCmd(m.cfg.Ctx, m.cfg.Source, m.cfg.Options, m.cfg.Namespace, t, m.cfg.Clock, gen))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	if m.dialog != nil {
		if _, isKey := msg.(tea.KeyPressMsg); isKey {
			return m.updateDialog(msg)
		}
	}
	switch msg := msg.(type) {
	case planMsg:
		if msg.gen != m.List.Gen() {
			return m, nil
		}
		m.busy = false
		if msg.err != nil {
			// A plan shown stays (the error is reported); none shown
			// gives way to the error.
			return m, m.List.Answered(msg.err)
		}
		m.plan, m.ready = msg.plan, true
		m.List.SetItems(Rows(m.plan), m.cfg.Clock.Now(), nil)
		return m, m.List.Answered(nil)
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		cmd, _ := m.List.Update(page.SizeMsg{Width: msg.Width, Height: max(msg.Height-3, 1)})
		return m, cmd
	case page.NamespaceMsg:
		if m.List.SetNamespace(msg.Namespace) {
			m.cfg.Namespace, m.ready = msg.Namespace, false
			return m, m.replan()
		}
		return m, nil
	case page.ReconnectedMsg, page.ResyncMsg:
		return m, m.replan()
	case tea.KeyPressMsg:
		if m.List.Refreshes(msg) {
			return m, m.replan()
		}
		if !m.Table.Typing() && key.Matches(msg, m.keys.Prune) {
			return m.ask()
		}
	default:
		if m.dialog != nil {
			return m.updateDialog(msg)
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// ask opens the confirmation, Cancel focused.
func (m Model) ask() (page.Page, tea.Cmd) {
	switch {
	case m.cfg.Readonly:
		return m, page.Report(backend.ReadonlyError(m.cfg.ReadonlyContext, "prune "+m.cfg.Options.What.String(), "prune"))
	case m.busy || !m.ready:
		return m, page.Flash("prune " + m.cfg.Options.What.String() + ": the plan is not ready yet")
	case empty(m.plan):
		return m, page.Flash("prune " + m.cfg.Options.What.String() + ": nothing to remove")
	}
	lines := []string{Summary(m.plan)}
	lines = append(lines, "Each is checked again before it goes: what gained a user since this preview stays and is named.")
	lines = append(lines, "This cannot be undone.")
	f := dialog.Form{Title: "Prune " + m.cfg.Options.What.String() + "?", Lines: lines, Confirm: "Prune"}
	src, plan, ns, clock := m.cfg.Source, m.plan, m.cfg.Namespace, m.cfg.Clock
	f.OnSubmit(func(dialog.Answers) (tea.Cmd, error) {
		s, err := spec(src, plan, ns, clock)
		if err != nil {
			return page.Report(err), nil
		}
		return func() tea.Msg { return jobs.StartMsg{Spec: s} }, nil
	})
	m.seq++
	d, cmd := dialog.Open(m.seq, f, m.List.Styles())
	m.dialog = &d
	return m, cmd
}

func (m Model) updateDialog(msg tea.Msg) (page.Page, tea.Cmd) {
	d, cmd, open := m.dialog.Update(msg)
	switch {
	case open:
		m.dialog = &d
		return m, cmd
	case cmd == nil:
		m.dialog = nil
		return m, page.Flash("prune " + m.cfg.Options.What.String() + ": canceled; nothing was removed")
	}
	m.dialog = nil
	return m, cmd
}

func (m Model) title() string {
	t := "prune " + m.cfg.Options.What.String()
	if m.cfg.Options.AllNamespaces {
		t += " (all namespaces)"
	}
	return t
}

// View implements page.Page.
func (m Model) View() string {
	if m.dialog != nil {
		return m.dialog.View(m.width, m.height)
	}
	if !m.ready {
		return page.Fit(m.List.View(), m.width, m.height)
	}
	st := m.List.Styles()
	var b strings.Builder
	b.WriteString(st.Title.Render(ansi.Truncate(Summary(m.plan), m.width, "…")) + "\n")
	hint := "ctrl+d prunes (asks first, Cancel focused); esc goes back without removing anything"
	if m.cfg.Readonly {
		hint = "read-only: preview only, nothing can be pruned"
	}
	if m.busy {
		hint = "planning again…"
	}
	b.WriteString(st.Dim.Render(ansi.Truncate(hint, m.width, "…")) + "\n\n")
	b.WriteString(m.List.View())
	return page.Fit(b.String(), m.width, m.height)
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding {
	if m.dialog != nil {
		return m.dialog.Keys()
	}
	return m.List.Keys()
}

// State implements page.Page.
func (m Model) State() page.State {
	s := m.List.State()
	s.Typing = s.Typing || m.dialog != nil
	return s
}

// Plan is the plan shown, for tests.
func (m Model) Plan() (Plan, bool) { return m.plan, m.ready }

// PageBindings are the page's keys for docs/keybindings.md.
func PageBindings() []key.Binding {
	return append(DefaultKeyMap().Bindings(), table.DefaultKeyMap().Bindings()...)
}
