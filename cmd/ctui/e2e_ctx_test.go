package main

import (
	"strings"
	"testing"
)

// TestEndToEndContextSwitch drives :ctx in tmux: from context a
// (containerd 1.6 on this machine) to b (2.x over ssh:// with sudo,
// readonly), typed key by key; a switch to a node that does not resolve,
// typed in one write, says why and stays on b; then back to a.
func TestEndToEndContextSwitch(t *testing.T) {
	xdg, sshCmd := twoContexts(t)
	s := startScreen(t, 120, 30, []string{"XDG_CONFIG_HOME=" + xdg, envSSH + "=" + sshCmd}, "--context", "a")
	s.waitFor(screenWait, "localhost/only/on-a:1", "ctx a")

	s.keys(":")
	s.typeText("ctx")
	s.keys("Enter")
	txt := s.waitFor(screenWait, "a (current)", "ENDPOINT", "READONLY", "no-such-node.invalid")
	if !strings.Contains(txt, "k8s.io") || !strings.Contains(txt, "yes") {
		t.Errorf(":ctx lacks b's settings:\n%s", txt)
	}
	s.keys("j")
	s.keys("Enter")
	txt = s.waitFor(screenWait, "localhost/only/on-b:1", "ctx b", "READONLY", "k8s.io")
	if strings.Contains(txt, "only/on-a") {
		t.Errorf("b's screen shows a's image:\n%s", txt)
	}

	s.sendBytes("\x1b:ctx\r") // esc, then :ctx and enter, in one write
	s.waitFor(screenWait, "b (current)")
	s.sendBytes("jj\r")
	txt = s.waitFor(screenWait, "context gone: cannot connect to ssh://root@no-such-node.invalid: the host name")
	if !strings.Contains(txt, "ctx b") {
		t.Errorf("a failed switch left context b:\n%s", txt)
	}
	s.keys("Escape")
	s.waitFor(screenWait, "localhost/only/on-b:1")

	s.sendBytes("\x1b:ctx\r")
	s.waitFor(screenWait, "b (current)")
	s.keys("Enter") // the cursor is on a, the first row
	s.waitFor(screenWait, "localhost/only/on-a:1", "ctx a")
	s.keys("q")
	if code := s.waitExit(exitWait); code != 0 {
		t.Errorf("q: exit %d", code)
	}
}
