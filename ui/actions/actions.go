// Package actions is what the operator does to images, containers, tasks
// and pods: the keys and `:` commands of the image actions (pull, tag,
// import, export, push, remove) and of the lifecycle actions (stop, kill,
// pause/resume, remove), the typed dialogs they ask through (ui/dialog),
// the jobs runner they run in (ui/jobs), the command log of what ran
// (ui/cmdlog) and the registry settings with the session's logins.
//
// The root hands it keys, commands and the page on top, and draws its open
// dialog; actions talks back only through ui/page messages: a flash
// (page.FlashMsg), and messages for every page that the root delivers as
// soon as the call that made them returns (Told: the jobs and log pages'
// updates, page.ResyncMsg after a change). It never imports the root.
package actions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
	"github.com/ctui/ctui/ui/cmdlog"
	"github.com/ctui/ctui/ui/dialog"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/prompt"
	"github.com/ctui/ctui/ui/theme"
)

// The image actions: keys and `:` commands open a dialog, the answer
// becomes a backend option struct, and the jobs runner runs it off the
// update loop. Each finished action goes to the command log, its outcome
// to the flash line, and every page is asked to list again quietly so that
// a new or removed image shows even before its event arrives.

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

// Config is what the actions are built from.
type Config struct {
	Ctx     context.Context
	Backend *backend.Backend
	Timeout time.Duration
	Styles  *theme.Styles
	// Registry is how pulls and pushes reach registries (the command
	// line's settings); logins typed into a dialog are added for the
	// session.
	Registry backend.RegistryOptions
	// Clock is what jobs are timed against; the zero Clock is the wall
	// clock.
	Clock backend.Clock
}

// Model is the actions' state: keys, jobs, the command log, registry
// settings and the open dialog.
type Model struct {
	ctx     context.Context
	b       *backend.Backend
	timeout time.Duration
	styles  *theme.Styles
	clock   backend.Clock

	keys ActionKeyMap
	// reg is how pulls and pushes reach registries: the command line's
	// settings, and the session's typed logins (always set).
	reg backend.RegistryOptions
	st  *state
}

// state is what the actions change as they run: shared by the copies of
// the model, so that a dialog's submit, a closure over the model as it was
// opened, starts its job in the one runner.
type state struct {
	runner jobs.Runner
	log    cmdlog.Log
	dialog *dialog.Model // the open dialog; nil when none
	seq    uint64        // dialog ids, so completion replies find their dialog
	told   []tea.Msg     // for every page, until the root takes them (Told)
}

// New returns the actions with no job and no dialog.
func New(cfg Config) Model {
	reg := cfg.Registry
	if reg.Logins == nil {
		reg.Logins = &registry.Logins{}
	}
	return Model{
		ctx: cfg.Ctx, b: cfg.Backend, timeout: cfg.Timeout, styles: cfg.Styles, clock: cfg.Clock,
		keys: DefaultActionKeyMap(), reg: reg, st: &state{runner: jobs.NewRunner(cfg.Ctx, cfg.Clock)},
	}
}

// Reply is implemented by the actions' own messages (lookups, a dialog's
// answer), so that the root routes them here in one case.
type Reply interface{ actionReply() }

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

// now applies do to the actions at once: what a dialog's submit asks for
// (a job to start, a second dialog), done on the update loop while the
// dialog closes.
func (m Model) now(do func(m *Model) tea.Cmd) tea.Cmd { return do(&m) }

// say returns the command that shows text in the flash line, as an error
// when isErr.
func say(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return page.FlashMsg{Text: text, Err: isErr} }
}

// Handles reports whether msg is the actions' to handle (Update).
func Handles(msg tea.Msg) bool {
	switch msg.(type) {
	case jobs.ProgressMsg, jobs.DoneMsg, jobs.CancelMsg, prompt.CompletedMsg, jobs.StartMsg, Reply:
		return true
	}
	return false
}

// Update handles the messages of jobs, dialogs and action lookups.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case jobs.ProgressMsg:
		cmd := m.st.runner.Progress(msg)
		return m, tea.Batch(cmd, m.jobsChanged())
	case jobs.DoneMsg:
		return m, m.finished(msg)
	case jobs.CancelMsg:
		if m.st.runner.Cancel(msg.ID) {
			return m, tea.Batch(m.jobsChanged(), say(fmt.Sprintf("canceling job %d…", msg.ID), false))
		}
	case prompt.CompletedMsg:
		if m.st.dialog != nil {
			d, _, _ := m.st.dialog.Update(msg)
			m.st.dialog = &d
		}
	case jobs.StartMsg:
		return m, m.start(msg.Spec)
	case usersMsg:
		return m, m.confirmRemove(msg)
	case pathCheckedMsg:
		return m, m.exportChecked(msg)
	case lcResolvedMsg:
		return m, m.lcResolved(msg)
	}
	return m, nil
}

// tell queues msg for every page.
func (m *Model) tell(msg tea.Msg) { m.st.told = append(m.st.told, msg) }

// Told returns the messages for every page that the last calls made (what
// the jobs are now, a new log entry, a re-list after a change), and the
// model without them. The root delivers them at once, before any other
// message, as if the actions were a part of it.
func (m Model) Told() (Model, []tea.Msg) {
	told := m.st.told
	m.st.told = nil
	return m, told
}

// SetStyles restyles the dialogs opened from now on.
func (m *Model) SetStyles(st *theme.Styles) { m.styles = st }

// Jobs are the jobs, newest first, for the jobs page and the status line.
func (m Model) Jobs() []jobs.Job { return m.st.runner.Jobs() }

// Running is how many background jobs still run.
func (m Model) Running() int { return m.st.runner.Running() }

// LogRepeat adds e to the command log, folding it into a recent entry of
// the same command (stats queries every couple of seconds).
func (m *Model) LogRepeat(e cmdlog.Entry) { m.st.log.AddRepeat(e) }

// Entries are the command log's entries, for the log page.
func (m Model) Entries() []cmdlog.Entry { return m.st.log.Entries() }

// Dialog is the open dialog, if any.
func (m Model) Dialog() (dialog.Model, bool) {
	if m.st.dialog == nil {
		return dialog.Model{}, false
	}
	return *m.st.dialog, true
}

// UpdateDialog gives a key or a paste to the open dialog; what its submit
// returns runs once it closes.
func (m Model) UpdateDialog(msg tea.Msg) (Model, tea.Cmd) {
	if m.st.dialog == nil {
		return m, nil
	}
	// Closed first: a submit may open the next dialog (a login).
	cur := *m.st.dialog
	m.st.dialog = nil
	d, cmd, open := cur.Update(msg)
	if open {
		m.st.dialog = &d
	}
	return m, cmd
}

// open shows a dialog.
func (m *Model) open(f dialog.Form) tea.Cmd {
	m.st.seq++
	d, cmd := dialog.Open(m.st.seq, f, m.styles)
	m.st.dialog = &d
	return cmd
}

// jobsChanged tells the pages (the jobs page) what the jobs are now.
func (m *Model) jobsChanged() tea.Cmd {
	m.tell(jobs.ChangedMsg{Jobs: m.st.runner.Jobs(), At: m.clock.Now()})
	return nil
}

// Section is a titled group of the actions' keys, for help.
type Section struct {
	Title string
	Keys  []key.Binding
}

// Help is the actions' keys that work on page p, each enabled as the
// backend and --readonly allow.
func (m Model) Help(p page.Page) []Section {
	var out []Section
	if showsImages(p) {
		out = append(out, Section{Title: "image actions", Keys: m.keys.Bindings(m.actionsEnabled())})
	}
	if kind, taskPage, ok := lcPage(p); ok {
		out = append(out, Section{Title: "container actions", Keys: m.lcKeys().Bindings(func(a lcName) bool { return m.lcCan(kind, taskPage, a) })})
	}
	return out
}

// Key runs the action a key asks for on page top (in namespace ns), when
// top's rows take it; ok is false for any other key or page.
func (m Model) Key(msg tea.KeyPressMsg, top page.Page, ns string) (Model, tea.Cmd, bool) {
	if name := m.keys.match(msg); name != "" && showsImages(top) {
		cmd := m.act(name, top, ns)
		return m, cmd, true
	}
	if name := m.lcKeys().match(msg); name != "" {
		if _, _, ok := lcPage(top); ok {
			cmd := m.lifecycle(name, top, "")
			return m, cmd, true
		}
	}
	return m, nil, false
}

// finished takes a job's end: a second question (replace the tag), a login
// to retry with, or the outcome in the log and the flash line.
func (m *Model) finished(msg jobs.DoneMsg) tea.Cmd {
	j, ok := m.st.runner.Finish(msg)
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
		flash = say(j.Err.Error(), !j.Canceled())
	default:
		flash = say(doneSentence(j.Job), false)
	}
	cmds := []tea.Cmd{changed, flash, m.logJob(j)}
	if j.Err == nil && j.Action.Kind() != backend.ActionExport && j.Action.Kind() != backend.ActionPush {
		m.tell(page.ResyncMsg{})
	}
	return tea.Batch(cmds...)
}

// logJob adds a finished job to the command log and tells the log page.
func (m *Model) logJob(j jobs.Job) tea.Cmd {
	m.st.log.Add(cmdlog.FromJob(j.Job, m.b.Config))
	m.tell(cmdlog.ChangedMsg{Entries: m.st.log.Entries()})
	return nil
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
func (m Model) criPull() backend.CRIPuller {
	if p, ok := m.b.CRI.(backend.CRIPuller); ok && m.b.CRI != nil {
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
