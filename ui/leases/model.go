// Package leases is the leases page (:leases), as `ctr leases ls`: id,
// created, expiry and labels, what each lease holds (content, snapshots,
// ingests) and its size; leases that expired or that an interrupted pull
// left behind are marked, and open ingests no lease holds are listed.
// ctrl+d removes a lease after asking (Cancel focused), as `ctr leases rm
// --sync`: what it held goes at the garbage collection that runs then.
package leases

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/dialog"
	"github.com/ctui/ctui/ui/diskscan"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/jobs"
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
	// Remover removes leases; nil when the backend cannot (no key then).
	Remover backend.ContentPruner
	// ReadonlyContext is backend.Config's: the refusal says what to change.
	Readonly        bool
	ReadonlyContext string
	Timeout         time.Duration
	Styles          *theme.Styles
	Clock           backend.Clock
}

// Model is the leases page.
type Model struct {
	diskscan.Base
	cfg    Config
	keys   KeyMap
	dialog *dialog.Model
	asked  string // the lease the dialog asks about
	seq    uint64
}

var _ page.Page = Model{}

// New returns the page and its first load.
func New(cfg Config) (Model, tea.Cmd) {
	b, cmd := diskscan.NewBase(diskscan.BaseConfig{
		ID: cfg.ID, Ctx: cfg.Ctx, Namespace: cfg.Namespace, Disk: cfg.Disk, DiskErr: cfg.DiskErr,
		Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Title: "leases", Type: page.TypeLeases, Columns: Columns(),
		Measure: true, Rows: Rows, Summary: Summary,
	})
	return Model{Base: b, cfg: cfg, keys: DefaultKeyMap()}, cmd
}

func (m Model) canRemove() bool { return m.cfg.Remover != nil && !m.cfg.Readonly }

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	if m.dialog != nil {
		if _, isKey := msg.(tea.KeyPressMsg); isKey {
			return m.updateDialog(msg)
		}
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && !m.Table.Typing() && key.Matches(k, m.keys.Remove) {
		return m.ask()
	}
	cmd, _ := m.Base.Update(msg)
	return m, cmd
}

func (m Model) ask() (page.Page, tea.Cmd) {
	id, ok := m.Table.SelectedID()
	switch {
	case m.cfg.Readonly:
		return m, page.Report(backend.ReadonlyError(m.cfg.ReadonlyContext, "remove lease", "remove it"))
	case m.cfg.Remover == nil:
		return m, page.Report(backend.Errorf(backend.ErrUnsupported, "remove lease: this backend cannot remove leases"))
	case !ok:
		return m, nil
	case strings.HasPrefix(id, IngestPrefix):
		return m, page.Flash("an ingest no lease holds is not a lease: :prune content aborts it once it stopped moving")
	}
	var li backend.LeaseInfo
	for _, l := range m.Report.Leases {
		if l.ID == id {
			li = l
		}
	}
	lines := []string{
		"It holds " + holds(li) + " (" + humanize.Size(li.Size) + "); state: " + State(li) + ".",
		"What nothing else holds goes at the garbage collection that follows (ctr leases rm --sync).",
		"A pull or import still using it would lose what it fetched.",
	}
	f := dialog.Form{Title: "Remove lease " + id + "?", Lines: lines, Confirm: "Remove"}
	f.OnSubmit(func(dialog.Answers) (tea.Cmd, error) { return m.remove(id), nil })
	m.seq++
	d, cmd := dialog.Open(m.seq, f, m.Styles())
	m.dialog, m.asked = &d, id
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
		return m, page.Flash("remove lease " + m.asked + ": canceled")
	}
	m.dialog = nil
	return m, cmd
}

// remove is the job that removes lease id, as `ctr leases rm --sync`,
// between two statfs.
func (m Model) remove(id string) tea.Cmd {
	o := backend.LeaseRemoveOptions{ID: id, Sync: true}
	rm, disk, ns := m.cfg.Remover, m.cfg.Disk, m.Namespace()
	s := jobs.Spec{Action: o, Namespace: ns, Via: "containerd", Run: func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
		freed, err := backend.MeasureFreed(backend.RootPaths(ctx, disk), func() error { return rm.RemoveLease(ctx, ns, o) })
		if err != nil {
			return "", err
		}
		return diskscan.Freed(freed), nil
	}}
	return func() tea.Msg { return jobs.StartMsg{Spec: s} }
}

// View implements page.Page.
func (m Model) View() string {
	if m.dialog != nil {
		return m.dialog.View(m.Size())
	}
	return m.Base.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding {
	if m.dialog != nil {
		return m.dialog.Keys()
	}
	ks := m.Base.Keys()
	if m.canRemove() {
		ks = append([]key.Binding{m.keys.Remove}, ks...)
	}
	return ks
}

// State implements page.Page.
func (m Model) State() page.State {
	s := m.Base.State()
	s.Typing = s.Typing || m.dialog != nil
	return s
}
