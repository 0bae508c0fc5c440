package containerd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/exectest"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// Native exec against real daemons, one per version, shared by every case:
// a running task, a stopped one, one without a task, a paused one and one
// whose image has no shell.
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
	d := testbed.Start(t, v, testbed.WithoutCRI())
	const ns = "default"
	for id, args := range map[string][]string{
		"running": {"sleep", "2147483647"},
		"paused":  {"sleep", "2147483647"},
		"stopped": {"true"},
	} {
		if err := d.RunTask(ctx, ns, id, testbed.BusyboxImage, "", args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.ImportNoShellImage(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := d.RunTask(ctx, ns, "noshell", testbed.NoShellImage, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Ctr(ctx, "-n", ns, "tasks", "pause", "paused"); err != nil {
		t.Fatal(err)
	}
	newContainerWithoutTask(ctx, t, d, ns, "notask")
	waitTaskStatus(ctx, t, d, ns, "stopped", containerd.Stopped)
	t.Logf("containerd %s: daemon and tasks ready in %v", v, time.Since(start).Round(time.Millisecond))

	c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := func(id string, args ...string) backend.ExecRequest {
		return backend.ExecRequest{Namespace: ns, ContainerID: id, Args: args}
	}

	t.Run("EchoOneShot", func(t *testing.T) {
		start := time.Now()
		out, err := c.ExecSync(ctx, req("running", "echo", "hello"))
		if err != nil {
			t.Fatal(err)
		}
		if string(out.Stdout) != "hello\n" || len(out.Stderr) != 0 || out.ExitCode != 0 || out.Truncated {
			t.Errorf("got %+v, want stdout hello, exit 0", out)
		}
		t.Logf("one-shot echo in %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("ExitCodeAndStderr", func(t *testing.T) {
		out, err := c.ExecSync(ctx, req("running", "sh", "-c", "echo out; echo err >&2; exit 7"))
		if err != nil {
			t.Fatal(err)
		}
		if out.ExitCode != 7 || string(out.Stdout) != "out\n" || string(out.Stderr) != "err\n" {
			t.Errorf("got %+v (stdout %q, stderr %q), want exit 7, out, err", out, out.Stdout, out.Stderr)
		}
	})

	t.Run("OutputIsBounded", func(t *testing.T) {
		// 20 MiB of zeros: more than MaxExecOutput, and far more than a
		// FIFO holds, so a reader that stopped reading would hang here.
		out, err := c.ExecSync(ctx, req("running", "head", "-c", "20971520", "/dev/zero"))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Stdout) != backend.MaxExecOutput || !out.Truncated || out.ExitCode != 0 {
			t.Errorf("got %d bytes, truncated %v, exit %d; want %d, true, 0", len(out.Stdout), out.Truncated, out.ExitCode, backend.MaxExecOutput)
		}
	})

	t.Run("Stdin", func(t *testing.T) {
		var stdout bytes.Buffer
		code, err := c.Exec(ctx, backend.ExecRequest{Namespace: ns, ContainerID: "running", Args: []string{"sh", "-c", "wc -c; exit 4"},
			Stdin: strings.NewReader("12345"), Stdout: &stdout})
		if err != nil {
			t.Fatal(err)
		}
		if code != 4 || strings.TrimSpace(stdout.String()) != "5" {
			t.Errorf("got exit %d, stdout %q; want 4, 5 (stdin closed at its end)", code, stdout.String())
		}
	})

	t.Run("TTYResize", func(t *testing.T) {
		exectest.TTYResize(ctx, t, c, backend.ExecRequest{Namespace: ns, ContainerID: "running", Args: []string{"sh"}})
	})

	t.Run("ResizeBeforeKeys", func(t *testing.T) {
		exectest.ResizeBeforeKeys(ctx, t, c, backend.ExecRequest{Namespace: ns, ContainerID: "running", Args: []string{"sh"}})
	})

	t.Run("ShellFallsBackToSh", func(t *testing.T) {
		// busybox has no /bin/bash: ExecShell must go on to /bin/sh.
		var out bytes.Buffer
		r := req("running")
		r.Stdin, r.Stdout = strings.NewReader("echo $0; exit 5\n"), &out
		sh, code, err := backend.ExecShell(ctx, c, r)
		if err != nil {
			t.Fatal(err)
		}
		if sh != "/bin/sh" || code != 5 || strings.TrimSpace(out.String()) != "/bin/sh" {
			t.Errorf("got shell %q, exit %d, output %q; want /bin/sh, 5, /bin/sh", sh, code, out.String())
		}
	})

	t.Run("CancelKills", func(t *testing.T) {
		cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Exec(cctx, req("running", "sleep", "60"))
		if !errors.Is(err, backend.ErrTimeout) && !errors.Is(err, backend.ErrCanceled) {
			t.Errorf("got %v, want a timeout", err)
		}
		if el := time.Since(start); el > testclock.Generous {
			t.Errorf("took %v to give up on a 500ms deadline", el)
		}
		waitNoExecs(ctx, t, d, ns, "running")
	})

	// A cancel at each step of the setup, made exact by the client's
	// execStep: after the create, once Wait is in place (just before
	// Start) and just after Start. Each ends with the process killed and
	// its record deleted.
	t.Run("CancelDuringSetup", func(t *testing.T) {
		for _, step := range []string{"created", "armed", "started"} {
			t.Run(step, func(t *testing.T) {
				cctx, cancel := context.WithCancel(ctx)
				defer cancel()
				var id string
				c.execStep = func(s string, proc containerd.Process) {
					if s == step {
						id = proc.ID()
						cancel()
					}
				}
				defer func() { c.execStep = nil }()
				_, err := c.Exec(cctx, req("running", "sleep", "60"))
				if !errors.Is(err, backend.ErrCanceled) {
					t.Errorf("got %v, want canceled", err)
				}
				if id == "" {
					t.Fatalf("exec never reached step %s", step)
				}
				waitNoExecs(ctx, t, d, ns, "running")
				nctx := namespaces.WithNamespace(ctx, ns)
				ctr, err := c.c.LoadContainer(nctx, "running")
				if err != nil {
					t.Fatal(err)
				}
				task, err := ctr.Task(nctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := task.LoadProcess(nctx, id, nil); !errdefs.IsNotFound(err) {
					t.Errorf("exec %s after the cancel: got %v, want it deleted (not found)", id, err)
				}
			})
		}
	})

	for _, tc := range []struct {
		name, id string
		kind     error
		says     string
	}{
		{"Stopped", "stopped", backend.ErrNotRunning, "container stopped is not running (status STOPPED); start it first"},
		{"NoTask", "notask", backend.ErrNotRunning, "container notask is not running (it has no task); start it first"},
		{"Paused", "paused", backend.ErrPaused, "container paused is paused; resume it first (ctr -n default tasks resume paused)"},
		{"Missing", "nosuch", backend.ErrNotFound, "nosuch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := c.Exec(ctx, backend.ExecRequest{Namespace: ns, ContainerID: tc.id, Args: []string{"sh"}, TTY: true,
				Stdin: exectest.BlockingReader{}, Stdout: io.Discard})
			exectest.CheckErr(t, err, tc.kind, tc.says)
			_, err = c.ExecSync(ctx, req(tc.id, "echo", "hello"))
			exectest.CheckErr(t, err, tc.kind, tc.says)
			// A blocking stdin: an exec that was not refused would not
			// return at all.
			if el := time.Since(start); el > testclock.Generous {
				t.Errorf("took %v to refuse", el)
			}
		})
	}

	t.Run("NoShell", func(t *testing.T) {
		start := time.Now()
		r := req("noshell")
		r.TTY, r.Stdin, r.Stdout = true, exectest.BlockingReader{}, io.Discard
		_, _, err := backend.ExecShell(ctx, c, r)
		exectest.CheckErr(t, err, backend.ErrNoShell, "no shell in container noshell (tried /bin/bash, /bin/sh); the image has none, run another command")
		if el := time.Since(start); el > testclock.Generous {
			t.Errorf("took %v to find no shell", el)
		}
		// Another command does run.
		out, err := c.ExecSync(ctx, req("noshell", "/sleep", "0"))
		if err != nil || out.ExitCode != 0 {
			t.Errorf("/sleep 0: %+v, %v", out, err)
		}
		_, err = c.ExecSync(ctx, req("noshell", "ls"))
		exectest.CheckErr(t, err, backend.ErrCommandNotFound, "ls: no such command in container noshell")
		t.Logf("the runtime said: %v", errors.Unwrap(err))
	})
}

func newContainerWithoutTask(ctx context.Context, t *testing.T, d *testbed.Daemon, ns, id string) {
	t.Helper()
	cl, err := d.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	img, err := cl.GetImage(ctx, testbed.BusyboxImage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.NewContainer(ctx, id, containerd.WithImage(img), containerd.WithNewSnapshot(id, img), containerd.WithNewSpec(oci.WithImageConfig(img))); err != nil {
		t.Fatal(err)
	}
}

func waitTaskStatus(ctx context.Context, t *testing.T, d *testbed.Daemon, ns, id string, want containerd.ProcessStatus) {
	t.Helper()
	cl, err := d.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctr, err := cl.LoadContainer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		task, err := ctr.Task(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := task.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s is %s, want %s", id, st.Status, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitNoExecs waits until the task of container id has no exec processes
// left (`ctr tasks ps` lists its own pid only): the shim reaps a killed one
// a moment after the call returned on a loaded machine, so it is waited
// for, not timed.
func waitNoExecs(ctx context.Context, t *testing.T, d *testbed.Daemon, ns, id string) {
	t.Helper()
	deadline := time.Now().Add(testclock.Generous)
	for {
		out, err := d.Ctr(ctx, "-n", ns, "tasks", "ps", id)
		if err != nil {
			t.Fatal(err)
		}
		// One pid line: the task's own process. (ctr 2.x may add a
		// warning line of its own, so count pids, not lines.)
		pids := 0
		for _, l := range strings.Split(out, "\n") {
			if l != "" && l[0] >= '0' && l[0] <= '9' {
				pids++
			}
		}
		if pids == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("task still has exec processes after %v:\n%s", testclock.Generous, out)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
