package cmdlog

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

func TestEntriesNeverHoldASecret(t *testing.T) {
	cfg := backend.Config{Address: "/run/k3s/containerd/containerd.sock", RuntimeEndpoint: "unix:///run/k3s/containerd/containerd.sock"}
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	var l Log
	l.Add(FromJob(backend.Job{Action: backend.PullOptions{Ref: "127.0.0.1:5000/app:v1", Registry: backend.RegistryOptions{Creds: "alice:Sup3r"}},
		Namespace: "k8s.io", Via: "containerd", Started: at, Finished: at.Add(time.Second)}, cfg))
	l.Add(FromJob(backend.Job{Action: backend.CRIPullOptions{Ref: "127.0.0.1:5000/app:v1", Creds: "alice:Sup3r"},
		Namespace: "k8s.io", Via: "CRI", Started: at, Finished: at.Add(time.Second), Err: backend.Errorf(backend.ErrAuth, "127.0.0.1:5000 refused the credentials")}, cfg))
	l.Add(FromJob(backend.Job{Action: backend.RemoveOptions{Refs: []string{"a"}, Sync: true}, Namespace: "default", Started: at, Finished: at,
		Err: backend.Errorf(backend.ErrCanceled, "remove a: canceled")}, cfg))
	es := l.Entries()
	if len(es) != 3 || es[0].Outcome != Canceled || es[1].Outcome != Failed || es[2].Outcome != OK {
		t.Fatalf("entries %+v", es)
	}
	if es[2].Command != "ctr --address /run/k3s/containerd/containerd.sock --namespace k8s.io images pull --hosts-dir /etc/containerd/certs.d --user alice 127.0.0.1:5000/app:v1" {
		t.Errorf("pull command %q", es[2].Command)
	}
	if !strings.Contains(es[1].Command, "crictl") || !strings.Contains(es[1].Command, "<password>") {
		t.Errorf("CRI command %q", es[1].Command)
	}
	st := theme.New(theme.Options{NoColor: true})
	var p page.Page
	p, _ = New(Config{Styles: st, Entries: es})
	p, _ = p.Update(page.SizeMsg{Width: 100, Height: 12})
	screen := p.View()
	for i := range 3 {
		p, _ = p.Update(uitest.Press("enter"))
		screen += p.View()
		p, _ = p.Update(uitest.Press("esc"))
		p, _ = p.Update(uitest.Press("j"))
		_ = i
	}
	if strings.Contains(screen, "Sup3r") {
		t.Fatalf("a password reached the screen:\n%s", screen)
	}
	if s := ansi.Strip(screen); !strings.Contains(s, "refused the credentials") || !strings.Contains(s, "images rm --sync a") {
		t.Errorf("log pages:\n%s", s)
	}
}

func TestDetailFits(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	e := Entry{Seq: 1, Kind: backend.ActionExport, Subject: strings.Repeat("x", 300), Command: "ctr images export " + strings.Repeat("/very/long/path", 20), Error: strings.Repeat("word ", 100)}
	for _, w := range []int{0, 1, 9, 30, 120} {
		for _, l := range strings.Split(Detail(st, e, w, 30), "\n") {
			if ansi.StringWidth(l) > w {
				t.Errorf("width %d: %q", w, l)
			}
		}
	}
	s := strings.ReplaceAll(ansi.Strip(Detail(st, e, 60, 60)), "\n"+strings.Repeat(" ", 12), "")
	if !strings.Contains(s, strings.Repeat("/very/long/path", 20)) {
		t.Errorf("the command line is not whole:\n%s", s)
	}
}
