package remote_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
// where the node differs: sshd's private /run holds the default socket; and
// a missing sandbox image's registry is not asked over ssh (its resolve
// reads the registry files with containerd's code, on ctui's machine).
func TestDoctorOverSSH(t *testing.T) {
	testbed.EachSSHNode(t, 4*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon, s *testbed.SSHD) {
		tr, _, b := mustOpen(ctx, t, s, s.Endpoint(s.User, d.Socket, true))
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
			if l.Check == "sandbox-image" && l.Status == doctor.FAIL {
				// The missing image's registry is asked only on the
				// node itself: over ssh the finding says so.
				if r.Status != doctor.FAIL || !strings.Contains(r.Finding, "whether its registry has it is not asked over SSH") {
					t.Errorf("sandbox-image over ssh: %s %q", r.Status, r.Finding)
				}
				continue
			}
			if l.Status != r.Status || l.Finding != r.Finding {
				t.Errorf("check %s: on the node %s %q, over ssh %s %q", l.Check, l.Status, l.Finding, r.Status, r.Finding)
			}
		}
	})
}

// TestDoctorMirrorProbeFromNode: over ssh the registries.yaml mirror probe
// runs on the node, through the connection (ssh -W), not on ctui's machine.
// The mirror is named by a host name only the node resolves
// (testbed.NodeOnlyHost): asked over ssh it answers and the check is OK;
// the same node files checked from this machine do not reach it (WARN);
// with the mirror stopped, over ssh it warns and says it asked from the
// node. The probe does not involve the daemon: one version suffices.
func TestDoctorMirrorProbeFromNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a containerd daemon and sshd")
	}
	d, s := testbed.StartSSHNode(t, testbed.V2)
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		w.WriteHeader(http.StatusOK)
	}))
	defer mirror.Close()
	_, port, err := net.SplitHostPort(mirror.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ep := "http://" + testbed.NodeOnlyHost + ":" + port
	root := t.TempDir()
	yaml := filepath.Join(root, "etc/rancher/k3s/registries.yaml")
	if err := os.MkdirAll(filepath.Dir(yaml), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(yaml, []byte("mirrors:\n  docker.io:\n    endpoint:\n      - \""+ep+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tr, _, b := mustOpen(ctx, t, s, s.Endpoint(s.User, d.Socket, true))
	check, err := doctor.Find("registry")
	if err != nil {
		t.Fatal(err)
	}
	run := func(node doctor.NodeFS) doctor.Finding {
		t.Helper()
		f := doctor.Run(doctor.Gather(ctx, b, doctor.Options{Root: root, Node: node, Timeout: 10 * time.Second}), []doctor.Check{check})[0]
		t.Logf("%s %s\n%s", f.Status, f.Finding, strings.Join(f.Evidence, "\n"))
		return f
	}
	if f := run(tr.NodeFS()); f.Status != doctor.OK {
		t.Errorf("over ssh the node's mirror %s does not answer: %s %q %v", ep, f.Status, f.Finding, f.Evidence)
	}
	if f := run(nil); f.Status != doctor.WARN || !strings.Contains(f.Finding, "Mirror endpoint "+ep) {
		t.Errorf("from this machine, which cannot resolve %s: %s %q", testbed.NodeOnlyHost, f.Status, f.Finding)
	}
	mirror.Close()
	if f := run(tr.NodeFS()); f.Status != doctor.WARN || !strings.Contains(f.Finding, "Mirror endpoint "+ep+" for docker.io in /etc/rancher/k3s/registries.yaml does not answer (asked from the node over SSH)") ||
		!strings.Contains(strings.Join(f.Evidence, "\n"), "the node did not connect: ") {
		t.Errorf("over ssh with the mirror stopped (the evidence should carry ssh's reason): %s %q %q", f.Status, f.Finding, f.Evidence)
	}
}
