package main

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ctui/ctui/backend/testbed"
)

// sendBytes writes b to ctui's terminal in one write (tmux send-keys -H),
// as esc and a command typed quickly reach a node over SSH.
func (s *screen) sendBytes(b string) {
	s.t.Helper()
	args := []string{"send-keys", "-t", "main", "-H"}
	for i := 0; i < len(b); i++ {
		args = append(args, hex.EncodeToString([]byte{b[i]}))
	}
	s.tmux(args...)
}

// TestEndToEndKeysInOneRead: esc and a command in one read (which the
// terminal parser makes alt+:) run the command, on the pods page where
// its letters would act (s is a shell); typed key by key they do the same;
// a paste, bracketed or not, is filter text and never page keys.
func TestEndToEndKeysInOneRead(t *testing.T) {
	d := testbed.Start(t, testbed.V2)
	s := startScreen(t, 100, 30, d.Env())
	s.waitFor(screenWait, "images")

	s.keys(":")
	s.typeText("pods")
	s.keys("Enter")
	s.waitFor(screenWait, "pods 0")

	s.sendBytes("\x1b:containers\r")
	txt := s.waitFor(screenWait, "containers ")
	if strings.Contains(txt, "shell") || strings.Contains(txt, "pods 0") {
		t.Errorf("esc :containers in one read did not open containers:\n%s", txt)
	}
	s.sendBytes("\x1b:ns\r")
	s.waitFor(screenWait, "namespaces 0")

	// Key by key.
	s.keys(":")
	s.typeText("pods")
	s.keys("Enter")
	s.waitFor(screenWait, "pods 0")
	s.keys("Escape")
	s.keys(":")
	s.typeText("ns")
	s.keys("Enter")
	s.waitFor(screenWait, "namespaces 0")

	// A paste into the filter, bracketed (paste-buffer -p: ctui asks for
	// bracketed paste) and not, each in one write.
	for _, bracketed := range []bool{true, false} {
		s.keys("/")
		s.tmux("set-buffer", "-b", "clip", "k8s q:pods s d")
		args := []string{"paste-buffer", "-b", "clip", "-t", "main"}
		if bracketed {
			args = append(args, "-p")
		}
		s.tmux(args...)
		txt = s.waitFor(screenWait, "k8s q:pods s d")
		if !strings.Contains(txt, "namespaces 0") {
			t.Errorf("paste (bracketed %v) left the namespaces page:\n%s", bracketed, txt)
		}
		s.keys("Escape")
		s.waitGone(screenWait, "k8s q:pods s d")
	}
	s.keys("q")
	if code := s.waitExit(screenWait); code != 0 {
		t.Errorf("exit %d", code)
	}
}
