package remote_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/testbed"
)

// The doctor's checks on a remote node, its files, /proc and /sys read over
// the SSH connection (as a user with sudo), against real containerd 1.6 and
// 2.x: they find what the same checks find on the node itself (the
// loopback node is this machine), the daemon's process included, except
// where the node differs: sshd's private /run holds the default socket.
func TestDoctorOverSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons and sshd")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			s := testbed.StartSSHD(t, d.Socket)
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			tr, _, b, err := open(ctx, t, s.SSHCommand, s.Endpoint(s.User, d.Socket, true))
			if err != nil {
				t.Fatal(err)
			}
			localFacts := doctor.Gather(ctx, b, doctor.Options{Timeout: 20 * time.Second})
			remoteFacts := doctor.Gather(ctx, b, doctor.Options{Node: tr.NodeFS(), Timeout: 20 * time.Second})
			if remoteFacts.PIDErr != nil || remoteFacts.PID == 0 || remoteFacts.PID != localFacts.PID {
				t.Fatalf("daemon's process over ssh: %d, %v; on the node: %d, %v", remoteFacts.PID, remoteFacts.PIDErr, localFacts.PID, localFacts.PIDErr)
			}
			if remoteFacts.ConfigErr != nil {
				t.Fatalf("daemon's config over ssh: %v", remoteFacts.ConfigErr)
			}
			remote := doctor.Run(remoteFacts, doctor.Checks())
			local := doctor.Run(localFacts, doctor.Checks())
			for i := range local {
				l, r := local[i], remote[i]
				t.Logf("%-10s local %s %q / over ssh %s %q", l.Check, l.Status, l.Finding, r.Status, r.Finding)
				if l.Check == "crictl" {
					// The node's /run is sshd's private one, where the
					// default socket exists: proof the files read are
					// the node's, not this machine's.
					if r.Status != doctor.OK || !strings.Contains(r.Finding, "crictl finds containerd at /run/containerd/containerd.sock") {
						t.Errorf("crictl over ssh: %s %q", r.Status, r.Finding)
					}
					continue
				}
				if l.Status != r.Status || l.Finding != r.Finding {
					t.Errorf("check %s: on the node %s %q, over ssh %s %q", l.Check, l.Status, l.Finding, r.Status, r.Finding)
				}
			}
		})
	}
}
