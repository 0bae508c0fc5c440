package containerd

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// These cases need no daemon: each is decided before or by the first call,
// against a real socket file or a real server that is not containerd. The
// cases that need containerd are in integration_test.go.

// shortTempDir is a temp dir with a path short enough for a unix socket
// (108 bytes), which t.TempDir's long names can exceed.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// listen serves fn on every connection of a fresh unix socket.
func listen(t *testing.T, fn func(net.Conn)) string {
	t.Helper()
	path := filepath.Join(shortTempDir(t), "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go fn(conn)
		}
	}()
	return path
}

func wantErr(t *testing.T, err error, kind error, says string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v saying %q", kind, says)
	}
	if !errors.Is(err, kind) || !strings.Contains(err.Error(), says) {
		t.Errorf("err = %q (%T), want %v saying %q", err, err, kind, says)
	}
}

func TestNewRejectsWhatIsNotASocket(t *testing.T) {
	dir := shortTempDir(t)
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.sock")
	tests := []struct {
		name, addr string
		want       error
		says       string
	}{
		{"empty", "", backend.ErrInvalid, "no containerd socket configured"},
		{"missing", missing, backend.ErrSocketMissing, missing + " does not exist"},
		{"regular file", file, backend.ErrNotContainerd, "is not a socket (it is a regular file)"},
		{"directory", dir, backend.ErrNotContainerd, "is not a socket (it is a directory)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// With an hour's timeout, an answer at all says no RPC
			// waited for it.
			var err error
			testclock.Within(t, testclock.Generous, "a bad address must fail before any RPC", func() {
				var c *Client
				if c, err = New(context.Background(), backend.Config{Address: tt.addr, Timeout: time.Hour}); err == nil {
					c.Close()
				}
			})
			wantErr(t, err, tt.want, tt.says)
		})
	}
}

func TestNewRejectsSocketsThatAreNotContainerd(t *testing.T) {
	// A gRPC server with CRI alone, as CRI-O serves.
	criOnly := filepath.Join(shortTempDir(t), "crio.sock")
	l, err := net.Listen("unix", criOnly)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(srv, runtimeapi.UnimplementedRuntimeServiceServer{})
	go srv.Serve(l)
	t.Cleanup(srv.Stop)

	tests := []struct {
		name, addr string
		says       string
	}{
		{"CRI-only gRPC server", criOnly, "answers gRPC but not containerd's API"},
		{"HTTP/1 server", listen(t, func(c net.Conn) {
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			c.Close()
		}), "does not speak gRPC"},
		{"hangs up at once", listen(t, func(c net.Conn) { c.Close() }), "does not speak gRPC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			testclock.Within(t, testclock.Generous, "the answer was there, no need to wait for the timeout", func() {
				var c *Client
				if c, err = New(context.Background(), backend.Config{Address: tt.addr, Timeout: time.Hour}); err == nil {
					c.Close()
				}
			})
			wantErr(t, err, backend.ErrNotContainerd, tt.says)
			if !strings.Contains(err.Error(), tt.addr) {
				t.Errorf("err = %q does not name the socket", err)
			}
		})
	}
}

func TestNewTimesOutOnASilentSocket(t *testing.T) {
	// Accepts, reads, never answers: a daemon wedged in its gRPC server.
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	addr := listen(t, func(c net.Conn) {
		defer c.Close()
		go func() {
			b := make([]byte, 4096)
			for {
				if _, err := c.Read(b); err != nil {
					return
				}
			}
		}()
		<-hold
	})
	const timeout = 500 * time.Millisecond
	start := time.Now()
	var err error
	testclock.Within(t, timeout+testclock.Generous, "a silent socket must time out", func() {
		var c *Client
		if c, err = New(context.Background(), backend.Config{Address: addr, Timeout: timeout}); err == nil {
			c.Close()
		}
	})
	wantErr(t, err, backend.ErrTimeout, "did not answer in time")
	if d := time.Since(start); d < timeout {
		t.Errorf("gave up after %v, before the %v timeout", d, timeout)
	}
}

func TestNewStaleSocketIsUnavailable(t *testing.T) {
	path := filepath.Join(shortTempDir(t), "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	testclock.Within(t, testclock.Generous, "a refused connect must fail at once, not wait for the timeout", func() {
		_, err = New(context.Background(), backend.Config{Address: path, Timeout: time.Hour})
	})
	wantErr(t, err, backend.ErrUnavailable, "nothing is listening on "+path)
}

// asNobodyEnv makes the test binary, re-executed by
// TestNewPermissionDeniedAsNobody, run New as uid 65534 against the socket
// it names and print the error.
const asNobodyEnv = "CTUI_TEST_NEW_AS_NOBODY"

func TestMain(m *testing.M) {
	if addr := os.Getenv(asNobodyEnv); addr != "" {
		c, err := New(context.Background(), backend.Config{Address: addr, Timeout: 2 * time.Second})
		switch {
		case err == nil:
			c.Close()
			os.Stdout.WriteString("connected\n")
		case errors.Is(err, backend.ErrPermission):
			os.Stdout.WriteString("ErrPermission: " + err.Error() + "\n")
		default:
			os.Stdout.WriteString("other: " + err.Error() + "\n")
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// newAsNobody runs New in a subprocess as uid/gid 65534 and returns what it
// printed. The test binary is copied to dir first, since go test's build
// directory is closed to other users. Only root can switch users; others
// skip.
func newAsNobody(t *testing.T, dir, addr string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a subprocess as another user")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "containerd.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), asNobodyEnv+"="+addr)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("subprocess: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestNewPermissionDeniedAsNobody(t *testing.T) {
	addr := listen(t, func(c net.Conn) { c.Close() })
	dir := filepath.Dir(addr)
	// Temp dirs are 0700; the socket itself must be what stops uid 65534.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(addr, 0o600); err != nil {
		t.Fatal(err)
	}
	out := newAsNobody(t, dir, addr)
	t.Log(out)
	if !strings.HasPrefix(out, "ErrPermission: ") || !strings.Contains(out, "permission denied on "+addr) ||
		!strings.Contains(out, "run ctui as root") {
		t.Errorf("as uid 65534 on a 0600 socket: %s", out)
	}
}
