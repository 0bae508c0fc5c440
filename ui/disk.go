package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/content"
	"github.com/ctui/ctui/ui/du"
	"github.com/ctui/ctui/ui/leases"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/prune"
	"github.com/ctui/ctui/ui/snapshots"
)

// The disk pages: :du, and the prune previews, whose confirmed plans come
// back as prune.RunMsg and run as jobs (guarded, in :jobs, logged in :log).

func (m *Model) openDu(id page.ID) (page.Page, tea.Cmd) {
	src := du.Source{Disk: m.diskReader(), DiskErr: m.b.NativeErr, CRIErr: m.b.CRIErr, LocalFS: localRuntime(m.b.Config)}
	if m.b.CRI != nil {
		src.CRI = m.b.CRI
	}
	return du.New(du.Config{ID: id, Ctx: m.ctx, Namespace: m.ns, Source: src, Timeout: m.timeout, Styles: m.styles, Clock: m.clock})
}

// diskReader is the native side as the disk pages read it, or nil when
// there is none (the pages then show NativeErr).
func (m *Model) diskReader() backend.DiskReader {
	d, _ := m.b.Native.(backend.DiskReader)
	return d
}

// openStore opens :snapshots, :content or :leases.
func (m *Model) openStore(t page.Type, id page.ID) (page.Page, tea.Cmd) {
	disk := m.diskReader()
	switch t {
	case page.TypeSnapshots:
		return snapshots.New(snapshots.Config{ID: id, Ctx: m.ctx, Namespace: m.ns, Disk: disk, DiskErr: m.b.NativeErr,
			Timeout: m.timeout, Styles: m.styles, Clock: m.clock})
	case page.TypeContent:
		return content.New(content.Config{ID: id, Ctx: m.ctx, Namespace: m.ns, Disk: disk, DiskErr: m.b.NativeErr,
			Timeout: m.timeout, Styles: m.styles, Clock: m.clock})
	}
	cfg := leases.Config{ID: id, Ctx: m.ctx, Namespace: m.ns, Disk: disk, DiskErr: m.b.NativeErr, Readonly: m.b.Config.Readonly,
		ReadonlyContext: m.b.Config.ReadonlyContext, Timeout: m.timeout, Styles: m.styles, Clock: m.clock}
	if m.b.Native != nil {
		cfg.Remover, _ = m.b.Native.(backend.ContentPruner)
	}
	return leases.New(cfg)
}

// pruneSource is what the prunes may use of the backend.
func (m *Model) pruneSource() prune.Source {
	src := prune.Source{Why: m.b.NativeErr}
	if n := m.b.Native; n != nil {
		src.Namespaces = n
		src.Disk, _ = n.(backend.DiskReader)
		src.Images, _ = n.(backend.ImagePruner)
		src.Content, _ = n.(backend.ContentPruner)
		src.Tasks, _ = n.(backend.TaskActions)
	}
	if c := m.b.CRI; c != nil {
		src.CRI = c
		src.CRIActions, _ = c.(backend.CRIActions)
	}
	return src
}

// runPrune opens the preview of `:prune WHAT [ARGS]`.
func (m *Model) runPrune(line string) tea.Cmd {
	f := strings.Fields(line)
	o, err := prune.ParseArgs(f[1:])
	if err != nil {
		return m.flash.Set(err.Error(), true)
	}
	cfg := prune.Config{
		Ctx: m.ctx, Namespace: m.ns, Options: o, Source: m.pruneSource(), Readonly: m.b.Config.Readonly,
		ReadonlyContext: m.b.Config.ReadonlyContext, Timeout: m.timeout, Styles: m.styles, Clock: m.clock,
	}
	return m.open(func(id page.ID) (page.Page, tea.Cmd) {
		cfg.ID = id
		return prune.New(cfg)
	})
}
