// Package snapshots is the snapshots page (:snapshots), as `ctr snapshots
// ls` and `ctr snapshots usage` for every snapshotter the namespace uses:
// key, parent, kind, usage and inodes, and which image, container or lease
// holds each; the ones held by nothing are marked as the next garbage
// collection's. t shows them as parent chains, as `ctr snapshots tree`.
// Usages are measured in the background (ui/diskscan).
package snapshots

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

// Config is what the page is built from.
type Config struct {
	ID        page.ID
	Ctx       context.Context
	Namespace string
	Disk      backend.DiskReader
	DiskErr   error
	Timeout   time.Duration
	Styles    *theme.Styles
	Clock     backend.Clock
}

// Model is the snapshots page.
type Model struct {
	diskscan.Base
	keys KeyMap
	tree bool
}

var _ page.Page = Model{}

// New returns the page and its first load.
func New(cfg Config) (Model, tea.Cmd) {
	b, cmd := diskscan.NewBase(diskscan.BaseConfig{
		ID: cfg.ID, Ctx: cfg.Ctx, Namespace: cfg.Namespace, Disk: cfg.Disk, DiskErr: cfg.DiskErr,
		Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Title: "snapshots", Type: page.TypeSnapshots, Columns: Columns(),
		Keys: []key.Binding{DefaultKeyMap().Tree}, Measure: true, Rows: Rows, Summary: Summary,
	})
	return Model{Base: b, keys: DefaultKeyMap()}, cmd
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && !m.Table.Typing() && key.Matches(k, m.keys.Tree) {
		m.tree = !m.tree
		if m.tree {
			m.Table.SortBy(-1, false) // the tree's own order
			m.SetRows(TreeRows)
			return m, page.Flash("snapshots as parent chains (ctr snapshots tree); t again: biggest first")
		}
		m.SetRows(Rows)
		return m, nil
	}
	cmd, _ := m.Base.Update(msg)
	return m, cmd
}

// Tree reports whether the page shows the parent chains.
func (m Model) Tree() bool { return m.tree }
