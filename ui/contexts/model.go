// Package contexts is the :ctx page (k9s's key): the contexts of ctui's
// config file (~/.config/ctui/config.yaml) with their endpoint, namespace,
// runtime endpoint, sudo and readonly, the current one marked. Enter
// connects to the one under the cursor; once it answers, ctui closes the
// current connection and reopens on the new one (its endpoints, namespace
// and readonly; the header names the context). A switch that fails says why
// in one sentence and leaves the current connection as it was.
package contexts

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/listpage"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the page is built from.
type Config struct {
	ID      page.ID
	Ctx     context.Context
	Timeout time.Duration
	Styles  *theme.Styles
	// Switcher is nil when ctui was built without one (tests of other
	// pages): the page then says contexts are not available.
	Switcher Switcher
	// Current is the context ctui is connected through ("" for none).
	Current string
	// Running counts the background jobs still running: a switch would
	// end them, so it is refused while any runs.
	Running func() int
}

// Model is the contexts page, on the list-page base.
type Model struct {
	listpage.List[Context]
	cfg  Config
	keys KeyMap
	// switching is the context being connected to, "" when none.
	switching string
}

var _ page.Page = Model{}

// New returns the page and the command that reads the contexts.
func New(cfg Config) (Model, tea.Cmd) {
	lc := listpage.Config[Context]{
		ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles,
		Title: "contexts", Type: page.TypeContexts, Global: true, Keys: PageBindings(),
		Columns: func(string) []table.Column { return Columns() },
		Row:     func(c Context, _ string, _ time.Time) table.Row { return row(c, cfg.Current) },
		Failed:  func(string) string { return "contexts: " },
		Loading: func(string) string { return "reading ctui's contexts…" },
		Unavailable: backend.Errorf(backend.ErrUnsupported,
			"no contexts here: this ctui reads none (contexts live in ~/.config/ctui/config.yaml)"),
	}
	if s := cfg.Switcher; s != nil {
		lc.Load = func(ctx context.Context, _ string) ([]Context, error) {
			cs, err := s.Contexts(ctx)
			if err == nil && len(cs) == 0 {
				err = fmt.Errorf("ctui's config file names no contexts: add them under contexts: in ~/.config/ctui/config.yaml (see README, Contexts)")
			}
			return cs, err
		}
	}
	m := Model{List: listpage.New(lc), cfg: cfg, keys: DefaultKeyMap()}
	return m, m.Reload()
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case connectedMsg:
		return m.connected(msg)
	case tea.KeyPressMsg:
		if !m.Table.Typing() && key.Matches(msg, m.keys.Switch) {
			return m.switchTo()
		}
	}
	cmd, _ := m.List.Update(msg)
	return m, cmd
}

// switchTo connects to the context under the cursor.
func (m Model) switchTo() (page.Page, tea.Cmd) {
	name, ok := m.Table.SelectedID()
	switch {
	case !ok || m.cfg.Switcher == nil:
		return m, nil
	case m.switching != "":
		return m, page.Flash("still connecting to context " + m.switching + "…")
	case name == m.cfg.Current:
		return m, page.Flash("ctui is on context " + name + " already")
	}
	if n := m.running(); n > 0 {
		return m, flashErr(fmt.Sprintf("context %s: %d background job(s) still run and a switch would cut them off; wait, or cancel them in :jobs (x)", name, n))
	}
	m.switching = name
	return m, tea.Batch(page.Flash("connecting to context "+name+"…"),
		connectCmd(m.cfg.Ctx, m.cfg.Switcher, name, 3*m.cfg.Timeout, m.Tag()))
}

func (m Model) running() int {
	if m.cfg.Running == nil {
		return 0
	}
	return m.cfg.Running()
}

// connected says why the switch failed, cause first (the flash line is
// one line), as a flash, never as the connection panel: the current
// connection is fine, and the header still names it.
func (m Model) connected(msg connectedMsg) (page.Page, tea.Cmd) {
	m.switching = ""
	return m, flashErr("context " + msg.name + ": " + msg.err.Error())
}

// Switching is the context being connected to, "" when none (for tests).
func (m Model) Switching() string { return m.switching }

func flashErr(text string) tea.Cmd {
	return func() tea.Msg { return page.FlashMsg{Text: text, Err: true} }
}
