package actions

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
	"github.com/ctui/ctui/ui/dialog"
	"github.com/ctui/ctui/ui/prompt"
)

// viaContainerd and viaCRI are the options of the pull's via choice.
const (
	viaContainerd = iota
	viaCRI
)

// maxListed is how many images or containers a dialog names before "and
// n more": a dialog is read at a glance.
const maxListed = 6

// offerCRI is whether a pull may go through CRI: in k8s.io, where kubelet
// pulls, when CRI is there.
func (m Model) offerCRI(ns string) bool { return ns == backend.CRINamespace && m.criPull() != nil }

// askPull opens the pull dialog, prefilled with the image under the cursor
// (enter pulls it again: the tag may have moved).
func (m *Model) askPull(ns, ref string) tea.Cmd {
	f := dialog.Form{Title: "pull an image", Submit: "pull",
		Lines: []string{"into namespace " + ns + "; short names are expanded as docker does (nginx → docker.io/library/nginx:latest)"}}
	refF := f.Text(prompt.Field{Label: "reference", Value: ref, Placeholder: "docker.io/library/busybox:latest"})
	all := f.Toggle("all platforms (else only "+platforms.DefaultString()+", the node's)", false)
	var via dialog.Choice // absent: containerd
	offer := m.offerCRI(ns)
	if offer {
		via = f.Choice("via", []string{
			viaContainerd: "containerd, with progress (ctr images pull)",
			viaCRI:        "CRI, as kubelet would (crictl pull; no progress)",
		}, viaContainerd)
		f.Lines = append(f.Lines, "CRI honours the daemon's registry config as kubelet's pulls do; containerd reads certs.d and shows progress")
	}
	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) {
		return m.pull(ns, refF.In(a), all.In(a), offer && via.In(a) == viaCRI)
	})
	return m.open(f)
}

func (m *Model) askTag(ns, src string) tea.Cmd {
	f := dialog.Form{Title: "tag " + src, Submit: "tag",
		Lines: []string{"another name for the same image in namespace " + ns + "; normalized as ctr does"}}
	name := f.Text(prompt.Field{Label: "new name", Value: src})
	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) { return m.tag(ns, src, name.In(a), false) })
	return m.open(f)
}

// askReplace is the second question of a tag whose target names another
// image.
func (m *Model) askReplace(ns string, t backend.TagOptions, why error) tea.Cmd {
	f := dialog.Form{Title: "replace " + t.Target + "?", Confirm: "Replace",
		Lines: []string{why.Error(), "Replace moves the name to " + t.Source + " (ctr images tag --force)."}}
	f.OnSubmit(func(dialog.Answers) (tea.Cmd, error) { return m.tag(ns, t.Source, t.Target, true) })
	return m.open(f)
}

func (m *Model) askImport(ns string) tea.Cmd {
	f := dialog.Form{Title: "import images into namespace " + ns, Submit: "import",
		Lines: []string{"a docker save tar or an OCI layout tar, gzip'd or not; unpacked with the namespace's snapshotter"}}
	path := f.Text(prompt.Field{Kind: prompt.Path, Label: "path", Placeholder: "./image.tar (docker save or OCI layout, gzip or not)"})
	base := f.Text(prompt.Field{Label: "base name", Placeholder: "import-YYYY-MM-DD prefix for tag-only names"})
	digests := f.Toggle("also name each image base@digest (--digests)", false)
	all := f.Toggle("all platforms", false)
	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) {
		return m.importTar(ns, backend.ImportOptions{Path: strings.TrimSpace(path.In(a)),
			BaseName: strings.TrimSpace(base.In(a)), Digests: digests.In(a), AllPlatforms: all.In(a)})
	})
	return m.open(f)
}

func (m *Model) askExport(ns string, refs []string) tea.Cmd {
	f := dialog.Form{Title: "export " + countImages(refs) + " to one tar", Submit: "export",
		Lines: append(listed(refs), "OCI layout plus manifest.json: ctr images import and docker load both read it")}
	path := f.Text(prompt.Field{Kind: prompt.Path, Label: "path", Value: exportPath(refs), Placeholder: "./image.tar"})
	all := f.Toggle("all platforms (else only "+platforms.DefaultString()+"; all content must be present)", false)
	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) {
		return m.checkExport(ns, backend.ExportOptions{Refs: refs, Path: strings.TrimSpace(path.In(a)), AllPlatforms: all.In(a)})
	})
	return m.open(f)
}

func (m *Model) askOverwrite(ns string, o backend.ExportOptions) tea.Cmd {
	f := dialog.Form{Title: o.Path + " exists", Confirm: "Overwrite",
		Lines: []string{"Overwrite it with " + countImages(o.Refs) + "? The new tar replaces it only once complete."}}
	o.Overwrite = true
	f.OnSubmit(func(dialog.Answers) (tea.Cmd, error) {
		return m.now(func(m *Model) tea.Cmd { return m.export(ns, o) }), nil
	})
	return m.open(f)
}

func (m *Model) askPush(ns string, refs []string) tea.Cmd {
	f := dialog.Form{Title: "push " + countImages(refs), Submit: "push"}
	var remote dialog.Text // absent for several images: each to its own name
	if len(refs) == 1 {
		f.Lines = []string{"to a registry, every platform the image has; the same hosts.toml and credentials as pulls"}
		remote = f.Text(prompt.Field{Label: "remote", Value: refs[0], Placeholder: "registry/repository:tag"})
	} else {
		f.Lines = append(listed(refs), "each to its own name, every platform it has")
	}
	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) { return m.pushImages(ns, refs, remote.In(a)) })
	return m.open(f)
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
	f := dialog.Form{Title: "remove " + countImages(msg.refs) + " from namespace " + msg.ns + "?", Confirm: "Remove", Lines: lines}
	sync := f.Toggle("wait for garbage collection, so the space is free (--sync)", msg.sync)
	ns, refs := msg.ns, msg.refs
	f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) {
		o := backend.RemoveOptions{Refs: refs, Sync: sync.In(a)}
		return m.now(func(m *Model) tea.Cmd { return m.remove(ns, o) }), nil
	})
	return m.open(f)
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
		user = credsUser(m.reg.Creds)
	}
	host := registryHost(ref)
	f := dialog.Form{Title: "log in to " + host, Submit: "log in and retry",
		Lines: []string{why.Error(), "kept in memory for this session only; never written to a file or a log"}}
	userF := f.Text(prompt.Field{Label: "user", Value: user})
	password := f.Text(prompt.Field{Kind: prompt.Password, Label: "password", Focus: user != ""})
	f.OnSubmit(func(ans dialog.Answers) (tea.Cmd, error) { return m.login(ns, a, userF.In(ans), password.In(ans)) })
	return m.open(f), true
}

// login retries the action with the typed credentials: CRI takes them in
// the request; containerd pulls find them in the session's logins.
func (m Model) login(ns string, act backend.Action, user, password string) (tea.Cmd, error) {
	if password == "" {
		return nil, backend.Errorf(backend.ErrInvalid, "type the password (or token) for %s", registryHost(subjectRef(act)))
	}
	switch o := act.(type) {
	case backend.CRIPullOptions:
		o.Creds = user + ":" + password
		return m.now(func(m *Model) tea.Cmd { return m.startCRIPull(ns, o) }), nil
	case backend.PullOptions:
		return m.now(func(m *Model) tea.Cmd {
			m.reg.Logins.Set(registryHost(o.Ref), user, password)
			o.Registry = m.reg
			o.Registry.Creds = ""
			return m.startPull(ns, o)
		}), nil
	case backend.PushOptions:
		return m.now(func(m *Model) tea.Cmd {
			m.reg.Logins.Set(registryHost(o.Ref), user, password)
			o.Registry = m.reg
			o.Registry.Creds = ""
			return m.startPush(ns, o)
		}), nil
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
		return say("export: "+msg.opts.Path+" is a directory; name a file in it", true)
	case msg.exists:
		return m.askOverwrite(msg.ns, msg.opts)
	}
	return m.export(msg.ns, msg.opts)
}
