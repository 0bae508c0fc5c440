package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
	"github.com/ctui/ctui/ui/cmdlog"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/prompt"
)

// The image actions at the root (actions*.go): keys and `:` commands open a
// dialog (ui/prompt), the answer becomes a backend option struct, and the
// jobs runner (ui/jobs) runs it off the update loop. Each finished action
// goes to the command log (ui/cmdlog), its outcome to the flash line, and
// every page is asked to list again quietly so that a new or removed image
// shows even before its event arrives.

// actionName names an image action as keys and commands ask for it.
type actionName string

const (
	actPull   actionName = "pull"
	actTag    actionName = "tag"
	actImport actionName = "import"
	actExport actionName = "export"
	actPush   actionName = "push"
	actRemove actionName = "remove"
)

// criPuller is what a pull "as kubelet would" needs of the CRI side
// (backend/cri's Client has it).
type criPuller interface {
	PullImage(ctx context.Context, o backend.CRIPullOptions) (string, error)
}

// actions is the root's state for image actions.
type actions struct {
	keys   ActionKeyMap
	runner jobs.Runner
	log    cmdlog.Log
	// reg is how pulls and pushes reach registries: the command line's
	// settings, and the session's typed logins (always set).
	reg    backend.RegistryOptions
	dialog *dialog // the open dialog; nil when none
	seq    uint64  // dialog ids, so completion replies find their dialog
}

func newActions(ctx context.Context, reg backend.RegistryOptions, clock backend.Clock) actions {
	if reg.Logins == nil {
		reg.Logins = &registry.Logins{}
	}
	return actions{keys: DefaultActionKeyMap(), runner: jobs.NewRunner(ctx, clock), reg: reg}
}

// actionMsg is implemented by the root's own action replies, so Update
// routes them in one case.
type actionMsg interface{ actionReply() }

// usersMsg answers the lookup of the containers that use the images a
// remove is about to take.
type usersMsg struct {
	ns    string
	refs  []string
	sync  bool
	users []backend.ImageUser
	err   error
}

// pathCheckedMsg answers whether an export's target exists.
type pathCheckedMsg struct {
	ns     string
	opts   backend.ExportOptions
	exists bool
	dir    bool
}

func (usersMsg) actionReply()       {}
func (pathCheckedMsg) actionReply() {}

// updateActions handles the messages of jobs, dialogs and action lookups.
func (m Model) updateActions(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case jobs.ProgressMsg:
		cmd := m.acts.runner.Progress(msg)
		return m, tea.Batch(cmd, m.jobsChanged())
	case jobs.DoneMsg:
		return m, m.finished(msg)
	case jobs.CancelMsg:
		if m.acts.runner.Cancel(msg.ID) {
			return m, tea.Batch(m.jobsChanged(), m.flash.set(fmt.Sprintf("canceling job %d…", msg.ID), false))
		}
	case prompt.CompletedMsg:
		if d := m.acts.dialog; d != nil {
			d.m, _ = d.m.Update(msg)
		}
	case usersMsg:
		return m, m.confirmRemove(msg)
	case pathCheckedMsg:
		return m, m.exportChecked(msg)
	case lcResolvedMsg:
		return m, m.lcResolved(msg)
	}
	return m, nil
}

// jobsChanged tells the pages (the jobs page) what the jobs are now.
func (m *Model) jobsChanged() tea.Cmd {
	return m.broadcast(jobs.ChangedMsg{Jobs: m.acts.runner.Jobs(), At: m.clock.Now()})
}

// finished takes a job's end: a second question (replace the tag), a login
// to retry with, or the outcome in the log and the flash line.
func (m *Model) finished(msg jobs.DoneMsg) tea.Cmd {
	j, ok := m.acts.runner.Finish(msg)
	if !ok {
		return nil
	}
	changed := m.jobsChanged()
	if t, ok := j.Action.(backend.TagOptions); ok && !t.Force && errors.Is(j.Err, backend.ErrAlreadyExists) {
		return tea.Batch(changed, m.askReplace(j.Namespace, t, j.Err))
	}
	if needsLogin(j.Err) {
		if cmd, ok := m.askLogin(j.Namespace, j.Action, j.Err); ok {
			if errors.Is(j.Err, backend.ErrNeedPassword) {
				return tea.Batch(changed, cmd) // nothing was tried yet
			}
			return tea.Batch(changed, m.logJob(j), cmd)
		}
	}
	var flash tea.Cmd
	switch {
	case j.Err != nil:
		flash = m.flash.set(j.Err.Error(), !j.Canceled())
	default:
		flash = m.flash.set(doneSentence(j.Job), false)
	}
	cmds := []tea.Cmd{changed, flash, m.logJob(j)}
	if j.Err == nil && j.Action.Kind() != backend.ActionExport && j.Action.Kind() != backend.ActionPush {
		cmds = append(cmds, m.broadcast(page.ResyncMsg{}))
	}
	return tea.Batch(cmds...)
}

// logJob adds a finished job to the command log and tells the log page.
func (m *Model) logJob(j jobs.Job) tea.Cmd {
	m.acts.log.Add(cmdlog.FromJob(j.Job, m.b.Config))
	return m.broadcast(cmdlog.ChangedMsg{Entries: m.acts.log.Entries()})
}

func needsLogin(err error) bool {
	return errors.Is(err, backend.ErrNeedPassword) || errors.Is(err, backend.ErrAuth)
}

// doneSentence is the flash line after a success: what was done, and the
// note (what was imported, how the registry was reached) when it is short
// enough to read in passing; the whole note is in :log.
func doneSentence(j backend.Job) string {
	s := j.Title() + ": done"
	if j.Via == "CRI" {
		s += " through CRI"
	}
	if j.Note != "" {
		s += "; " + j.Note
	}
	return s
}

// imageOps is containerd's image API, or a sentence saying why there is
// none.
func (m Model) imageOps() (backend.ImageActions, error) {
	if m.b.Native == nil {
		why := "containerd's API is not available"
		if m.b.NativeErr != nil {
			why = m.b.NativeErr.Error()
		}
		return nil, backend.Errorf(backend.ErrUnsupported, "image actions need containerd's own API: %s", why)
	}
	ops, ok := m.b.Native.(backend.ImageActions)
	if !ok {
		return nil, backend.Errorf(backend.ErrUnsupported, "this backend cannot change images")
	}
	return ops, nil
}

// criPull is CRI's image service when it can pull; nil otherwise.
func (m Model) criPull() criPuller {
	if p, ok := m.b.CRI.(criPuller); ok && m.b.CRI != nil {
		return p
	}
	return nil
}

// actionsEnabled is whether the action keys do anything but explain why
// not: they show in help only then (pattern: capabilities decide keys).
func (m Model) actionsEnabled() bool {
	_, err := m.imageOps()
	return err == nil && !m.b.Config.Readonly
}

// showsImages reports whether the page on top lists images, where the
// action keys are bound (page.CanImageActions).
func showsImages(p page.Page) bool {
	return p != nil && p.State().Caps.Has(page.CanImageActions)
}

// targets are the images an action takes: the marked ones, else the one
// under the cursor.
func targets(p page.Page) []string {
	if mk, ok := p.(page.Marker); ok {
		if objs := mk.Marked(); len(objs) > 0 {
			out := make([]string, len(objs))
			for i, o := range objs {
				out[i] = o.ID
			}
			return out
		}
	}
	if cur, ok := cursor(p); ok {
		return []string{cur}
	}
	return nil
}

// cursor is the image under the cursor.
func cursor(p page.Page) (string, bool) {
	sel, ok := p.(page.Selector)
	if !ok {
		return "", false
	}
	obj, ok := sel.Selected()
	if !ok || obj.Kind != page.KindImage {
		return "", false
	}
	return obj.ID, true
}

// refuse says why an action cannot run here, or nil when it can: under
// --readonly the backend's own sentence, else the missing API.
func (m Model) refuse(a backend.Action) error {
	if err := m.b.Config.Guard(a); err != nil {
		return err
	}
	_, err := m.imageOps()
	return err
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
