package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// TestEndToEndImages drives the image actions of the built binary in a real
// terminal against containerd 1.6 and 2.x and Debian's registry on loopback
// with htpasswd auth, configured as an operator would: a certs.d directory
// passed with --hosts-dir. Every result is checked with ctr (or the
// registry's own API), not with ctui: pull through the password dialog, tag
// (asking before a name is moved), export imported by ctr in another
// namespace with the same digest, import of ctr's export, push, remove
// (naming the container that uses the image, Cancel first), export of marked
// rows, :jobs, :log without the password, a bad reference, a truncated tar
// and --readonly.
func TestEndToEndImages(t *testing.T) {
	const user, password = "alice", "e2e-Pw-7f3kq9"
	reg := testreg.New(t, testreg.Options{User: user, Password: password})
	hostsDir := t.TempDir()
	if _, err := testreg.WriteHostsTOML(hostsDir, reg.Host, reg.HostsTOML("")); err != nil {
		t.Fatal(err)
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			e := &imagesE2E{t: t, v: v, reg: reg, hostsDir: hostsDir, user: user, password: password,
				repo: "e2e" + strings.NewReplacer(".", "", "x", "").Replace(string(v))}
			e.run()
		})
	}
}

// imagesE2E is one version's walk: its daemon, the shared registry and the
// screen.
type imagesE2E struct {
	t              *testing.T
	v              testbed.Version
	d              *testbed.Daemon
	reg            *testreg.Registry
	hostsDir       string
	user, password string
	repo           string // this version's repositories on the registry start with it
	ctx            context.Context
	s              *screen
	dir            string // tars
}

// ctr runs the daemon's ctr and returns its standard output (ctr 2.x
// warns on stderr about cgroup v1); an error fails the test.
func (e *imagesE2E) ctr(args ...string) string {
	e.t.Helper()
	cmd := exec.CommandContext(e.ctx, e.d.CtrPath, append([]string{"--address", e.d.Socket}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("ctr %s: %v: %s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// refs is `ctr -n ns images ls -q`.
func (e *imagesE2E) refs(ns string) []string {
	e.t.Helper()
	return strings.Fields(e.ctr("-n", ns, "images", "ls", "-q"))
}

// digest is the digest ctr lists for ref in ns ("" when it has none).
func (e *imagesE2E) digest(ns, ref string) string {
	e.t.Helper()
	for _, line := range strings.Split(e.ctr("-n", ns, "images", "ls"), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == ref {
			return f[2]
		}
	}
	return ""
}

// secretFree fails when the password is on the screen.
func (e *imagesE2E) secretFree(txt string) {
	e.t.Helper()
	if strings.Contains(txt, e.password) {
		e.t.Fatalf("the password is on the screen:\n%s", txt)
	}
}

// filter leaves only rows matching text, the cursor on the first. The
// filter line is edited rather than left with esc: an esc followed at once
// by a key reaches the program as alt+key, as over a slow terminal.
func (e *imagesE2E) filter(text string) {
	e.t.Helper()
	e.s.keys("/", "C-u")
	e.s.typeText(text)
	e.s.keys("Enter")
	e.s.waitFor(screenWait, "/"+text+"  (esc clears)")
}

// unfilter shows every row again.
func (e *imagesE2E) unfilter() {
	e.t.Helper()
	e.s.keys("/", "C-u", "Enter")
	e.s.waitGone(screenWait, "(esc clears)")
}

// escape presses esc and waits until what it closes is gone, so that the
// next key is not read as alt+key.
func (e *imagesE2E) escape(gone string) {
	e.t.Helper()
	e.s.keys("Escape")
	e.s.waitGone(screenWait, gone)
}

// hasRow reports whether the list on the screen has a row for ref (a row
// starts with its mark column, then REF), leaving aside the dialogs and the
// flash line that may name it too.
func hasRow(txt, ref string) bool {
	for _, line := range strings.Split(txt, "\n") {
		if strings.HasPrefix(line, " "+ref+" ") || strings.HasPrefix(line, "*"+ref+" ") {
			return true
		}
	}
	return false
}

// waitRow waits until the list has a row for ref (gone: has none).
func (e *imagesE2E) waitRow(ref string, gone bool) {
	e.t.Helper()
	deadline := time.Now().Add(screenWait)
	var status []string // the bottom lines seen: the job's flashes
	for {
		txt := e.s.text()
		if hasRow(txt, ref) != gone {
			return
		}
		lines := strings.Split(strings.TrimRight(txt, "\n"), "\n")
		for _, l := range lines[max(len(lines)-2, 0):] {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(status, l) {
				status = append(status, l)
			}
		}
		if time.Now().After(deadline) {
			// What the daemon holds tells a missed live update from an
			// action that never happened, and the flash lines what the
			// job said (they go after a few seconds).
			e.t.Fatalf("after %s the list still %s a row %s:\n%s\nctr -n default images ls -q: %q\nbottom lines seen meanwhile:\n%s", screenWait,
				map[bool]string{true: "has", false: "lacks"}[gone], ref, txt, e.refs("default"), strings.Join(status, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// command runs a : command.
func (e *imagesE2E) command(line string) {
	e.t.Helper()
	e.s.keys(":")
	e.s.typeText(line)
	e.s.keys("Enter")
}

// answer clears the dialog's focused input and types text, then enter.
func (e *imagesE2E) answer(text string) {
	e.t.Helper()
	e.s.keys("C-u")
	e.s.typeText(text)
	e.s.keys("Enter")
}

func (e *imagesE2E) step(name string, fn func()) {
	e.t.Helper()
	start := time.Now()
	fn()
	e.secretFree(e.s.text())
	e.t.Logf("containerd %s: %-26s %v", e.v, name, time.Since(start).Round(time.Millisecond))
}

func (e *imagesE2E) run() {
	t := e.t
	var cancel context.CancelFunc
	e.ctx, cancel = context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e.d = testbed.Start(t, e.v)
	e.dir = t.TempDir()
	if err := e.d.ImportTestImages(e.ctx, "default"); err != nil {
		t.Fatal(err)
	}
	// Seeded with the registry's own client and ctr, not with ctui.
	tinyRef := e.reg.Ref(e.repo+"/tiny", "v1")
	if _, err := e.reg.PushTiny(e.ctx, e.repo+"/tiny", "v1", "e2e "+string(e.v)); err != nil {
		t.Fatal(err)
	}
	const fromCtr, tagged = "localhost/e2e/fromctr:v1", "localhost/e2e/tagged:v1"
	ctrTar := filepath.Join(e.dir, "fromctr.tar")
	e.ctr("images", "tag", testbed.PauseImage, fromCtr)
	e.ctr("images", "export", ctrTar, fromCtr)
	e.ctr("images", "rm", fromCtr)

	e.s = startScreen(t, 120, 36, append(e.d.Env(), "HOME="+e.dir), "--hosts-dir", e.hostsDir)
	s := e.s
	s.waitFor(screenWait, testbed.BusyboxImage, "images 2")

	e.step("pull with a password", func() {
		s.keys("p")
		s.waitFor(screenWait, "pull an image", "reference")
		e.answer(tinyRef)
		s.waitFor(screenWait, "log in to "+e.reg.Host, "password")
		s.typeText(e.user)
		s.keys("Down")
		s.typeText(e.password)
		e.secretFree(s.waitFor(screenWait, strings.Repeat("•", len(e.password))))
		s.keys("Enter")
		e.waitRow(tinyRef, false)
		if got := e.refs("default"); !slices.Contains(got, tinyRef) {
			t.Fatalf("ctr does not list the pull: %v", got)
		}
	})

	e.step("tag", func() {
		e.filter("tiny")
		s.keys("t")
		s.waitFor(screenWait, "tag "+tinyRef, "new name")
		e.answer(tagged)
		e.unfilter()
		e.waitRow(tagged, false)
		if got, want := e.digest("default", tagged), e.digest("default", tinyRef); got == "" || got != want {
			t.Fatalf("ctr: %s is %q, want %s's %q", tagged, got, tinyRef, want)
		}
	})

	e.step("tag onto an existing name", func() {
		before := e.digest("default", tagged)
		e.filter("busybox:latest")
		s.keys("t")
		s.waitFor(screenWait, "tag "+testbed.BusyboxImage)
		e.answer(tagged)
		s.waitFor(screenWait, "replace "+tagged+"?", "[ Cancel ]", "[ Replace ]")
		s.keys("Enter") // Cancel is the default
		s.waitGone(screenWait, "replace "+tagged+"?")
		if got := e.digest("default", tagged); got != before {
			t.Fatalf("Cancel moved %s: %s -> %s", tagged, before, got)
		}
		s.keys("t")
		s.waitFor(screenWait, "tag "+testbed.BusyboxImage)
		e.answer(tagged)
		s.waitFor(screenWait, "replace "+tagged+"?")
		s.keys("Right", "Enter")
		s.waitGone(screenWait, "replace "+tagged+"?")
		want := e.digest("default", testbed.BusyboxImage)
		waitUntil(t, screenWait, "ctr sees the replaced tag", func() bool { return e.digest("default", tagged) == want })
	})

	exported := filepath.Join(e.dir, "tiny.tar")
	e.step("export, imported by ctr", func() {
		e.filter("tiny")
		s.keys("e")
		s.waitFor(screenWait, "export "+tinyRef, "path")
		e.answer(exported)
		waitUntil(t, screenWait, "the export's file", func() bool { _, err := os.Stat(exported); return err == nil })
		e.ctr("-n", "fromctui", "images", "import", exported)
		if got, want := e.digest("fromctui", tinyRef), e.digest("default", tinyRef); got == "" || got != want {
			t.Fatalf("ctr imported %s as %q, want %q", tinyRef, got, want)
		}
	})

	e.step("import of ctr's export", func() {
		e.unfilter()
		s.keys("i")
		s.waitFor(screenWait, "import images into namespace default", "path")
		e.answer(ctrTar)
		e.waitRow(fromCtr, false)
		if got, want := e.digest("default", fromCtr), e.digest("default", testbed.PauseImage); got == "" || got != want {
			t.Fatalf("ctr: %s is %q after the import, want %q", fromCtr, got, want)
		}
	})

	pushed := e.reg.Ref(e.repo+"/pushed", "v1")
	e.step("push", func() {
		e.filter("fromctr")
		s.keys("P")
		s.waitFor(screenWait, "push "+fromCtr, "remote")
		e.answer(pushed) // the session's login for the registry is used again
		want := e.digest("default", fromCtr)
		waitUntil(t, screenWait, "the pushed manifest on the registry", func() bool {
			got, err := manifestDigest(e.ctx, e.reg, e.repo+"/pushed", "v1")
			return err == nil && got == want
		})
		if tags, err := catalogTags(e.ctx, e.reg, e.repo+"/pushed"); err != nil || !slices.Contains(tags, "v1") {
			t.Fatalf("registry tags of %s/pushed: %v %v", e.repo, tags, err)
		}
	})

	user := "e2e-user-" + e.repo
	e.step("remove, Cancel then Remove", func() {
		e.ctr("containers", "create", fromCtr, user)
		e.waitRow(fromCtr, false)
		s.keys("C-d")
		s.waitFor(screenWait, "remove "+fromCtr+" from namespace default?", user, "[ Cancel ]", "[ Remove ]")
		s.keys("Enter") // Cancel is the default
		s.waitGone(screenWait, "[ Remove ]")
		if !slices.Contains(e.refs("default"), fromCtr) {
			t.Fatal("Cancel removed the image")
		}
		s.keys("C-d")
		s.waitFor(screenWait, "[ Remove ]")
		s.keys("Right", "Enter")
		e.waitRow(fromCtr, true)
		if slices.Contains(e.refs("default"), fromCtr) {
			t.Fatal("ctr still lists the removed image")
		}
	})

	marked := filepath.Join(e.dir, "marked.tar")
	e.step("marks, export of two", func() {
		e.filter("busybox")
		s.waitFor(screenWait, testbed.BusyboxImage, testbed.PauseImage)
		s.keys("Space", "Space")
		txt := s.waitFor(screenWait, "*"+testbed.BusyboxImage, "*"+testbed.PauseImage)
		if !hasRow(txt, "*"+testbed.BusyboxImage) && !hasRow(txt, testbed.BusyboxImage) {
			t.Fatalf("marked rows:\n%s", txt)
		}
		s.keys("e")
		s.waitFor(screenWait, "export 2 images to one tar")
		e.answer(marked)
		waitUntil(t, screenWait, "the export of the marked images", func() bool { _, err := os.Stat(marked); return err == nil })
		e.ctr("-n", "marks", "images", "import", marked)
		got := e.refs("marks")
		if !slices.Contains(got, testbed.BusyboxImage) || !slices.Contains(got, testbed.PauseImage) || len(got) != 2 {
			t.Fatalf("ctr imported %v from the marked export", got)
		}
		e.unfilter()
	})

	e.step("bad reference", func() {
		s.keys("p")
		s.waitFor(screenWait, "pull an image")
		e.answer("Not//A:Ref::")
		s.waitFor(screenWait, "is not a valid image reference")
		e.escape("pull an image")
		// A well-formed name the registry does not have.
		missing := e.reg.Ref(e.repo+"/missing", "v1")
		s.keys("p")
		s.waitFor(screenWait, "pull an image")
		e.answer(missing)
		txt := s.waitFor(screenWait, "not found")
		lines := strings.Split(strings.TrimRight(txt, "\n"), "\n")
		t.Logf("pull of a missing image: %s", lines[len(lines)-1])
		if slices.Contains(e.refs("default"), missing) {
			t.Fatalf("a failed pull left %s", missing)
		}
	})

	e.step("truncated tar", func() {
		state := func() string {
			return strings.Join([]string{e.ctr("images", "ls", "-q"), e.ctr("content", "ls", "-q"),
				e.ctr("leases", "ls", "-q"), e.ctr("content", "active")}, "--\n")
		}
		whole, err := os.ReadFile(ctrTar)
		if err != nil {
			t.Fatal(err)
		}
		cut := filepath.Join(e.dir, "cut.tar")
		if err := os.WriteFile(cut, whole[:len(whole)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		e.ctr("images", "rm", "--sync", testbed.PauseImage) // so that the cut tar has something new to bring
		before := state()
		s.keys("i")
		s.waitFor(screenWait, "import images into namespace default")
		e.answer(cut)
		s.waitFor(screenWait, "truncated")
		if after := state(); after != before {
			t.Fatalf("a failed import changed the store:\nbefore\n%s\nafter\n%s", before, after)
		}
	})

	e.step(":jobs", func() {
		e.command("jobs")
		txt := s.waitFor(screenWait, "OUTCOME", "done in", "failed")
		for _, kind := range []string{"pull", "tag", "export", "import", "push", "remove"} {
			if !strings.Contains(txt, kind) {
				t.Errorf(":jobs lacks a %s job:\n%s", kind, txt)
			}
		}
		e.escape("OUTCOME")
	})

	e.step(":log", func() {
		e.command("log")
		txt := s.waitFor(screenWait, "COMMAND", "ctr ", "images pull", "images tag", "images export", "images import", "images push", "images rm")
		if !strings.Contains(txt, "images pull --hosts-dir") {
			t.Errorf(":log lacks the pull's --hosts-dir:\n%s", txt)
		}
		// The whole command line of the pull that worked: the user typed
		// into the dialog, never the password, as ctr would be given them.
		e.filter("images pull")
		s.keys("j", "Enter") // newest first: the missing image, the pull, its first try
		txt = s.waitFor(screenWait, "outcome     ok", "command")
		if !strings.Contains(txt, "--user "+e.user) || !strings.Contains(txt, "--hosts-dir") {
			t.Errorf("the pull's command line lacks --user %s or --hosts-dir:\n%s", e.user, txt)
		}
		s.keys("Escape")
		s.waitFor(screenWait, "COMMAND")
		e.unfilter()
		e.escape("COMMAND")
	})
	s.keys("q")
	if code := s.waitExit(exitWait); code != 0 {
		t.Errorf("q: exit %d", code)
	}

	e.step("--readonly", func() {
		e.s = startScreen(t, 120, 30, e.d.Env(), "--readonly")
		s := e.s
		e.waitRow(testbed.BusyboxImage, false)
		e.filter("busybox:latest")
		// Every action key says why it does nothing; no dialog opens.
		bb := testbed.BusyboxImage
		for _, k := range []struct{ key, refused string }{
			{"p", "pull " + bb}, {"t", "tag " + bb}, {"i", "import a tar"}, {"e", "export " + bb}, {"P", "push " + bb}, {"C-d", "remove " + bb},
		} {
			s.keys(k.key)
			txt := s.waitFor(screenWait, k.refused+": ctui runs with --readonly, which allows no changes")
			if strings.Contains(txt, "esc cancel") {
				t.Fatalf("--readonly opened a dialog for %s:\n%s", k.key, txt)
			}
		}
		s.keys("q")
		s.waitExit(exitWait)
	})
}

// waitUntil polls cond until it holds.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: still no %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// manifestDigest is the digest the registry serves for repo:tag.
func manifestDigest(ctx context.Context, reg *testreg.Registry, repo, tag string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, reg.URL+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(reg.User, reg.Password)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json")
	resp, err := reg.Client().Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("manifest %s:%s: %s", repo, tag, resp.Status)
	}
	return resp.Header.Get("Docker-Content-Digest"), nil
}

// catalogTags lists repo's tags on the registry through its own API.
func catalogTags(ctx context.Context, reg *testreg.Registry, repo string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reg.URL+"/v2/"+repo+"/tags/list", nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(reg.User, reg.Password)
	resp, err := reg.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tags of %s: %s: %s", repo, resp.Status, body)
	}
	var tl struct{ Tags []string }
	if err := json.Unmarshal(body, &tl); err != nil {
		return nil, err
	}
	return tl.Tags, nil
}
