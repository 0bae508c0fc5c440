package remote_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// TestUserSSHConfig: ctui runs the operator's ssh as they have it set up,
// against real containerd 1.6 and 2.x behind a real sshd. The node is a
// Host alias of an ssh config file (as ~/.ssh/config, here through -F, as
// CTUI_SSH takes it) whose HostName only the node itself resolves
// (testbed.NodeOnlyHost), reached with ProxyJump through a jump host (the
// same sshd), logged in with a key only an ssh-agent holds (IdentityFile
// names its file, which is gone), with the user's ControlMaster auto,
// ControlPath and ControlPersist set: both APIs answer as ctr on the node
// does, and ctui's own master leaves nothing at the user's ControlPath,
// then or after it closes. Without the jump the name does not resolve;
// without the agent the key is refused.
func TestUserSSHConfig(t *testing.T) {
	testbed.EachSSHNode(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon, s *testbed.SSHD) {
		want := seedImages(ctx, t, s, d)
		dir := t.TempDir()

		// The key lives only in the agent.
		key, err := os.ReadFile(s.Key)
		if err != nil {
			t.Fatal(err)
		}
		keyCopy := filepath.Join(dir, "id")
		if err := os.WriteFile(keyCopy, key, 0o600); err != nil {
			t.Fatal(err)
		}
		agentSock := filepath.Join(dir, "agent.sock")
		agent := exec.Command("ssh-agent", "-D", "-a", agentSock)
		if err := agent.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(agentSock); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("ssh-agent made no socket")
			}
		}
		add := exec.CommandContext(ctx, "ssh-add", keyCopy)
		add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+agentSock)
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("ssh-add: %v: %s", err, out)
		}
		os.Remove(keyCopy)

		hostKey, err := os.ReadFile(filepath.Join(s.Dir, "host_ed25519.pub"))
		if err != nil {
			t.Fatal(err)
		}
		known := filepath.Join(dir, "known_hosts")
		if err := os.WriteFile(known, []byte(fmt.Sprintf("[127.0.0.1]:%d %s[%s]:%d %s", s.Port, hostKey, testbed.NodeOnlyHost, s.Port, hostKey)), 0o644); err != nil {
			t.Fatal(err)
		}
		userCtl := filepath.Join(dir, "user-ctl")
		config := func(agent string) string {
			f := filepath.Join(dir, "config-"+filepath.Base(agent))
			body := fmt.Sprintf(`Host node1
  HostName %s
  Port %d
  User %s
  ProxyJump jump
  ControlMaster auto
  ControlPath %s
  ControlPersist 10m
Host jump
  HostName 127.0.0.1
  Port %d
  User root
Host *
  IdentityAgent %s
  IdentityFile %s
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  LogLevel ERROR
`, testbed.NodeOnlyHost, s.Port, s.User, userCtl, s.Port, agent, keyCopy, known)
			if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			return "ssh -F " + f
		}
		withAgent := config(agentSock)

		tr, sock, b, err := open(ctx, t, withAgent, "ssh://node1?sudo")
		if err != nil {
			t.Fatal(err)
		}
		if sock.Path != "/run/containerd/containerd.sock" {
			t.Errorf("socket = %+v", sock)
		}
		imgs, err := b.Native.Images(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		if g := names(imgs); !slices.Equal(g, want) {
			t.Fatalf("images over ProxyJump = %v, ctr on the node says %v", g, want)
		}
		if rv, err := b.CRI.Version(ctx); err != nil || rv.RuntimeName != "containerd" {
			t.Fatalf("CRI over ProxyJump: %+v, %v", rv, err)
		}
		if _, err := os.Stat(userCtl); err == nil {
			t.Errorf("ctui's connection made a master at the user's ControlPath %s", userCtl)
		}
		b.Close()
		tr.Close()
		if _, err := os.Stat(userCtl); err == nil {
			t.Errorf("a master at the user's ControlPath %s outlived ctui (ControlPersist)", userCtl)
		}

		// Each part is needed: the jump (the name resolves only on the
		// node) and the agent (the key file is gone).
		noJump := strings.Replace(withAgent, "config-", "nojump-", 1)
		body, _ := os.ReadFile(strings.Fields(withAgent)[2])
		os.WriteFile(strings.Fields(noJump)[2], []byte(strings.Replace(string(body), "  ProxyJump jump\n", "", 1)), 0o644)
		if _, _, _, err := open(ctx, t, noJump, "ssh://node1?sudo"); err == nil || !strings.Contains(err.Error(), "does not resolve") {
			t.Errorf("without ProxyJump: %v", err)
		}
		if _, _, _, err := open(ctx, t, config("none"), "ssh://node1?sudo"); err == nil || !strings.Contains(err.Error(), "Permission denied (publickey)") {
			t.Errorf("without the agent: %v", err)
		}
	})
}
