package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// TestEndToEndSSHImages drives the built binary over ssh:// (a user with
// sudo on the loopback sshd in front of containerd 1.6 and 2.x): a pull from
// a registry with a password, through the dialog, with its progress on the
// jobs page, that ctr on the node lists; and an export of it to a file on
// this machine that ctr imports with the same digest. The walk's helpers are
// TestEndToEndImages's.
func TestEndToEndSSHImages(t *testing.T) {
	const user, password = "bob", "e2e-ssh-Pw-51x"
	reg := testreg.New(t, testreg.Options{User: user, Password: password})
	hostsDir := t.TempDir()
	if _, err := testreg.WriteHostsTOML(hostsDir, reg.Host, reg.HostsTOML("")); err != nil {
		t.Fatal(err)
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			e := &imagesE2E{t: t, v: v, reg: reg, hostsDir: hostsDir, user: user, password: password,
				repo: "e2essh" + strings.NewReplacer(".", "", "x", "").Replace(string(v))}
			var cancel context.CancelFunc
			e.ctx, cancel = context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			e.d = testbed.Start(t, v)
			e.dir = t.TempDir()
			if err := e.d.ImportTestImages(e.ctx, "default"); err != nil {
				t.Fatal(err)
			}
			sshd := testbed.StartSSHD(t, e.d.Socket)
			tinyRef := e.reg.Ref(e.repo+"/tiny", "v1")
			if _, err := e.reg.PushTiny(e.ctx, e.repo+"/tiny", "v1", "e2e ssh "+string(v)); err != nil {
				t.Fatal(err)
			}
			env := []string{"CTUI_SSH=" + sshd.SSHCommand, "CONTAINERD_ADDRESS=" + sshd.Endpoint(sshd.User, "", true), "HOME=" + e.dir}
			e.s = startScreen(t, 120, 36, env, "--hosts-dir", e.hostsDir)
			s := e.s
			// The header names the socket autodetected on the node (the
			// test daemon's own is under /tmp here): the list came over ssh.
			// Only its directory is asked for: at 120 columns the header
			// cuts the path's end when the port and the version are long.
			s.waitFor(screenWait, testbed.BusyboxImage, testbed.PauseImage, "ssh://"+sshd.User+"@"+sshd.Addr()+"/run/containerd/")

			e.step("pull over ssh with a password", func() {
				s.keys("p")
				s.waitFor(screenWait, "pull an image", "reference")
				e.answer(tinyRef)
				s.waitFor(screenWait, "log in to "+e.reg.Host, "password")
				s.typeText(e.user)
				s.keys("Down")
				s.typeText(e.password)
				s.keys("Enter")
				e.waitRow(tinyRef, false)
				if got := e.refs("default"); !slices.Contains(got, tinyRef) {
					t.Fatalf("ctr on the node does not list the pull: %v", got)
				}
				s.sendBytes(":jobs\r") // in one write
				s.waitFor(screenWait, "pull", tinyRef, "done in")
				// Its progress, blob by blob, as ctr pull shows it.
				s.keys("Enter")
				txt := s.waitFor(screenWait, ": pull "+tinyRef, "progress", "100%", "ITEM", "BYTES", "layer", "manifest")
				t.Logf("the pull's job over ssh:\n%s", txt)
				s.keys("Escape")
				s.keys("Escape")
				s.waitFor(screenWait, testbed.BusyboxImage)
			})

			exported := filepath.Join(e.dir, "tiny.tar")
			e.step("export over ssh to a local file", func() {
				e.filter("tiny")
				s.keys("e")
				s.waitFor(screenWait, "export "+tinyRef, "path")
				e.answer(exported)
				waitUntil(t, screenWait, "the export's file", func() bool { _, err := os.Stat(exported); return err == nil })
				e.ctr("-n", "fromssh", "images", "import", exported)
				if got, want := e.digest("fromssh", tinyRef), e.digest("default", tinyRef); got == "" || got != want {
					t.Fatalf("ctr imported %s as %q, want %q", tinyRef, got, want)
				}
			})
			s.keys("q")
			if code := s.waitExit(exitWait); code != 0 {
				t.Errorf("q: exit %d", code)
			}
		})
	}
}
