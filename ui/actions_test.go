package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/jobs"
)

const secret = "Sup3r-Secret-Pw"

// actNode is the fake node with image actions: three images in default,
// nginx:1 used by the running container web.
type actNode struct {
	node
	acts *fake.Actions
}

func newActNode() actNode {
	n := newNode(2)
	n.native.ImagesByNS["default"] = append(n.native.ImagesByNS["default"], backend.Image{Name: "docker.io/library/nginx:1", Digest: "sha256:nginx"})
	a := &fake.Actions{Native: n.native, Logins: &fake.Logins{}, Protected: map[string]string{}, Tars: map[string][]backend.Image{}}
	n.b.Native = a
	return actNode{node: n, acts: a}
}

func startActs(t *testing.T, n actNode, w, h int) Model {
	t.Helper()
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: testclock.Clock(), Registry: backend.RegistryOptions{Logins: n.acts.Logins}})
	m = feed(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return run(t, m, m.Init())
}

// fits fails when a line of the screen is wider than w.
func fits(t *testing.T, m Model, w int) {
	t.Helper()
	for _, l := range strings.Split(m.View().Content, "\n") {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line wider than %d: %q", w, ansi.Strip(l))
		}
	}
}

func TestPullThroughThePrompt(t *testing.T) {
	n := newActNode()
	m := startActs(t, n, 120, 30)
	m = keys(t, m, "p")
	s := screen(m)
	if !hasDialog(m) || !strings.Contains(s, "pull an image") || !strings.Contains(s, "docker.io/library/app00000:v1") {
		t.Fatalf("p: no pull prompt prefilled with the image under the cursor:\n%s", s)
	}
	fits(t, m, 120)
	m = keys(t, m, "ctrl+u")
	m = typed(t, m, "busybox")
	m = keys(t, m, "enter")
	if got := n.acts.Calls(); len(got) != 1 || got[0] != "pull docker.io/library/busybox:latest" {
		t.Fatalf("calls %v", got)
	}
	s = screen(m)
	if !strings.Contains(s, "docker.io/library/busybox:latest   ") || !strings.Contains(s, "busybox:latest: done") {
		t.Fatalf("the pulled image is not listed:\n%s", s)
	}
	m = keys(t, m, ":")
	m = typed(t, m, "log")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "ctr images pull --hosts-dir /etc/containerd/certs.d docker.io/library/busybox:latest") || !strings.Contains(s, "ok") {
		t.Fatalf(":log:\n%s", s)
	}
	m = keys(t, m, ":")
	m = typed(t, m, "jobs")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "pull") || !strings.Contains(s, "done in") || !strings.Contains(s, "100% 64.0 MiB/64.0 MiB") {
		t.Fatalf(":jobs:\n%s", s)
	}
}

func TestPromptRefusesAnInvalidReference(t *testing.T) {
	n := newActNode()
	m := startActs(t, n, 100, 30)
	m = keys(t, m, "p", "ctrl+u")
	m = typed(t, m, "Bad:Ref")
	m = keys(t, m, "enter")
	if !hasDialog(m) || !strings.Contains(screen(m), "not a valid image reference") || len(n.acts.Calls()) != 0 {
		t.Fatalf("invalid reference not kept in the dialog:\n%s", screen(m))
	}
	m = keys(t, m, "esc")
	if hasDialog(m) {
		t.Fatal("esc does not close the dialog")
	}
}

func TestLoginDialogRetries(t *testing.T) {
	n := newActNode()
	n.acts.Protected["127.0.0.1:5000"] = "alice:" + secret
	m := startActs(t, n, 120, 30)
	m = keys(t, m, ":")
	m = typed(t, m, "pull 127.0.0.1:5000/app:v1")
	m = keys(t, m, "enter")
	s := screen(m)
	if !dialogTitled(m, "log in to ") || !strings.Contains(s, "log in to 127.0.0.1:5000") || !strings.Contains(s, "requires credentials") {
		t.Fatalf("no login dialog after the registry asked for credentials:\n%s", s)
	}
	m = typed(t, m, "alice")
	m = keys(t, m, "down")
	m = typed(t, m, secret)
	if strings.Contains(m.View().Content, secret) {
		t.Fatal("the password shows while typed")
	}
	m = keys(t, m, "enter")
	if u, p, ok := n.acts.Logins.Get("127.0.0.1:5000"); !ok || u != "alice" || p != secret {
		t.Fatalf("logins: %q %q %v", u, p, ok)
	}
	if s := screen(m); !strings.Contains(s, "127.0.0.1:5000/app:v1") {
		t.Fatalf("pulled image not listed after the login:\n%s", s)
	}
	m = keys(t, m, ":")
	m = typed(t, m, "log")
	m = keys(t, m, "enter", "enter")
	s = screen(m)
	m = keys(t, m, "esc", "j", "enter")
	s += screen(m)
	if strings.Contains(s, secret) || !strings.Contains(s, "failed") || !strings.Contains(s, "ok") {
		t.Fatalf("command log (first try failed, the retry ok, no password):\n%s", s)
	}
}

func TestCredsWithoutPasswordAsksForIt(t *testing.T) {
	n := newActNode()
	n.acts.Protected["127.0.0.1:5000"] = "alice:" + secret
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: testclock.Clock(), Registry: backend.RegistryOptions{Creds: "alice", Logins: n.acts.Logins}})
	m = feed(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = run(t, m, m.Init())
	m = keys(t, m, ":")
	m = typed(t, m, "pull 127.0.0.1:5000/app:v1")
	m = keys(t, m, "enter")
	if d, ok := m.acts.Dialog(); !ok || !dialogTitled(m, "log in to ") || d.Field("user") != "alice" {
		t.Fatalf("no login dialog with the --creds user:\n%s", screen(m))
	}
	m = typed(t, m, secret) // the cursor is in the password already
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "127.0.0.1:5000/app:v1") {
		t.Fatalf("not pulled:\n%s", s)
	}
	if len(m.acts.Entries()) != 1 {
		t.Errorf("asking for the password is not a failed action: %+v", m.acts.Entries())
	}
}

func TestTagAsksBeforeReplacing(t *testing.T) {
	n := newActNode()
	m := startActs(t, n, 120, 30)
	m = keys(t, m, "t")
	if d, ok := m.acts.Dialog(); !ok || d.Field("new name") != "docker.io/library/app00000:v1" {
		t.Fatalf("tag prompt not prefilled:\n%s", screen(m))
	}
	m = keys(t, m, "ctrl+u")
	m = typed(t, m, "app00001:v1") // normalized to the other image's name
	m = keys(t, m, "enter")
	if !dialogTitled(m, "replace ") || !strings.Contains(screen(m), "[ Replace ]") {
		t.Fatalf("no replace question:\n%s", screen(m))
	}
	m = keys(t, m, "enter") // Cancel is the default
	if hasDialog(m) || len(n.acts.Calls()) != 1 {
		t.Fatalf("enter did not cancel: %v", n.acts.Calls())
	}
	m = keys(t, m, "t", "ctrl+u")
	m = typed(t, m, "app00001:v1")
	m = keys(t, m, "enter", "right", "enter")
	if c := n.acts.Calls(); c[len(c)-1] != "tag docker.io/library/app00000:v1 docker.io/library/app00001:v1 force=true" {
		t.Fatalf("calls %v", c)
	}
	m = keys(t, m, "t", "ctrl+u")
	m = typed(t, m, "mine/app:v2")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "docker.io/mine/app:v2") {
		t.Fatalf("new tag not listed:\n%s", s)
	}
}

func TestExportMarkedAndOverwrite(t *testing.T) {
	n := newActNode()
	m := startActs(t, n, 120, 30)
	m = keys(t, m, "space", "space", "e")
	d, ok := m.acts.Dialog()
	if !ok || d.Title() != "export 2 images to one tar" || d.Field("path") != "./images.tar" {
		t.Fatalf("export of the marked images: %q\n%s", d.Title(), screen(m))
	}
	path := filepath.Join(t.TempDir(), "two.tar")
	m = keys(t, m, "ctrl+u")
	m = typed(t, m, path)
	m = keys(t, m, "enter")
	if data, err := os.ReadFile(path); err != nil || string(data) != "docker.io/library/app00000:v1\ndocker.io/library/app00001:v1\n" {
		t.Fatalf("export wrote %q, %v", data, err)
	}
	m = keys(t, m, ":")
	m = typed(t, m, "export "+path)
	m = keys(t, m, "enter")
	if d, ok := m.acts.Dialog(); !ok || !strings.HasSuffix(d.Title(), " exists") || !strings.Contains(screen(m), "exists") {
		t.Fatalf("no overwrite question:\n%s", screen(m))
	}
	m = keys(t, m, "left", "enter")
	if c := n.acts.Calls(); len(c) != 2 || !strings.HasSuffix(c[1], "overwrite=true") {
		t.Fatalf("calls %v", c)
	}
}

func TestRemoveNamesTheContainersAndDefaultsToCancel(t *testing.T) {
	n := newActNode()
	m := startActs(t, n, 120, 30)
	m = keys(t, m, "G", "ctrl+d")
	s := screen(m)
	if !hasDialog(m) || !strings.Contains(s, "remove docker.io/library/nginx:1 from namespace default?") || !strings.Contains(s, "web [running]") {
		t.Fatalf("remove question:\n%s", s)
	}
	m = keys(t, m, "enter")
	if len(n.acts.Calls()) != 0 || !strings.Contains(screen(m), "nginx:1") {
		t.Fatal("enter removed the image")
	}
	m = keys(t, m, "ctrl+d", "up", "space", "down", "right", "enter")
	if c := n.acts.Calls(); len(c) != 1 || c[0] != "remove docker.io/library/nginx:1 sync=true" {
		t.Fatalf("calls %v", c)
	}
	if s := screen(m); strings.Contains(s, "nginx:1   ") {
		t.Fatalf("removed image still listed:\n%s", s)
	}
}

func TestImportCommand(t *testing.T) {
	n := newActNode()
	n.acts.Tars["/tmp/x.tar"] = []backend.Image{{Name: "import-2025-01-01/x:v1", Digest: "sha256:x"}}
	m := startActs(t, n, 120, 30)
	m = keys(t, m, ":")
	m = typed(t, m, "import /tmp/x.tar --digests")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "import-2025-01-01/x:v1") {
		t.Fatalf("imported image not listed:\n%s", s)
	}
	if e := m.acts.Entries(); len(e) != 1 || e[0].Command != "ctr images import --digests /tmp/x.tar" {
		t.Fatalf("log %+v", e)
	}
}

func TestReadonlyRefusesEveryAction(t *testing.T) {
	n := newActNode()
	n.b.Config.Readonly = true
	m := startActs(t, n, 160, 30)
	for _, k := range []string{"p", "t", "i", "e", "P", "ctrl+d"} {
		m = keys(t, m, k)
		if hasDialog(m) || !strings.Contains(screen(m), "--readonly") {
			t.Fatalf("%s under --readonly:\n%s", k, screen(m))
		}
	}
	for _, c := range []string{"pull busybox", "tag x", "import /tmp/x.tar", "export /tmp/y.tar", "push", "rmi"} {
		m = keys(t, m, ":")
		m = typed(t, m, c)
		m = keys(t, m, "enter")
		if !strings.Contains(screen(m), "--readonly") {
			t.Fatalf(":%s under --readonly:\n%s", c, screen(m))
		}
	}
	m = keys(t, m, "?")
	if strings.Contains(screen(m), "pull an image") {
		t.Error("help offers actions under --readonly")
	}
	if len(n.acts.Calls()) != 0 {
		t.Fatalf("calls under --readonly: %v", n.acts.Calls())
	}
}

func TestPullThroughCRIInK8s(t *testing.T) {
	n := newActNode()
	cri := &fake.CRIPuller{Runtime: n.cri, Native: n.native}
	n.b.CRI = cri
	m := startActs(t, n, 160, 30)
	m = keys(t, m, ":")
	m = typed(t, m, "ns k8s.io")
	m = keys(t, m, "enter", "p")
	if s := screen(m); !strings.Contains(s, "containerd, with progress") {
		t.Fatalf("no via choice in k8s.io:\n%s", s)
	}
	m = keys(t, m, "ctrl+u")
	m = typed(t, m, "busybox")
	m = keys(t, m, "down", "down", "space", "enter")
	if p := cri.Pulls(); len(p) != 1 || p[0].Ref != "docker.io/library/busybox:latest" {
		t.Fatalf("CRI pulls %+v", p)
	}
	if e := m.acts.Entries(); len(e) != 1 || e[0].Via != "CRI" || !strings.HasPrefix(e[0].Command, "crictl ") {
		t.Fatalf("log %+v", e)
	}
	if s := screen(m); !strings.Contains(s, "through CRI") {
		t.Fatalf("flash does not say which path:\n%s", s)
	}
}

func TestCancelARunningPull(t *testing.T) {
	n := newActNode()
	n.acts.Slow = true
	m := startActs(t, n, 120, 30)
	loop := uitest.NewLoop(t)
	press := func(ks ...string) {
		for _, k := range ks {
			tm, cmd := m.Update(uitest.Press(k))
			m = tm.(Model)
			loop.Run(cmd)
		}
	}
	press(":")
	for _, msg := range uitest.Type("pull big:v1") {
		tm, cmd := m.Update(msg)
		m = tm.(Model)
		loop.Run(cmd)
	}
	press("enter")
	m, _ = uitest.Until(t, loop, m, 5*time.Second, func(m Model) bool {
		j := m.acts.Jobs()
		return len(j) == 1 && j[0].Progress.Done > 1<<20
	})
	if s := screen(m); !strings.Contains(s, "⟳ 1 job") {
		t.Fatalf("no job indicator:\n%s", s)
	}
	fits(t, m, 120)
	press(":")
	for _, msg := range uitest.Type("jobs") {
		tm, cmd := m.Update(msg)
		m = tm.(Model)
		loop.Run(cmd)
	}
	press("enter", "enter") // the job in full
	if s := screen(m); !strings.Contains(s, "layer") || !strings.Contains(s, "downloading") {
		t.Fatalf("job detail:\n%s", s)
	}
	press("esc", "esc") // out of the detail, then cancel
	m, _ = uitest.Until(t, loop, m, 5*time.Second, func(m Model) bool {
		j := m.acts.Jobs()
		return !j[0].Running()
	})
	j := m.acts.Jobs()[0]
	if !j.Canceled() || m.acts.Running() != 0 {
		t.Fatalf("job %+v", j)
	}
	if s := screen(m); !strings.Contains(s, "canceled") || strings.Contains(s, "⟳") {
		t.Fatalf("jobs page after cancel:\n%s", s)
	}
	if len(m.pages) != 2 {
		t.Fatalf("esc left the jobs page while it had a job to cancel (%d pages)", len(m.pages))
	}
	_ = jobs.Interval
}

func TestActionKeysOnlyOnImages(t *testing.T) {
	n := newActNode()
	m := startActs(t, n, 120, 30)
	m = keys(t, m, ":")
	m = typed(t, m, "containers")
	m = keys(t, m, "enter", "p")
	if hasDialog(m) {
		t.Fatal("p on the containers page opened the pull prompt")
	}
}

// hasDialog reports whether a dialog is open.
func hasDialog(m Model) bool {
	_, ok := m.acts.Dialog()
	return ok
}

// dialogTitled reports whether the open dialog's title starts with prefix:
// which question is asked.
func dialogTitled(m Model, prefix string) bool {
	d, ok := m.acts.Dialog()
	return ok && strings.HasPrefix(d.Title(), prefix)
}
