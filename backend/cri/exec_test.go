package cri

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"k8s.io/streaming/pkg/httpstream"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/exectest"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// CRI exec against real daemons, one per version shared by every case: a
// running container, an exited one, one whose image has no shell, and one
// paused behind CRI's back.
func TestExec(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testExec(t, v)
		})
	}
}

func testExec(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	d := testbed.Start(t, v)
	if err := d.ImportNoShellImage(ctx, "k8s.io"); err != nil {
		t.Fatal(err)
	}
	forever := []string{"sleep", "2147483647"}
	_, ids, err := d.RunPod(ctx, testbed.PodSpec{Name: "exec", Containers: []testbed.ContainerSpec{
		{Name: "running", Command: forever},
		{Name: "exited", Command: []string{"true"}},
		{Name: "noshell", Image: testbed.NoShellImage, Command: []string{"/sleep", "2147483647"}},
		{Name: "paused", Command: forever},
	}})
	if err != nil {
		t.Fatal(err)
	}
	running, exited, noshell, paused := ids[0], ids[1], ids[2], ids[3]
	if _, err := d.WaitContainerExit(ctx, exited); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Ctr(ctx, "-n", "k8s.io", "tasks", "pause", paused); err != nil {
		t.Fatal(err)
	}
	t.Logf("containerd %s: daemon and pod ready in %v", v, time.Since(start).Round(time.Millisecond))

	c, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := func(id string, args ...string) backend.ExecRequest {
		return backend.ExecRequest{ContainerID: id, Args: args}
	}

	t.Run("EchoOneShot", func(t *testing.T) {
		start := time.Now()
		out, err := c.ExecSync(ctx, req(running, "echo", "hello"))
		if err != nil {
			t.Fatal(err)
		}
		if string(out.Stdout) != "hello\n" || len(out.Stderr) != 0 || out.ExitCode != 0 {
			t.Errorf("got %+v, want stdout hello, exit 0", out)
		}
		t.Logf("ExecSync echo in %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("ExitCodeAndStderr", func(t *testing.T) {
		out, err := c.ExecSync(ctx, req(running, "sh", "-c", "echo out; echo err >&2; exit 7"))
		if err != nil {
			t.Fatal(err)
		}
		if out.ExitCode != 7 || string(out.Stdout) != "out\n" || string(out.Stderr) != "err\n" {
			t.Errorf("got %+v (stdout %q, stderr %q), want exit 7, out, err", out, out.Stdout, out.Stderr)
		}
	})

	t.Run("ExecSyncDeadlineKills", func(t *testing.T) {
		tctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.ExecSync(tctx, req(running, "sleep", "60"))
		if err == nil {
			t.Error("a 60 s sleep under a 1.5 s deadline returned no error")
		}
		if el := time.Since(start); el > testclock.Generous {
			t.Errorf("took %v to give up on a 1.5 s deadline", el)
		}
	})

	t.Run("StreamingExitCode", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code, err := c.Exec(ctx, backend.ExecRequest{ContainerID: running, Args: []string{"sh", "-c", "wc -c; echo err >&2; exit 7"},
			Stdin: strings.NewReader("12345"), Stdout: &stdout, Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		if code != 7 || strings.TrimSpace(stdout.String()) != "5" || stderr.String() != "err\n" {
			t.Errorf("got exit %d, stdout %q, stderr %q; want 7, 5, err", code, stdout.String(), stderr.String())
		}
		t.Logf("streaming exec in %v", time.Since(start).Round(time.Millisecond))
	})

	// Both protocols, each on its own. containerd's stream servers (1.6
	// and 2.x alike) refuse client-go's WebSocket upgrade with 403, so Exec
	// above went through the SPDY fallback; a runtime that speaks WebSocket
	// must still work over it.
	t.Run("Protocols", func(t *testing.T) {
		for _, proto := range []string{webSocket, spdy} {
			var stdout bytes.Buffer
			err := c.stream(ctx, backend.ExecRequest{ContainerID: running, Args: []string{"echo", proto}, Stdout: &stdout}, proto)
			switch {
			case proto == webSocket && httpstream.IsUpgradeFailure(err):
				t.Logf("websocket refused by containerd %s: %v", v, err)
			case err != nil:
				t.Errorf("%s: %v", proto, err)
			case stdout.String() != proto+"\n":
				t.Errorf("%s: got %q", proto, stdout.String())
			default:
				t.Logf("%s works on containerd %s", proto, v)
			}
		}
	})

	t.Run("TTYResize", func(t *testing.T) {
		exectest.TTYResize(ctx, t, c, backend.ExecRequest{ContainerID: running, Args: []string{"sh"}})
	})

	t.Run("ShellFallsBackToSh", func(t *testing.T) {
		var out bytes.Buffer
		r := req(running)
		r.Stdin, r.Stdout = strings.NewReader("echo $0; exit 5\n"), &out
		sh, code, err := backend.ExecShell(ctx, c, r)
		if err != nil {
			t.Fatal(err)
		}
		if sh != "/bin/sh" || code != 5 || strings.TrimSpace(out.String()) != "/bin/sh" {
			t.Errorf("got shell %q, exit %d, output %q; want /bin/sh, 5, /bin/sh", sh, code, out.String())
		}
	})

	t.Run("Exited", func(t *testing.T) {
		start := time.Now()
		_, err := c.Exec(ctx, backend.ExecRequest{ContainerID: exited, Args: []string{"sh"}, TTY: true, Stdin: exectest.BlockingReader{}, Stdout: io.Discard})
		exectest.CheckErr(t, err, backend.ErrNotRunning, "container "+shortID(exited)+" is not running (status EXITED); start it first")
		_, err = c.ExecSync(ctx, req(exited, "echo"))
		exectest.CheckErr(t, err, backend.ErrNotRunning, "is not running (status EXITED)")
		_, _, err = backend.ExecShell(ctx, c, req(exited))
		exectest.CheckErr(t, err, backend.ErrNotRunning, "is not running (status EXITED)")
		if el := time.Since(start); el > testclock.Generous {
			t.Errorf("took %v to refuse", el)
		}
	})

	t.Run("PausedBehindCRIsBack", func(t *testing.T) {
		start := time.Now()
		want := "container " + paused + " is paused; resume it first (ctr -n k8s.io tasks resume " + paused + ")"
		_, err := c.Exec(ctx, backend.ExecRequest{ContainerID: paused, Args: []string{"sh"}, TTY: true, Stdin: exectest.BlockingReader{}, Stdout: io.Discard})
		exectest.CheckErr(t, err, backend.ErrPaused, want)
		_, err = c.ExecSync(ctx, req(paused, "echo"))
		exectest.CheckErr(t, err, backend.ErrPaused, want)
		_, _, err = backend.ExecShell(ctx, c, req(paused))
		exectest.CheckErr(t, err, backend.ErrPaused, want)
		if el := time.Since(start); el > testclock.Generous {
			t.Errorf("took %v to refuse", el)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		_, err := c.Exec(ctx, req("nosuchcontainer", "sh"))
		exectest.CheckErr(t, err, backend.ErrNotFound, "nosuchcontainer")
	})

	t.Run("NoShell", func(t *testing.T) {
		start := time.Now()
		r := req(noshell)
		r.TTY, r.Stdin, r.Stdout = true, exectest.BlockingReader{}, io.Discard
		_, _, err := backend.ExecShell(ctx, c, r)
		exectest.CheckErr(t, err, backend.ErrNoShell, "no shell in container "+noshell+" (tried /bin/bash, /bin/sh)")
		if el := time.Since(start); el > testclock.Generous {
			t.Errorf("took %v to find no shell", el)
		}
		_, err = c.ExecSync(ctx, req(noshell, "ls"))
		exectest.CheckErr(t, err, backend.ErrCommandNotFound, "ls: no such command in container")
		t.Logf("ExecSync: the runtime said: %v", errors.Unwrap(err))
		// The streaming path tells a missing command apart too.
		_, err = c.Exec(ctx, req(noshell, "/bin/sh"))
		exectest.CheckErr(t, err, backend.ErrCommandNotFound, "/bin/sh: no such command in container")
		t.Logf("Exec: the runtime said: %v", errors.Unwrap(err))
		out, err := c.ExecSync(ctx, req(noshell, "/sleep", "0"))
		if err != nil || out.ExitCode != 0 {
			t.Errorf("/sleep 0: %+v, %v", out, err)
		}
	})
}
