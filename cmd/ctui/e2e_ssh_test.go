package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// TestEndToEndSSH drives the built binary against containerd 1.6 and 2.x on
// a "remote" node: Debian's sshd on loopback in front of the daemon, with a
// login user that needs sudo for the socket. ssh is the system's, with the
// test's client config through CTUI_SSH.
func TestEndToEndSSH(t *testing.T) {
	testbed.EachSSHNode(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon, sshd *testbed.SSHD) {
		if _, err := d.SeedDemo(ctx); err != nil {
			t.Fatalf("seed: %v\n%s", err, d.LogTail(20))
		}
		sshEnv := []string{"CTUI_SSH=" + sshd.SSHCommand}
		// The user's endpoint: sudo on the node, socket autodetected.
		ep := sshd.Endpoint(sshd.User, "", true)
		serverVersion := "1.6"
		if d.Version == testbed.V2 {
			serverVersion = "2."
		}

		t.Run("version", func(t *testing.T) {
			out, code := runCtui(t, sshEnv, "version", "-a", ep)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			for _, want := range []string{"node:", ep, "flag --address", "containerd address:", "ssh://" + sshd.User + "@" + sshd.Addr() + "/run/containerd/containerd.sock",
				"autodetected on the node", "server version:", serverVersion, "runtime:", "containerd"} {
				if !strings.Contains(out, want) {
					t.Errorf("ctui version over ssh lacks %q:\n%s", want, out)
				}
			}
		})

		t.Run("failures are one sentence", func(t *testing.T) {
			for _, tc := range []struct {
				env  []string
				ep   string
				want []string
			}{
				{sshEnv, "ssh://root@no-such-node.invalid", []string{"does not resolve", "Could not resolve hostname"}},
				{[]string{"CTUI_SSH=" + sshd.WrongKeyCommand}, sshd.Endpoint("", "", false), []string{"refused the login as root", "Permission denied (publickey)"}},
				{[]string{"CTUI_SSH=" + sshd.WrongHostKeyCommand}, sshd.Endpoint("", "", false), []string{"host key", "known_hosts", "ssh: "}},
				{sshEnv, sshd.Endpoint("", "/run/none/containerd.sock", false), []string{"/run/none/containerd.sock does not exist on the node"}},
				{sshEnv, sshd.Endpoint(sshd.User, "", false), []string{"permission denied", "add ?sudo"}},
				{sshEnv, sshd.Endpoint(sshd.PasswordUser, "", true), []string{"asks for a password", "NOPASSWD"}},
			} {
				out, code := runCtui(t, tc.env, "-a", tc.ep)
				if code != 1 {
					t.Errorf("%s: exit %d, want 1:\n%s", tc.ep, code, out)
				}
				if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 || !strings.HasPrefix(out, "ctui: ") {
					t.Errorf("%s: want one line, got:\n%s", tc.ep, out)
				}
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s: output lacks %q:\n%s", tc.ep, w, out)
					}
				}
			}
			// ctui version names the failure under each API, and no
			// empty "chosen by:" where nothing chose an endpoint.
			out, code := runCtui(t, sshEnv, "version", "-a", "ssh://root@no-such-node.invalid")
			if code != 1 || strings.Count(out, "Could not resolve hostname") != 2 || regexp.MustCompile(`(?m)chosen by:\s*$`).MatchString(out) {
				t.Errorf("ctui version against a node that does not resolve: exit %d:\n%s", code, out)
			}
		})

		// A context names the node: sudo and readonly come with it.
		xdg := t.TempDir()
		if err := os.MkdirAll(xdg+"/ctui", 0o755); err != nil {
			t.Fatal(err)
		}
		noSudo := sshd.Endpoint(sshd.User, "", false)
		if err := os.WriteFile(xdg+"/ctui/config.yaml", []byte("contexts:\n  - name: node1\n    endpoint: "+noSudo+"\n    sudo: true\n    readonly: true\n"+
			"  - name: node1rt\n    endpoint: "+noSudo+"\n    runtime-endpoint: unix://"+d.Socket+"\n    sudo: true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctxEnv := append([]string{"XDG_CONFIG_HOME=" + xdg}, sshEnv...)

		t.Run("version and doctor with a context", func(t *testing.T) {
			out, code := runCtui(t, ctxEnv, "version", "--context", "node1")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			for _, want := range []string{"context:", "node1", ep, "context node1 (flag --context)", "server version:", serverVersion} {
				if !strings.Contains(out, want) {
					t.Errorf("ctui version --context lacks %q:\n%s", want, out)
				}
			}
			// A context's runtime endpoint names the socket on the node
			// (the test daemon's own path there), for both APIs.
			out, code = runCtui(t, ctxEnv, "version", "--context", "node1rt")
			rt := "ssh://" + sshd.User + "@" + sshd.Addr() + d.Socket
			if code != 0 || strings.Count(out, rt) != 2 || !strings.Contains(out, "chosen by:           context node1rt (flag --context)") ||
				!strings.Contains(out, "runtime:             containerd") {
				t.Errorf("ctui version --context with a runtime-endpoint: exit %d:\n%s", code, out)
			}
			// The doctor reads the node's files over the connection.
			out, code = runCtui(t, ctxEnv, "doctor", "--context", "node1", "--check", "containerd-config")
			if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(out, "found by --config on containerd's command line") {
				t.Errorf("ctui doctor --context over ssh: exit %d:\n%s", code, out)
			}
		})

		// Logs and exec on the node, as on the node itself: a CRI
		// pod's log followed (its file read over sftp on the same
		// connection), a native task's file:// log, and a shell in
		// the native task (its fifos made on the node) with stty size
		// after a resize and the exit code. Keys go in one write
		// (esc and a command, as typed fast over SSH) and key by key.
		t.Run("logs and native exec over ssh", func(t *testing.T) {
			s := startScreen(t, 100, 30, append([]string{"CONTAINERD_ADDRESS=" + ep}, sshEnv...))
			s.waitFor(screenWait, "busybox:latest")
			openPod(s, testbed.DemoLoggerPod)
			s.waitFor(screenWait, "pod default/"+testbed.DemoLoggerPod, "logger")
			s.keys("l")
			s.waitFor(screenWait, "web/logger", "following", "line ")
			s.sendBytes("\x1b:t\r") // esc, then :t, in one write
			s.waitFor(screenWait, "TASK", testbed.DemoTickerTask)
			filterTasks(s, testbed.DemoTickerTask)
			s.keys("l")
			s.waitFor(screenWait, "following", "tick ")
			s.keys("Escape")
			s.waitGone(screenWait, "following")
			shellRoundTrip(t, s, 90, 26, "TASK", testbed.DemoTickerTask)
			s.keys("q")
			if code := s.waitExit(exitWait); code != 0 {
				t.Errorf("q: exit %d", code)
			}
		})

		// A log followed across a dropped link: the panel shows, then
		// goes, and the log goes on with every line the task wrote
		// while the link was down (its "tick N" lines on screen have
		// no gap). The screen is tall so that the lines from before
		// the drop stay on it on a slow reconnect.
		t.Run("log followed across a dropped link", func(t *testing.T) {
			s := startScreen(t, 100, 70, append([]string{"CONTAINERD_ADDRESS=" + ep}, sshEnv...))
			s.waitFor(screenWait, "busybox:latest")
			filterTasks(s, testbed.DemoTickerTask)
			s.keys("l")
			before := lastTick(s.waitFor(screenWait, "following", "tick "))

			sshd.Kill()
			s.waitFor(screenWait, "connection lost")
			time.Sleep(4 * time.Second) // ticks written on the node while the link is down
			if err := sshd.Start(); err != nil {
				t.Fatal(err)
			}
			s.waitGone(screenWait, "connection lost")
			// Wait until the lines after the outage are on screen too.
			txt := s.waitUntil(screenWait, "ticks after the outage", func(txt string) bool { return lastTick(txt) >= before+8 })
			ticks := allTicks(txt)
			for i := 1; i < len(ticks); i++ {
				if ticks[i] != ticks[i-1]+1 {
					t.Fatalf("tick %d after tick %d: a line lost across the dropped link:\n%s", ticks[i], ticks[i-1], txt)
				}
			}
			if len(ticks) == 0 || ticks[0] > before {
				t.Fatalf("the screen does not reach back to tick %d, seen before the drop:\n%s", before, txt)
			}
			s.keys("q")
		})

		t.Run("first screen, live task, lost connection", func(t *testing.T) {
			s := startScreen(t, 120, 30, append(ctxEnv, "CTUI_CONTEXT=node1"))
			txt := s.waitFor(screenWait, "localhost/test/busybox:latest", "localhost/test/busybox:pause")
			// The versions come from the background, after the list.
			hdr := "containerd 1.6"
			if d.Version == testbed.V2 {
				hdr = "containerd 2."
			}
			txt = s.waitFor(screenWait, hdr)
			for _, want := range []string{"ctx node1", "READONLY", "ssh://" + sshd.User + "@"} {
				if !strings.Contains(txt, want) {
					t.Errorf("header lacks %q:\n%s", want, txt)
				}
			}
			// The context's readonly refuses a change, naming the
			// context and its file (the rest of the line is cut at 120
			// columns), and opens no dialog.
			s.keys("p")
			if txt := s.waitFor(screenWait, ": context node1 of "+xdg); strings.Contains(txt, "esc cancel") || strings.Contains(txt, "--readonly") {
				t.Errorf("p in a read-only context:\n%s", txt)
			}
			s.keys(":")
			s.typeText("c")
			s.keys("Enter")
			s.waitFor(screenWait, testbed.DemoTickerTask, "RUNNING")
			id := fmt.Sprintf("e2e-ssh-%d-%s", os.Getpid(), strings.ReplaceAll(string(d.Version), ".", ""))
			if _, err := d.Ctr(ctx, "run", "-d", testbed.BusyboxImage, id, "sleep", "600"); err != nil {
				t.Fatal(err)
			}
			defer func() {
				d.Ctr(context.Background(), "tasks", "kill", "-s", "SIGKILL", id)
				time.Sleep(200 * time.Millisecond)
				d.Ctr(context.Background(), "tasks", "rm", "-f", id)
				d.Ctr(context.Background(), "containers", "rm", id)
			}()
			s.waitFor(screenWait, id)

			sshd.Kill()
			s.waitFor(screenWait, "connection lost")
			if err := sshd.Start(); err != nil {
				t.Fatal(err)
			}
			s.waitGone(30*time.Second, "connection lost")
			s.waitFor(screenWait, id, testbed.DemoTickerTask)
			s.keys("q")
			if code := s.waitExit(exitWait); code != 0 {
				t.Errorf("q: exit %d", code)
			}
		})
	})
}

var tickRE = regexp.MustCompile(`tick (\d+)`)

// allTicks are the tick numbers on the screen, top to bottom.
func allTicks(txt string) []int {
	var out []int
	for _, m := range tickRE.FindAllStringSubmatch(txt, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

func lastTick(txt string) int {
	ts := allTicks(txt)
	if len(ts) == 0 {
		return 0
	}
	return ts[len(ts)-1]
}
