// Package content is the content page (:content), as `ctr content ls`:
// every blob's digest, size, age and labels, its media type (read from the
// images' records, indexes and manifests; a blob no image reaches says it
// is unknown, or an orphan when nothing holds it), the images that
// reference it, and the blobs nothing references.
package content

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
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

// Model is the content page.
type Model struct{ diskscan.Base }

var _ page.Page = Model{}

// New returns the page and its first load.
func New(cfg Config) (Model, tea.Cmd) {
	b, cmd := diskscan.NewBase(diskscan.BaseConfig{
		ID: cfg.ID, Ctx: cfg.Ctx, Namespace: cfg.Namespace, Disk: cfg.Disk, DiskErr: cfg.DiskErr,
		Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Title: "content", Type: page.TypeContent, Columns: Columns(),
		MediaTypes: true, Rows: Rows, Summary: Summary,
	})
	return Model{b}, cmd
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	cmd, _ := m.Base.Update(msg)
	return m, cmd
}

// PageBindings are the page's keys for docs/keybindings.md.
func PageBindings() []key.Binding {
	return append([]key.Binding{diskscan.RefreshBinding()}, table.DefaultKeyMap().Bindings()...)
}
