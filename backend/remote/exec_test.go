package remote_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/exectest"
	"github.com/ctui/ctui/backend/testbed"
)

// Native exec (containerd's task API, not CRI) into a task on a remote node
// against real containerd 1.6 and 2.x behind a real sshd: the process's
// fifos are made on the node and relayed over the connection; stdout and
// stderr apart, stdin, the exit code, a terminal resized while it runs, a
// shell found as locally, a missing command in a sentence, and no fifo
// directory left on the node.
func TestNativeExecOverSSH(t *testing.T) {
	testbed.EachSSHNode(t, 4*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon, s *testbed.SSHD) {
		before, _ := filepath.Glob("/tmp/ctui-exec.*")
		if err := d.RunTask(ctx, "default", "sleeper", testbed.BusyboxImage, "", "sleep", "2147483647"); err != nil {
			t.Fatal(err)
		}
		for _, user := range []string{s.User} {
			_, _, b := mustOpen(ctx, t, s, s.Endpoint(user, "", true))
			ex := b.Native.(backend.Execer)
			req := func(args ...string) backend.ExecRequest {
				return backend.ExecRequest{Namespace: "default", ContainerID: "sleeper", Args: args}
			}

			var out, errb strings.Builder
			r := req("sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3")
			r.Stdout, r.Stderr = &out, &errb
			code, err := ex.Exec(ctx, r)
			if err != nil || code != 3 || out.String() != "to-stdout\n" || errb.String() != "to-stderr\n" {
				t.Fatalf("exec over ssh: code %d, %v, stdout %q, stderr %q", code, err, out.String(), errb.String())
			}

			out.Reset()
			r = req("sh", "-c", "read x; echo got $x")
			r.Stdin, r.Stdout = strings.NewReader("hello-stdin\n"), &out
			if code, err := ex.Exec(ctx, r); err != nil || code != 0 || out.String() != "got hello-stdin\n" {
				t.Fatalf("exec with stdin over ssh: code %d, %v, %q", code, err, out.String())
			}

			// A resize, then a line typed: the line runs at the new size.
			exectest.ResizeBeforeKeys(ctx, t, ex, req("sh"))

			out.Reset()
			sh, code, err := backend.ExecShell(ctx, ex, backend.ExecRequest{Namespace: "default", ContainerID: "sleeper",
				Stdin: strings.NewReader("echo in-the-shell; exit 7\n"), Stdout: &out})
			if err != nil || sh != "/bin/sh" || code != 7 || out.String() != "in-the-shell\n" {
				t.Fatalf("shell over ssh: %q, code %d, %v, %q", sh, code, err, out.String())
			}

			_, err = ex.ExecSync(ctx, req("/no/such/command"))
			if !errors.Is(err, backend.ErrCommandNotFound) {
				t.Fatalf("a missing command over ssh: %v", err)
			}
			got, err := ex.ExecSync(ctx, req("cat", "/etc/hostname-missing"))
			if err != nil || got.ExitCode == 0 || !strings.Contains(string(got.Stderr), "hostname-missing") {
				t.Fatalf("exec sync over ssh: %+v, %v", got, err)
			}
		}
		// Every session took its fifos with it.
		deadline := time.Now().Add(30 * time.Second)
		for {
			var left []string
			now, _ := filepath.Glob("/tmp/ctui-exec.*")
			for _, p := range now {
				if !slices.Contains(before, p) {
					left = append(left, p)
				}
			}
			if len(left) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("fifo directories left on the node: %v", left)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
