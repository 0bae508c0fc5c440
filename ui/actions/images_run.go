package actions

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/prompt"
)

// The do-side of the image actions: validate what the operator gave, build
// the backend's option struct, start the job. Validation errors come back
// as errors so that a dialog can show them and keep the input; each Run is
// built from values only (pattern 2), never from the model.

// pull validates ref and starts a pull job, through CRI when viaCRI.
func (m Model) pull(ns, ref string, all, viaCRI bool) (tea.Cmd, error) {
	norm, err := backend.NormalizeRef(ref)
	if err != nil {
		return nil, err
	}
	return m.now(func(m *Model) tea.Cmd {
		if viaCRI {
			o := backend.CRIPullOptions{Ref: norm}
			if _, pass, need := splitCreds(m.reg.Creds); m.reg.Creds != "" {
				if need {
					cmd, _ := m.askLogin(ns, o, backend.Errorf(backend.ErrNeedPassword, "password needed for user %s to log in to %s", credsUser(m.reg.Creds), registryHost(norm)))
					return cmd
				}
				o.Creds = credsUser(m.reg.Creds) + ":" + pass
			}
			return m.startCRIPull(ns, o)
		}
		return m.startPull(ns, backend.PullOptions{Ref: norm, AllPlatforms: all, Registry: m.reg})
	}), nil
}

func splitCreds(creds string) (user, pass string, need bool) {
	user, pass, _ = strings.Cut(creds, ":")
	return user, pass, pass == ""
}

func (m *Model) startPull(ns string, o backend.PullOptions) tea.Cmd {
	ops, err := m.imageOps()
	if err != nil {
		return say(err.Error(), true)
	}
	return m.start(jobs.Spec{Action: o, Namespace: ns, Via: "containerd", Background: true,
		Run: func(ctx context.Context, progress backend.ProgressFunc) (string, error) {
			res, err := ops.PullImage(ctx, ns, o, progress)
			if err != nil {
				return "", err
			}
			note := fmt.Sprintf("%s is %s; fetched %s", res.Image.Name, short(res.Image.Digest), humanize.Size(res.Bytes))
			if res.Snapshotter != "" {
				note += ", unpacked into " + res.Snapshotter
			}
			if res.Registry != "" {
				note += "; " + res.Registry
			}
			return note, nil
		}})
}

func (m *Model) startCRIPull(ns string, o backend.CRIPullOptions) tea.Cmd {
	cri := m.criPull()
	if cri == nil {
		return say("pull through CRI: "+criUnavailable(m.b.CRIErr), true)
	}
	return m.start(jobs.Spec{Action: o, Namespace: ns, Via: "CRI", Background: true,
		Run: func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			id, err := cri.PullImage(ctx, o)
			if err != nil {
				return "", err
			}
			return "CRI image id " + short(id), nil
		}})
}

func criUnavailable(err error) string {
	if err != nil {
		return err.Error()
	}
	return "CRI is not available"
}

// tag validates the new name and tags src at once (no progress to show);
// an existing target comes back as ErrAlreadyExists and is asked about.
func (m Model) tag(ns, src, target string, force bool) (tea.Cmd, error) {
	norm, err := backend.NormalizeRef(target)
	if err != nil {
		return nil, err
	}
	if norm == src {
		return nil, backend.Errorf(backend.ErrInvalid, "%s is already this image's name; give another", norm)
	}
	ops, err := m.imageOps()
	if err != nil {
		return nil, err
	}
	o := backend.TagOptions{Source: src, Target: norm, Force: force}
	return m.later(jobs.Spec{Action: o, Namespace: ns, Via: "containerd",
		Run: func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			img, err := ops.TagImage(ctx, ns, o)
			if err != nil {
				return "", err
			}
			return img.Name + " is " + short(img.Digest), nil
		}}), nil
}

// importTar starts an import of the tar at o.Path into ns.
func (m Model) importTar(ns string, o backend.ImportOptions) (tea.Cmd, error) {
	if o.Path == "" {
		return nil, backend.Errorf(backend.ErrInvalid, "name the tar to import")
	}
	o.Path = prompt.ExpandHome(o.Path)
	ops, err := m.imageOps()
	if err != nil {
		return nil, err
	}
	return m.later(jobs.Spec{Action: o, Namespace: ns, Via: "containerd", Background: true,
		Run: func(ctx context.Context, progress backend.ProgressFunc) (string, error) {
			imgs, err := ops.ImportImages(ctx, ns, o, progress)
			if err != nil {
				return "", err
			}
			names := make([]string, len(imgs))
			for i, img := range imgs {
				names[i] = img.Name
			}
			return fmt.Sprintf("imported %d: %s", len(imgs), strings.Join(names, ", ")), nil
		}}), nil
}

// checkExport validates an export and looks whether its file exists, off
// the update loop; exportChecked goes on from there.
func (m Model) checkExport(ns string, o backend.ExportOptions) (tea.Cmd, error) {
	if o.Path == "" {
		return nil, backend.Errorf(backend.ErrInvalid, "name the file to write, e.g. %s", exportPath(o.Refs))
	}
	if len(o.Refs) == 0 {
		return nil, backend.Errorf(backend.ErrInvalid, "no image to export: mark some with space or put the cursor on one")
	}
	o.Path = prompt.ExpandHome(o.Path)
	if strings.HasSuffix(o.Path, "/") {
		o.Path = filepath.Join(o.Path, strings.TrimPrefix(exportPath(o.Refs), "./"))
	}
	return statCmd(ns, o), nil
}

// export starts an export job.
func (m *Model) export(ns string, o backend.ExportOptions) tea.Cmd {
	ops, err := m.imageOps()
	if err != nil {
		return say(err.Error(), true)
	}
	return m.start(jobs.Spec{Action: o, Namespace: ns, Via: "containerd", Background: true,
		Run: func(ctx context.Context, progress backend.ProgressFunc) (string, error) {
			n, err := ops.ExportImages(ctx, ns, o, progress)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("wrote %s to %s", humanize.Size(n), o.Path), nil
		}})
}

// pushImages starts one push job per image: to remote when one image is pushed
// under another name, else each to its own name.
func (m Model) pushImages(ns string, refs []string, remote string) (tea.Cmd, error) {
	if len(refs) == 0 {
		return nil, backend.Errorf(backend.ErrInvalid, "no image to push: mark some with space or put the cursor on one")
	}
	var opts []backend.PushOptions
	if len(refs) == 1 && strings.TrimSpace(remote) != "" {
		norm, err := backend.NormalizeRef(remote)
		if err != nil {
			return nil, err
		}
		opts = append(opts, backend.PushOptions{Ref: norm, Local: refs[0], Registry: m.reg})
	} else {
		for _, r := range refs {
			opts = append(opts, backend.PushOptions{Ref: r, Registry: m.reg})
		}
	}
	return m.now(func(m *Model) tea.Cmd {
		cmds := make([]tea.Cmd, len(opts))
		for i, o := range opts {
			cmds[i] = m.startPush(ns, o)
		}
		return tea.Batch(cmds...)
	}), nil
}

func (m *Model) startPush(ns string, o backend.PushOptions) tea.Cmd {
	ops, err := m.imageOps()
	if err != nil {
		return say(err.Error(), true)
	}
	return m.start(jobs.Spec{Action: o, Namespace: ns, Via: "containerd", Background: true,
		Run: func(ctx context.Context, progress backend.ProgressFunc) (string, error) {
			res, err := ops.PushImage(ctx, ns, o, progress)
			if err != nil {
				return "", err
			}
			note := fmt.Sprintf("pushed %s as %s; uploaded %s", res.Ref, short(res.Digest), humanize.Size(res.Bytes))
			if res.Registry != "" {
				note += "; " + res.Registry
			}
			return note, nil
		}})
}

// lookUsers asks which containers use refs, for the remove question.
func (m *Model) lookUsers(ns string, refs []string, sync bool) tea.Cmd {
	ops, err := m.imageOps()
	if err != nil {
		return say(err.Error(), true)
	}
	parent, timeout := m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		users, err := ops.ImageUsers(ctx, ns, refs)
		return usersMsg{ns: ns, refs: refs, sync: sync, users: users, err: err}
	}
}

// remove deletes the image names at once, after the question.
func (m *Model) remove(ns string, o backend.RemoveOptions) tea.Cmd {
	ops, err := m.imageOps()
	if err != nil {
		return say(err.Error(), true)
	}
	return m.start(jobs.Spec{Action: o, Namespace: ns, Via: "containerd",
		Run: func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			if err := ops.RemoveImages(ctx, ns, o); err != nil {
				return "", err
			}
			if o.Sync {
				return "removed; garbage collected", nil
			}
			return "removed", nil
		}})
}

// start runs a job unless --readonly forbids it: the keys are unbound then,
// and this is the last guard for anything else that gets here.
func (m *Model) start(s jobs.Spec) tea.Cmd {
	if err := m.b.Config.Guard(s.Action); err != nil {
		return say(err.Error(), true)
	}
	id, cmd := m.st.runner.Start(s, m.clock.Now())
	started := m.jobsChanged()
	if !s.Background {
		return tea.Batch(cmd, started)
	}
	return tea.Batch(cmd, started, say(fmt.Sprintf("job %d: %s started (:jobs to follow it)", id, s.Action.Kind()), false))
}

// later starts s: what a dialog's submit asks for.
func (m Model) later(s jobs.Spec) tea.Cmd { return m.start(s) }

// short cuts a digest or id to 12 hex digits, as crictl shows ids.
func short(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok {
		d = hex
	}
	if len(d) > 12 {
		return d[:12]
	}
	return d
}
