package ui

import (
	"fmt"
	"os"
	"path"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
	"github.com/ctui/ctui/ui/prompt"
)

// ask is which question a dialog asks; its answer is read by the field
// indexes below.
type ask int

const (
	askPull      ask = iota + 1 // fields: ref, all platforms, [via]
	askTag                      // fields: new ref
	askReplace                  // question: the tag's target exists
	askImport                   // fields: path, base name, digests, all platforms
	askExport                   // fields: path, all platforms
	askOverwrite                // question: the export's file exists
	askPush                     // fields: remote ref (one image only)
	askRemove                   // question; field: sync GC
	askLogin                    // fields: user, password
)

// Field indexes, per dialog, and the options of the pull's via choice.
const (
	fPullRef, fPullAll, fPullVia   = 0, 1, 2
	fImportPath, fImportBase       = 0, 1
	fImportDigests, fImportAll     = 2, 3
	fExportPath, fExportAll        = 0, 1
	fLoginUser, fLoginPassword     = 0, 1
	fTagRef, fPushRef, fRemoveSync = 0, 0, 0
	viaContainerd, viaCRI          = 0, 1
)

// maxListed is how many images or containers a dialog names before "and
// n more": a dialog is read at a glance.
const maxListed = 6

// dialog is an open dialog and what its answer is about.
type dialog struct {
	ask  ask
	m    prompt.Model
	ns   string
	refs []string       // the images it acts on
	act  backend.Action // what a second question or a login is about
}

// open shows a dialog.
func (m *Model) openDialog(d dialog, spec prompt.Spec) tea.Cmd {
	m.acts.seq++
	var cmd tea.Cmd
	d.m, cmd = prompt.New(m.acts.seq, spec, m.styles)
	m.acts.dialog = &d
	return cmd
}

// updateDialog gives a key to the open dialog and acts on its answer.
func (m Model) updateDialog(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	d := *m.acts.dialog
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	switch d.m.Status() {
	case prompt.Open:
		m.acts.dialog = &d
		return m, cmd
	case prompt.Canceled:
		m.acts.dialog = nil
		return m, nil
	}
	m.acts.dialog = nil
	next, err := m.answer(d)
	if err != nil {
		// Keep what was typed; say what is wrong with it.
		d.m, cmd = d.m.Fail(err.Error())
		m.acts.dialog = &d
		return m, cmd
	}
	return m, next
}

// answer runs what a submitted dialog asked for; an error reopens it.
func (m *Model) answer(d dialog) (tea.Cmd, error) {
	v := d.m
	switch d.ask {
	case askPull:
		return m.pull(d.ns, v.Value(fPullRef), v.On(fPullAll), v.Choice(fPullVia) == viaCRI && m.offerCRI(d.ns))
	case askTag:
		return m.tag(d.ns, d.refs[0], v.Value(fTagRef), false)
	case askReplace:
		t := d.act.(backend.TagOptions)
		return m.tag(d.ns, t.Source, t.Target, true)
	case askImport:
		return m.importTar(d.ns, backend.ImportOptions{Path: strings.TrimSpace(v.Value(fImportPath)),
			BaseName: strings.TrimSpace(v.Value(fImportBase)), Digests: v.On(fImportDigests), AllPlatforms: v.On(fImportAll)})
	case askExport:
		return m.checkExport(d.ns, backend.ExportOptions{Refs: d.refs, Path: strings.TrimSpace(v.Value(fExportPath)), AllPlatforms: v.On(fExportAll)})
	case askOverwrite:
		o := d.act.(backend.ExportOptions)
		o.Overwrite = true
		return m.export(d.ns, o), nil
	case askPush:
		remote := ""
		if len(d.refs) == 1 {
			remote = v.Value(fPushRef)
		}
		return m.pushImages(d.ns, d.refs, remote)
	case askRemove:
		return m.remove(d.ns, backend.RemoveOptions{Refs: d.refs, Sync: v.On(fRemoveSync)}), nil
	case askLogin:
		return m.login(d, v.Value(fLoginUser), v.Value(fLoginPassword))
	case askStop, askKill, askRemove2:
		return m.answerLifecycle(d)
	}
	return nil, nil
}

// offerCRI is whether a pull may go through CRI: in k8s.io, where kubelet
// pulls, when CRI is there.
func (m Model) offerCRI(ns string) bool { return ns == backend.CRINamespace && m.criPull() != nil }

// askPull opens the pull dialog, prefilled with the image under the cursor
// (enter pulls it again: the tag may have moved).
func (m *Model) askPull(ns, ref string) tea.Cmd {
	fields := []prompt.Field{
		{Kind: prompt.Text, Label: "reference", Value: ref, Placeholder: "docker.io/library/busybox:latest"},
		{Kind: prompt.Toggle, Label: "all platforms (else only " + platforms.DefaultString() + ", the node's)"},
	}
	lines := []string{"into namespace " + ns + "; short names are expanded as docker does (nginx → docker.io/library/nginx:latest)"}
	if m.offerCRI(ns) {
		fields = append(fields, prompt.Field{Kind: prompt.Choice, Label: "via", Options: []string{
			viaContainerd: "containerd, with progress (ctr images pull)",
			viaCRI:        "CRI, as kubelet would (crictl pull; no progress)",
		}})
		lines = append(lines, "CRI honours the daemon's registry config as kubelet's pulls do; containerd reads certs.d and shows progress")
	}
	return m.openDialog(dialog{ask: askPull, ns: ns}, prompt.Spec{Title: "pull an image", Submit: "pull", Lines: lines, Fields: fields})
}

func (m *Model) askTag(ns, src string) tea.Cmd {
	return m.openDialog(dialog{ask: askTag, ns: ns, refs: []string{src}}, prompt.Spec{
		Title: "tag " + src, Submit: "tag",
		Lines:  []string{"another name for the same image in namespace " + ns + "; normalized as ctr does"},
		Fields: []prompt.Field{{Kind: prompt.Text, Label: "new name", Value: src}},
	})
}

// askReplace is the second question of a tag whose target names another
// image.
func (m *Model) askReplace(ns string, t backend.TagOptions, why error) tea.Cmd {
	return m.openDialog(dialog{ask: askReplace, ns: ns, act: t}, prompt.Spec{
		Title: "replace " + t.Target + "?", Confirm: "Replace",
		Lines: []string{why.Error(), "Replace moves the name to " + t.Source + " (ctr images tag --force)."},
	})
}

func (m *Model) askImport(ns string) tea.Cmd {
	return m.openDialog(dialog{ask: askImport, ns: ns}, prompt.Spec{
		Title: "import images into namespace " + ns, Submit: "import",
		Lines: []string{"a docker save tar or an OCI layout tar, gzip'd or not; unpacked with the namespace's snapshotter"},
		Fields: []prompt.Field{
			{Kind: prompt.Path, Label: "path", Placeholder: "./image.tar (docker save or OCI layout, gzip or not)"},
			{Kind: prompt.Text, Label: "base name", Placeholder: "import-YYYY-MM-DD prefix for tag-only names"},
			{Kind: prompt.Toggle, Label: "also name each image base@digest (--digests)"},
			{Kind: prompt.Toggle, Label: "all platforms"},
		},
	})
}

func (m *Model) askExport(ns string, refs []string) tea.Cmd {
	return m.openDialog(dialog{ask: askExport, ns: ns, refs: refs}, prompt.Spec{
		Title: "export " + countImages(refs) + " to one tar", Submit: "export",
		Lines: append(listed(refs), "OCI layout plus manifest.json: ctr images import and docker load both read it"),
		Fields: []prompt.Field{
			{Kind: prompt.Path, Label: "path", Value: exportPath(refs), Placeholder: "./image.tar"},
			{Kind: prompt.Toggle, Label: "all platforms (else only " + platforms.DefaultString() + "; all content must be present)"},
		},
	})
}

func (m *Model) askOverwrite(ns string, o backend.ExportOptions) tea.Cmd {
	return m.openDialog(dialog{ask: askOverwrite, ns: ns, act: o}, prompt.Spec{
		Title: o.Path + " exists", Confirm: "Overwrite",
		Lines: []string{"Overwrite it with " + countImages(o.Refs) + "? The new tar replaces it only once complete."},
	})
}

func (m *Model) askPush(ns string, refs []string) tea.Cmd {
	spec := prompt.Spec{Title: "push " + countImages(refs), Submit: "push"}
	if len(refs) == 1 {
		spec.Lines = []string{"to a registry, every platform the image has; the same hosts.toml and credentials as pulls"}
		spec.Fields = []prompt.Field{{Kind: prompt.Text, Label: "remote", Value: refs[0], Placeholder: "registry/repository:tag"}}
	} else {
		spec.Lines = append(listed(refs), "each to its own name, every platform it has")
	}
	return m.openDialog(dialog{ask: askPush, ns: ns, refs: refs}, spec)
}

// confirmRemove asks before a remove, naming the containers that still use
// the images (containerd lets the image go; their snapshots stay).
func (m *Model) confirmRemove(msg usersMsg) tea.Cmd {
	lines := listed(msg.refs)
	switch {
	case msg.err != nil:
		lines = append(lines, "could not tell which containers use them: "+msg.err.Error())
	case len(msg.users) == 0:
		lines = append(lines, "no container uses them")
	default:
		lines = append(lines, fmt.Sprintf("still used by %d containers (they keep their snapshots):", len(msg.users)))
		for i, u := range msg.users {
			if i == maxListed {
				lines = append(lines, fmt.Sprintf("  and %d more", len(msg.users)-i))
				break
			}
			lines = append(lines, "  "+u.String()+" ← "+u.Image)
		}
	}
	return m.openDialog(dialog{ask: askRemove, ns: msg.ns, refs: msg.refs}, prompt.Spec{
		Title: "remove " + countImages(msg.refs) + " from namespace " + msg.ns + "?", Confirm: "Remove", Lines: lines,
		Fields: []prompt.Field{{Kind: prompt.Toggle, Label: "wait for garbage collection, so the space is free (--sync)", On: msg.sync}},
	})
}

// askLogin asks for the credentials a registry wants, after a pull or push
// failed for want of them; ok is false if the action cannot take them.
func (m *Model) askLogin(ns string, a backend.Action, why error) (cmd tea.Cmd, ok bool) {
	var ref, user string
	switch o := a.(type) {
	case backend.PullOptions:
		ref, user = o.Ref, credsUser(o.Registry.Creds)
	case backend.PushOptions:
		ref, user = o.Ref, credsUser(o.Registry.Creds)
	case backend.CRIPullOptions:
		ref, user = o.Ref, credsUser(o.Creds)
	default:
		return nil, false
	}
	if user == "" {
		user = credsUser(m.acts.reg.Creds)
	}
	host := registryHost(ref)
	return m.openDialog(dialog{ask: askLogin, ns: ns, act: a}, prompt.Spec{
		Title: "log in to " + host, Submit: "log in and retry",
		Lines: []string{why.Error(), "kept in memory for this session only; never written to a file or a log"},
		Fields: []prompt.Field{
			{Kind: prompt.Text, Label: "user", Value: user},
			{Kind: prompt.Password, Label: "password", Focus: user != ""},
		},
	}), true
}

// login retries the action with the typed credentials: CRI takes them in
// the request; containerd pulls find them in the session's logins.
func (m *Model) login(d dialog, user, password string) (tea.Cmd, error) {
	if password == "" {
		return nil, backend.Errorf(backend.ErrInvalid, "type the password (or token) for %s", registryHost(subjectRef(d.act)))
	}
	switch o := d.act.(type) {
	case backend.CRIPullOptions:
		o.Creds = user + ":" + password
		return m.startCRIPull(d.ns, o), nil
	case backend.PullOptions:
		m.acts.reg.Logins.Set(registryHost(o.Ref), user, password)
		o.Registry = m.acts.reg
		o.Registry.Creds = ""
		return m.startPull(d.ns, o), nil
	case backend.PushOptions:
		m.acts.reg.Logins.Set(registryHost(o.Ref), user, password)
		o.Registry = m.acts.reg
		o.Registry.Creds = ""
		return m.startPush(d.ns, o), nil
	}
	return nil, nil
}

func subjectRef(a backend.Action) string {
	if a == nil {
		return ""
	}
	return a.Subject()
}

// credsUser is the user of a --creds value.
func credsUser(creds string) string {
	u, _, _ := registry.ParseCreds(creds)
	return u
}

// registryHost is the registry a reference names, as the credentials are
// kept by (docker.io for short names).
func registryHost(ref string) string {
	n, err := reference.ParseNormalizedNamed(strings.TrimSpace(ref))
	if err != nil {
		return ref
	}
	return reference.Domain(n)
}

// exportPath is the default file of an export: ./<name>.tar after the one
// image's repository, ./images.tar for several.
func exportPath(refs []string) string {
	name := "images"
	if len(refs) == 1 {
		if n, err := reference.ParseNormalizedNamed(refs[0]); err == nil {
			name = path.Base(reference.Path(n))
		}
	}
	return "./" + name + ".tar"
}

func countImages(refs []string) string {
	if len(refs) == 1 {
		return refs[0]
	}
	return fmt.Sprintf("%d images", len(refs))
}

// listed names up to maxListed images, one per line.
func listed(refs []string) []string {
	if len(refs) < 2 {
		return nil
	}
	var out []string
	for i, r := range refs {
		if i == maxListed {
			out = append(out, fmt.Sprintf("  and %d more", len(refs)-i))
			break
		}
		out = append(out, "  "+r)
	}
	return out
}

// statCmd checks an export's target off the update loop.
func statCmd(ns string, o backend.ExportOptions) tea.Cmd {
	return func() tea.Msg {
		fi, err := os.Stat(o.Path)
		return pathCheckedMsg{ns: ns, opts: o, exists: err == nil, dir: err == nil && fi.IsDir()}
	}
}

// exportChecked starts the export, or asks before overwriting.
func (m *Model) exportChecked(msg pathCheckedMsg) tea.Cmd {
	switch {
	case msg.dir:
		return m.flash.set("export: "+msg.opts.Path+" is a directory; name a file in it", true)
	case msg.exists:
		return m.askOverwrite(msg.ns, msg.opts)
	}
	return m.export(msg.ns, msg.opts)
}
