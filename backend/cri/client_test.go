package cri

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// These cases need no daemon: they are decided before or by the first
// connect. The cases that need a real containerd are in integration_test.go.

func TestNewRejectsBadEndpoints(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ep   string
		want error
		says string
	}{
		{"http://localhost:1234", backend.ErrInvalid, "use unix:///path/to/socket"},
		{"npipe:////./pipe/containerd", backend.ErrInvalid, "Windows"},
		{"", backend.ErrInvalid, "no CRI runtime endpoint"},
		{"unix://" + filepath.Join(dir, "missing.sock"), backend.ErrSocketMissing, "does not exist"},
		{filepath.Join(dir, "missing.sock"), backend.ErrSocketMissing, "does not exist"},
		{"unix://" + file, backend.ErrNotContainerd, "is not a socket"},
	}
	for _, tt := range tests {
		t.Run(tt.ep, func(t *testing.T) {
			// With an hour's timeout, an answer at all says no RPC
			// waited for it.
			var err error
			testclock.Within(t, testclock.Generous, "a bad endpoint must fail before any RPC", func() {
				var c *Client
				if c, err = New(context.Background(), backend.Config{RuntimeEndpoint: tt.ep, Timeout: time.Hour}); err == nil {
					c.Close()
				}
			})
			if err == nil {
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("err = %v (%T), want %v saying %q", err, err, tt.want, tt.says)
			}
		})
	}
}

func TestNewRejectsBadImageEndpoint(t *testing.T) {
	l := silentUnixListener(t)
	_, err := New(context.Background(), backend.Config{RuntimeEndpoint: "unix://" + l, ImageEndpoint: "ftp://x", Timeout: time.Second})
	if !errors.Is(err, backend.ErrInvalid) {
		t.Errorf("err = %v, want ErrInvalid", err)
	}
}

// A stale socket file whose daemon died: connect is refused at once.
func TestNewStaleSocketIsUnavailable(t *testing.T) {
	path := filepath.Join(shortTempDir(t), "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()

	testclock.Within(t, testclock.Generous, "a refused connect must fail at once, not wait for the timeout", func() {
		_, err = New(context.Background(), backend.Config{RuntimeEndpoint: "unix://" + path, Timeout: time.Hour})
	})
	if !errors.Is(err, backend.ErrUnavailable) || !strings.Contains(err.Error(), "nothing is listening") {
		t.Errorf("err = %v, want ErrUnavailable saying nothing is listening", err)
	}
}

// A socket (unix or tcp) that accepts connections but never speaks: the
// Version call must give up after the configured timeout with ErrTimeout.
func TestNewSilentListenerTimesOut(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tcp.Close() })
	for _, ep := range []string{"unix://" + silentUnixListener(t), "tcp://" + tcp.Addr().String()} {
		t.Run(ep[:4], func(t *testing.T) {
			const timeout = 500 * time.Millisecond
			start := time.Now()
			var err error
			testclock.Within(t, timeout+testclock.Generous, "a silent listener must time out", func() {
				_, err = New(context.Background(), backend.Config{RuntimeEndpoint: ep, Timeout: timeout})
			})
			d := time.Since(start)
			if !errors.Is(err, backend.ErrTimeout) {
				t.Errorf("err = %v, want ErrTimeout", err)
			}
			if d < timeout-50*time.Millisecond {
				t.Errorf("gave up after %v, before the %v timeout", d, timeout)
			}
			t.Logf("%v after %v", err, d.Round(time.Millisecond))
		})
	}
}

// A deadline on the caller's ctx wins over the configured timeout.
func TestCallerDeadlineWins(t *testing.T) {
	ep := "unix://" + silentUnixListener(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var err error
	testclock.Within(t, testclock.Generous, "the caller's 300ms deadline must win over an hour's timeout", func() {
		_, err = New(ctx, backend.Config{RuntimeEndpoint: ep, Timeout: time.Hour})
	})
	if !errors.Is(err, backend.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
}

// silentUnixListener listens on a fresh unix socket and never accepts; the
// kernel completes connects into the backlog, so clients connect and wait.
func silentUnixListener(t *testing.T) string {
	t.Helper()
	path := filepath.Join(shortTempDir(t), "silent.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return path
}

// shortTempDir is a temp dir whose socket paths fit in sun_path (108 bytes);
// t.TempDir() names can be longer.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cri")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
