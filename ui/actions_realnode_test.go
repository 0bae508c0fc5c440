package ui

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/jobs"
)

// TestImageActionsOnRealDaemons drives the root model's keys and commands
// against containerd 1.6 and 2.x and Debian's registry on loopback: a pull
// from an htpasswd registry through the password dialog, a tag that shows as
// a row, an export imported into another namespace, a remove confirmed in
// its dialog, and a pull of a big image canceled from the jobs page that
// leaves no image, lease or ingest behind.
func TestImageActionsOnRealDaemons(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons and registries")
	}
	const password = "ui-Secret-Pw"
	plain := testreg.New(t, testreg.Options{})
	auth := testreg.New(t, testreg.Options{User: "alice", Password: password})
	bigTar := filepath.Join(t.TempDir(), "big.tar")
	const bigLocal = "localhost/test/uibig:v1"
	if err := testbed.WriteSizedImage(bigTar, bigLocal, 4, 32<<20); err != nil {
		t.Fatal(err)
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			repo := "ui" + strings.NewReplacer(".", "", "x", "").Replace(string(v))
			testActionsOnDaemon(t, v, repo, plain, auth, password, bigTar, bigLocal)
		})
	}
}

// slowProxy serves the registry at target with blob downloads throttled
// to about 8 MiB/s, and returns its host:port.
func slowProxy(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodGet && strings.Contains(r.Request.URL.Path, "/blobs/") {
			r.Body = slowBody{r.Body}
		}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

type slowBody struct{ io.ReadCloser }

func (b slowBody) Read(p []byte) (int, error) {
	time.Sleep(8 * time.Millisecond)
	return b.ReadCloser.Read(p[:min(len(p), 64<<10)])
}

// driver runs the real root model with bubbletea's loop semantics.
type driver struct {
	t    *testing.T
	m    Model
	loop *uitest.Loop
	seen jobs.ID // the newest job when the step began
}

func (d *driver) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		tm, cmd := d.m.Update(msg)
		d.m = tm.(Model)
		d.loop.Run(cmd)
	}
}

func (d *driver) keys(ks ...string) {
	for _, k := range ks {
		d.send(uitest.Press(k))
	}
}

func (d *driver) command(line string) {
	d.keys(":")
	d.send(uitest.Type(line)...)
	d.keys("enter")
}

func (d *driver) until(what string, timeout time.Duration, done func(Model) bool) {
	d.t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for !done(d.m) {
		msg, ok := d.loop.Next(time.Until(deadline))
		if !ok {
			d.t.Fatalf("%s: not after %v; flash %q; screen:\n%s", what, timeout, d.m.flash.Text(), screen(d.m))
		}
		if _, quit := msg.(tea.QuitMsg); quit {
			continue
		}
		d.send(msg)
	}
}

// shows waits until s is on the screen above the status line (where the
// flash may name it before the list does).
func (d *driver) shows(what string, s string) {
	d.t.Helper()
	d.until(what, 30*time.Second, func(m Model) bool { return strings.Contains(body(m), s) })
}

func body(m Model) string {
	s := screen(m)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// mark remembers the newest job, so that idle waits for a newer one.
func (d *driver) mark() { d.seen = d.newest() }

func (d *driver) newest() jobs.ID {
	if js := d.m.acts.Jobs(); len(js) > 0 {
		return js[0].ID
	}
	return 0
}

// idle waits until a job newer than the mark ran and no dialog is open.
func (d *driver) idle(what string) jobs.Job {
	d.t.Helper()
	d.until(what, 2*time.Minute, func(m Model) bool {
		js := m.acts.Jobs()
		return len(js) > 0 && js[0].ID > d.seen && !js[0].Running() && !hasDialog(m)
	})
	d.mark()
	return d.m.acts.Jobs()[0]
}

func testActionsOnDaemon(t *testing.T, v testbed.Version, repo string, plain, auth *testreg.Registry, password, bigTar, bigLocal string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dm := testbed.Start(t, v)
	ctr := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, dm.CtrPath, append([]string{"--address", dm.Socket}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ctr %s: %v: %s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return string(out)
	}
	list := func(args ...string) []string {
		out := strings.Fields(ctr(args...))
		sort.Strings(out)
		return out
	}

	// Seed with the registry's own client and ctr, not with ctui.
	tinyRef := auth.Ref(repo+"/tiny", "v1")
	if _, err := auth.PushTiny(ctx, repo+"/tiny", "v1", "ui "+string(v)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(bigTar)
	if err != nil {
		t.Fatal(err)
	}
	_, err = dm.ImportTar(ctx, "seed", f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	seedRef := plain.Ref(repo+"/big", "v1")
	ctr("-n", "seed", "images", "tag", bigLocal, seedRef)
	ctr("-n", "seed", "images", "push", "--plain-http", seedRef)
	ctr("-n", "seed", "images", "rm", "--sync", bigLocal, seedRef)
	// Pulled through a proxy at 8 MiB/s, the big image takes long enough
	// to be canceled mid-layer on any machine.
	bigRef := slowProxy(t, plain.URL) + "/" + repo + "/big:v1"
	ctr("namespaces", "create", "imp")

	cfg := backend.Config{Address: dm.Socket, RuntimeEndpoint: dm.Endpoint, Namespace: "default", Timeout: 10 * time.Second}
	b := bothAPIs(ctx, t, cfg)
	// Registry config isolated from the host's: no certs.d, no
	// registries.yaml, no docker config.
	reg := backend.RegistryOptions{HostsDirs: []string{}, RegistriesYAML: []string{}, DockerConfig: "-"}
	d := &driver{t: t, m: New(ctx, b, Options{NoColor: true, Registry: reg}), loop: uitest.NewLoop(t)}
	d.send(tea.WindowSizeMsg{Width: 180, Height: 40})
	d.loop.Run(d.m.Init())
	d.until("first list", 30*time.Second, func(m Model) bool { return strings.Contains(screen(m), "images 0") })

	step := func(name string, fn func()) {
		start := time.Now()
		fn()
		t.Logf("containerd %s: %-22s %v", v, name, time.Since(start).Round(time.Millisecond))
	}

	step("pull with password", func() {
		d.command("pull " + tinyRef)
		d.until("login dialog", time.Minute, func(m Model) bool { return dialogTitled(m, "log in to ") })
		if s := screen(d.m); !strings.Contains(s, "log in to "+auth.Host) || !strings.Contains(s, "requires credentials") {
			t.Fatalf("login dialog:\n%s", s)
		}
		d.send(uitest.Type("alice")...)
		d.keys("down")
		d.send(uitest.Type(password)...)
		d.keys("enter")
		if j := d.idle("pull after login"); j.Err != nil {
			t.Fatalf("pull after login: %v", j.Err)
		}
		d.shows("pulled row", tinyRef)
		if got := list("images", "ls", "-q"); !slices.Contains(got, tinyRef) {
			t.Fatalf("ctr does not list the pull: %v", got)
		}
	})

	step("tag", func() {
		d.keys("/")
		d.send(uitest.Type("tiny")...)
		d.keys("enter", "t", "ctrl+u")
		d.send(uitest.Type("localhost/ui/tagged:v1")...)
		d.keys("enter")
		if j := d.idle("tag"); j.Err != nil || j.Action.Kind() != backend.ActionTag {
			t.Fatalf("tag: %s %v", j.Title(), j.Err)
		}
		d.keys("esc") // the filter
		d.shows("tagged row", "localhost/ui/tagged:v1")
		if got := list("images", "ls", "-q"); !slices.Contains(got, "localhost/ui/tagged:v1") {
			t.Fatalf("ctr does not list the tag: %v", got)
		}
	})

	tarPath := filepath.Join(t.TempDir(), "tagged.tar")
	step("export", func() {
		d.keys("/")
		d.send(uitest.Type("tagged")...)
		d.keys("enter")
		d.shows("filtered", "localhost/ui/tagged:v1")
		d.command("export " + tarPath)
		if j := d.idle("export"); j.Err != nil {
			t.Fatalf("export: %v", j.Err)
		}
		d.keys("esc")
		if fi, err := os.Stat(tarPath); err != nil || fi.Size() == 0 {
			t.Fatalf("exported tar: %v", err)
		}
	})

	step("import elsewhere", func() {
		d.command("ns imp")
		d.until("namespace imp", 30*time.Second, func(m Model) bool { return m.ns == "imp" && strings.Contains(body(m), "no rows") })
		d.command("import " + tarPath)
		if j := d.idle("import"); j.Err != nil {
			t.Fatalf("import: %v", j.Err)
		}
		d.shows("imported row", "localhost/ui/tagged:v1")
		if got := list("-n", "imp", "images", "ls", "-q"); !slices.Contains(got, "localhost/ui/tagged:v1") {
			t.Fatalf("ctr does not list the import: %v", got)
		}
	})

	step("remove", func() {
		d.keys("ctrl+d")
		d.until("remove question", 30*time.Second, func(m Model) bool { return dialogTitled(m, "remove ") })
		if s := screen(d.m); !strings.Contains(s, "no container uses them") || !strings.Contains(s, "[ Remove ]") {
			t.Fatalf("remove question:\n%s", s)
		}
		d.keys("right", "enter")
		d.idle("remove")
		d.until("row gone", 30*time.Second, func(m Model) bool { return !strings.Contains(body(m), "tagged:v1") })
		if got := list("-n", "imp", "images", "ls", "-q"); len(got) != 0 {
			t.Fatalf("ctr still lists %v", got)
		}
	})

	step("cancel a big pull", func() {
		d.command("ns default")
		d.shows("back in default", "tagged:v1")
		state := func() [][]string {
			return [][]string{list("content", "ls", "-q"), list("leases", "ls", "-q"), list("images", "ls", "-q"), list("content", "active")}
		}
		before := state()
		d.command("pull " + bigRef)
		d.until("bytes moving", time.Minute, func(m Model) bool {
			js := m.acts.Jobs()
			return len(js) > 0 && js[0].Progress.Done > 0
		})
		d.command("jobs")
		d.shows("jobs page", "OUTCOME")
		d.keys("esc")
		j := d.idle("canceled pull")
		if !j.Canceled() {
			t.Fatalf("the pull ended %v (progress %d of %d), not canceled", j.Err, j.Progress.Done, j.Progress.Total)
		}
		d.shows("canceled outcome", "canceled")
		after := state()
		for i, what := range []string{"content", "leases", "images", "ingests"} {
			if strings.Join(before[i], " ") != strings.Join(after[i], " ") {
				t.Errorf("%s changed by the canceled pull:\nbefore %v\nafter  %v", what, before[i], after[i])
			}
		}
	})

	for _, e := range d.m.acts.Entries() {
		if strings.Contains(e.Command+e.Error+e.Note, password) {
			t.Fatalf("the password reached the command log: %+v", e)
		}
		t.Logf("log: %-8s %s", e.Outcome, e.Command)
	}
}
