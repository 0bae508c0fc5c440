package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// Deadlines, not durations: every wait returns as soon as the screen (or
// the exit) is there. They are generous so that a loaded machine, where a
// daemon's answer can take seconds, is not mistaken for a bug.
const (
	screenWait = 45 * time.Second
	exitWait   = 30 * time.Second
)

// runCtui runs the built binary to completion (for non-interactive commands)
// with env added to a clean environment.
func runCtui(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctuiBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run ctui %v: %v", args, err)
	}
	return string(out), code
}

// TestEndToEnd drives the built binary against real containerd daemons of
// both versions, seeded as `make demo` seeds them.
func TestEndToEnd(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if _, err := d.SeedDemo(ctx); err != nil {
				t.Fatalf("seed: %v\n%s", err, d.LogTail(20))
			}
			serverVersion := "1.6"
			if v == testbed.V2 {
				serverVersion = "2."
			}

			t.Run("version", func(t *testing.T) {
				out, code := runCtui(t, nil, "version", "-a", d.Socket)
				if code != 0 {
					t.Fatalf("exit %d:\n%s", code, out)
				}
				for _, want := range []string{"containerd address:", d.Socket, "flag --address", "server version:", serverVersion,
					"revision:", "runtime:", "containerd", "runtime API:", "v1"} {
					if !strings.Contains(out, want) {
						t.Errorf("ctui version lacks %q:\n%s", want, out)
					}
				}
				// The environment works as well as the flag, and says so.
				out, code = runCtui(t, d.Env(), "--version")
				if code != 0 || !strings.Contains(out, "env CONTAINERD_ADDRESS") || !strings.Contains(out, "env CONTAINER_RUNTIME_ENDPOINT") {
					t.Errorf("ctui --version from env: exit %d:\n%s", code, out)
				}
			})

			t.Run("first screen", func(t *testing.T) {
				s := startScreen(t, 80, 24, d.Env())
				// The header's versions come in their own reply, before or
				// after the rows.
				txt := s.waitFor(screenWait, "localhost/test/busybox:latest", "localhost/test/busybox:pause", "default", serverVersion)
				// Sizes arrive from the background: ctr's size of the test
				// image is about 1 MiB.
				s.waitFor(screenWait, "MiB")
				for i, line := range strings.Split(txt, "\n") {
					if len([]rune(line)) > 80 {
						t.Errorf("line %d is wider than the terminal: %q", i, line)
					}
				}
				s.keys("q")
				if code := s.waitExit(exitWait); code != 0 {
					t.Errorf("q: exit %d", code)
				}
			})

			t.Run("namespace flag", func(t *testing.T) {
				s := startScreen(t, 100, 30, d.Env(), "--namespace", testbed.DemoNamespace)
				s.waitFor(screenWait, "localhost/example/app:v1", "docker.io/library/busybox:1.36", testbed.DemoNamespace)
				s.keys("C-c")
				if code := s.waitExit(exitWait); code != 0 {
					t.Errorf("ctrl-c: exit %d", code)
				}
			})

			// Last: it takes the daemon away and brings it back.
			defer t.Run("daemon restarts under ctui", func(t *testing.T) {
				s := startScreen(t, 100, 30, d.Env())
				s.waitFor(screenWait, "localhost/test/busybox:pause")
				if err := d.Pause(); err != nil {
					t.Fatal(err)
				}
				s.waitFor(screenWait, "connection lost")
				if err := d.Resume(ctx); err != nil {
					t.Fatalf("resume: %v\n%s", err, d.LogTail(20))
				}
				s.waitGone(screenWait, "connection lost")
				s.waitFor(screenWait, "localhost/test/busybox:pause")
				s.keys("q")
				if code := s.waitExit(exitWait); code != 0 {
					t.Errorf("q after the restart: exit %d", code)
				}
			})

			t.Run("permission denied", func(t *testing.T) {
				// The daemon's socket is root's (mode 0660 or stricter):
				// as nobody, ctui must say so before any RPC and exit 1.
				cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ctuiBin, "version", "-a", d.Socket)
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/nonexistent"}
				out, err := cmd.CombinedOutput()
				ee, ok := err.(*exec.ExitError)
				if !ok || ee.ExitCode() != 1 {
					t.Fatalf("want exit 1, got %v:\n%s", err, out)
				}
				for _, want := range []string{"permission denied", d.Socket, "root"} {
					if !strings.Contains(string(out), want) {
						t.Errorf("output lacks %q:\n%s", want, out)
					}
				}
			})
		})
	}
}

// TestEndToEndCRIDisabled: a containerd without its CRI plugin still shows
// its images; the CRI side says why it is missing.
func TestEndToEndCRIDisabled(t *testing.T) {
	t.Parallel()
	d := testbed.Start(t, testbed.V16, testbed.WithoutCRI())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.ImportTestImages(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	out, code := runCtui(t, d.Env(), "version")
	if code != 0 || !strings.Contains(out, "server version:") || !strings.Contains(out, "does not serve the CRI API") {
		t.Errorf("ctui version with CRI disabled: exit %d:\n%s", code, out)
	}
	s := startScreen(t, 80, 24, d.Env())
	s.waitFor(screenWait, "localhost/test/busybox:latest", "CRI")
	s.keys("q")
	s.waitExit(exitWait)
}

// TestEndToEndNoSocket: nothing listening anywhere is a sentence, not a hang
// or a stack, and exit status 1.
func TestEndToEndNoSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := dir + "/containerd.sock"
	start := time.Now()
	out, code := runCtui(t, nil, "-a", missing)
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(out, missing) || !strings.Contains(out, "does not exist") {
		t.Errorf("output does not name the missing socket:\n%s", out)
	}
	if strings.Contains(out, "goroutine") || strings.Contains(out, "panic") {
		t.Errorf("a Go stack reached the operator:\n%s", out)
	}
	if time.Since(start) > testclock.Generous {
		t.Errorf("a missing socket took %s to report", time.Since(start))
	}
	// A bad command line is exit 2.
	if _, code := runCtui(t, nil, "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if _, code := runCtui(t, nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
