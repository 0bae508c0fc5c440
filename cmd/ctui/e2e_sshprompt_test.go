package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// TestEndToEndSSHPrompt: ctui never asks for a secret itself; on a terminal
// ssh's own prompts are shown and answered there. The node's host key is
// not yet in known_hosts and the key has a passphrase: run in tmux, ssh
// asks to accept the host key and then for the passphrase, and ctui's
// first screen follows; without a terminal ssh runs in BatchMode and ctui
// ends in one line with ssh's own message (the host key, then the key it
// cannot unlock). The prompts are ssh's, before any daemon call: one
// version suffices.
func TestEndToEndSSHPrompt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a containerd daemon and sshd")
	}
	d, sshd := testbed.StartSSHNode(t, testbed.V16)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := d.ImportTestImages(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const passphrase = "e2e-prompt-Pass-4d"
	key := filepath.Join(dir, "id_pass")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "ctui-prompt", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(sshd.Dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(pub)
	f.Close()
	// sshCmd is ssh with the passphrase key and a known_hosts of its own,
	// which starts empty: ssh asks before it adds the node's key.
	sshCmd := func(name string) (string, string) {
		known := filepath.Join(dir, "known_hosts_"+name)
		conf := filepath.Join(dir, "ssh_config_"+name)
		body := fmt.Sprintf("Host *\n  IdentityFile %s\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking ask\n  LogLevel ERROR\n", key, known)
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return "CTUI_SSH=ssh -F " + conf, known
	}
	ep := sshd.Endpoint("", d.Socket, false)

	env, known := sshCmd("tty")
	s := startScreen(t, 100, 30, []string{env, "CONTAINERD_ADDRESS=" + ep})
	t.Logf("ssh's prompt:\n%s", s.waitFor(screenWait, "The authenticity of host", "Are you sure you want to continue connecting"))
	s.typeText("yes")
	s.keys("Enter")
	s.waitFor(screenWait, "Enter passphrase for key '"+key+"'")
	s.typeText(passphrase)
	s.keys("Enter")
	txt := s.waitFor(screenWait, testbed.BusyboxImage, "ssh://root@"+sshd.Addr())
	if strings.Contains(txt, passphrase) {
		t.Errorf("the passphrase is on screen:\n%s", txt)
	}
	s.keys("q")
	if code := s.waitExit(exitWait); code != 0 {
		t.Errorf("q: exit %d", code)
	}
	if b, err := os.ReadFile(known); err != nil || !strings.Contains(string(b), fmt.Sprintf("[127.0.0.1]:%d", sshd.Port)) {
		t.Errorf("ssh did not add the accepted host key to known_hosts: %q, %v", b, err)
	}

	// No terminal: BatchMode, ssh's message, one line.
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"batch-hostkey", []string{"host key of 127.0.0.1", fmt.Sprintf("run `ssh -l root -p %d 127.0.0.1` once", sshd.Port), "Host key verification failed"}},
		{"tty", []string{"refused the login as root", "Permission denied (publickey)"}}, // known_hosts has the node now
	} {
		env, _ := sshCmd(tc.name)
		out, code := runCtui(t, []string{env}, "-a", ep)
		t.Logf("%s without a terminal: %s", tc.name, out)
		if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || strings.Contains(out, "passphrase") {
			t.Errorf("%s without a terminal: exit %d, want 1 and one line:\n%s", tc.name, code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s without a terminal: output lacks %q:\n%s", tc.name, w, out)
			}
		}
	}
}
