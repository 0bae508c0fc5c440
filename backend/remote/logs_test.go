package remote_test

import (
	"context"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/backend/logs/logstest"
	"github.com/ctui/ctui/backend/testbed"
)

// Logs of a remote node read over the SSH connection (sftp through the
// master) against real containerd 1.6 and 2.x behind a real sshd, in
// logstest's scenarios (those backend/logs runs on the local filesystem): a
// CRI pod's log followed across kubelet's rotation and then across a killed
// sshd (every line once, in order), a crash loop's previous attempt, a
// native task's file:// log, as a user whose sudo reaches the root-owned
// files and through the sftp subsystem without sudo.
func TestLogsOverSSH(t *testing.T) {
	testbed.EachSSHNode(t, 4*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon, s *testbed.SSHD) {
		node := logstest.Seed(ctx, t, d)

		tr, _, b := mustOpen(ctx, t, s, s.Endpoint(s.User, "", true))
		files := tr.Files()
		ctrs, err := b.CRI.PodContainers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := logstest.ByID(ctrs)

		t.Run("follow across rotation and a dropped link", func(t *testing.T) {
			src, err := logs.CRISource(byID[node.Logger])
			if err != nil {
				t.Fatal(err)
			}
			src.FS = files
			fctx, stop := context.WithCancel(ctx)
			defer stop()
			f := logstest.FollowAcrossRotation(fctx, t, d, node, src, 2*time.Minute)

			// The link drops: a sentence, then the log goes on from
			// where it stopped once sshd is back.
			s.Kill()
			f.Collect(f.Live, "lost the SSH connection")
			time.Sleep(2 * time.Second) // lines written while the link is down
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			f.Collect(f.Live+6, "connection back")
			t.Logf("notices: %q", f.Notices)
			f.CheckOrder()
		})

		t.Run("previous attempt", func(t *testing.T) {
			logstest.PreviousAttempt(ctx, t, node, byID, func(c backend.PodContainer) (logs.Source, error) {
				return logs.PreviousSourceOn(c, files)
			})
		})

		t.Run("native task log through sudo", func(t *testing.T) {
			logstest.TaskLog(ctx, t, b.Native, files)
		})
		t.Run("native task log through the sftp subsystem, as root", func(t *testing.T) {
			tr, _, rb := mustOpen(ctx, t, s, s.Endpoint("", d.Socket, false))
			logstest.TaskLog(ctx, t, rb.Native, tr.Files())
		})
	})
}
