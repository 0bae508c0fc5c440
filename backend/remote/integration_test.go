package remote_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/remote"
	"github.com/ctui/ctui/backend/testbed"
)

// open connects like cmd/ctui does: the transport, then both adapters over
// it, with the socket it found.
func open(ctx context.Context, t *testing.T, sshCmd, endpoint string) (*remote.Transport, remote.Socket, *backend.Backend, error) {
	t.Helper()
	ep, err := remote.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tr, sock, err := remote.Open(ctx, ep, remote.Options{SSH: strings.Fields(sshCmd), ConnectTimeout: 10 * time.Second, Debug: logWriter{t}})
	if err != nil {
		return nil, sock, nil, err
	}
	t.Logf("ssh connected in %v", time.Since(start))
	t.Cleanup(func() { start := time.Now(); tr.Close(); t.Logf("closed in %v", time.Since(start)) })
	cfg := backend.Config{Address: sock.Path, RuntimeEndpoint: "unix://" + sock.Path, Namespace: "default", Timeout: 10 * time.Second, Transport: tr}
	b := &backend.Backend{Config: cfg}
	n, err := containerd.New(ctx, cfg)
	if err != nil {
		return tr, sock, nil, err
	}
	b.Native = n
	c, err := cri.New(ctx, cfg)
	if err != nil {
		n.Close()
		return tr, sock, nil, err
	}
	b.CRI = c
	t.Logf("both APIs in %v", time.Since(start))
	t.Cleanup(func() { b.Close() })
	return tr, sock, b, nil
}

// mustOpen is open through s's ssh command, failing the test on an error.
func mustOpen(ctx context.Context, t *testing.T, s *testbed.SSHD, endpoint string) (*remote.Transport, remote.Socket, *backend.Backend) {
	t.Helper()
	tr, sock, b, err := open(ctx, t, s.SSHCommand, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return tr, sock, b
}

// ctrImages is `ssh host ctr images ls -q`, the reference.
func ctrImages(ctx context.Context, t *testing.T, s *testbed.SSHD, d *testbed.Daemon, ns string) []string {
	t.Helper()
	out, err := s.Run(ctx, "", d.CtrPath, "-a", d.Socket, "-n", ns, "images", "ls", "-q")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}

// seedImages imports the test images into the node's default namespace and
// returns their names as ctr on the node lists them, sorted.
func seedImages(ctx context.Context, t *testing.T, s *testbed.SSHD, d *testbed.Daemon) []string {
	t.Helper()
	if err := d.ImportTestImages(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	want := ctrImages(ctx, t, s, d, "default")
	slices.Sort(want)
	if len(want) == 0 {
		t.Fatal("no test images")
	}
	return want
}

func names(imgs []backend.Image) []string {
	var out []string
	for _, i := range imgs {
		out = append(out, i.Name)
	}
	slices.Sort(out)
	return out
}

// Both APIs over ssh:// against real containerd 1.6 and 2.x behind a real
// sshd on loopback: as root (socket forwarding), as a user that needs sudo
// (a relay run by sudo -n), autodetection on the node (containerd's path,
// then k3s/RKE2's), and each failure as one sentence naming its cause.
func TestOverSSH(t *testing.T) {
	testbed.EachSSHNode(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon, s *testbed.SSHD) {
		want := seedImages(ctx, t, s, d)
		sv, err := exec.CommandContext(ctx, d.CtrPath, "-a", d.Socket, "version").Output()
		if err != nil {
			t.Fatal(err)
		}

		listsLikeCtr := func(t *testing.T, b *backend.Backend) {
			t.Helper()
			got, err := b.Native.Images(ctx, "default")
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); !slices.Equal(g, want) {
				t.Fatalf("images over ssh = %v, ctr on the node says %v", g, want)
			}
			ver, err := b.Native.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(sv), ver.Version) {
				t.Fatalf("version %q not in ctr version's %s", ver.Version, sv)
			}
			rv, err := b.CRI.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rv.RuntimeName != "containerd" {
				t.Fatalf("CRI runtime over ssh = %+v", rv)
			}
		}

		t.Run("root, socket named", func(t *testing.T) {
			_, sock, b := mustOpen(ctx, t, s, s.Endpoint("", d.Socket, false))
			if sock.Path != d.Socket || sock.Why != "named in the endpoint" {
				t.Fatalf("socket = %+v", sock)
			}
			listsLikeCtr(t, b)
		})
		t.Run("CRI exec through the node's loopback stream server", func(t *testing.T) {
			_, ids, err := d.RunPod(ctx, testbed.PodSpec{Name: "sshexec", Containers: []testbed.ContainerSpec{{Name: "sh", Command: []string{"sleep", "2147483647"}}}})
			if err != nil {
				t.Fatal(err)
			}
			_, _, b := mustOpen(ctx, t, s, s.Endpoint(s.User, "", true))
			ex := b.CRI.(backend.Execer)
			var out strings.Builder
			code, err := ex.Exec(ctx, backend.ExecRequest{ContainerID: ids[0], Args: []string{"sh", "-c", "echo hello-over-ssh; exit 3"}, Stdout: &out, Stderr: &out})
			if err != nil || code != 3 || !strings.Contains(out.String(), "hello-over-ssh") {
				t.Fatalf("exec over ssh: code %d, %v, output %q", code, err, out.String())
			}
			out.Reset()
			resize := make(chan backend.TermSize, 1)
			resize <- backend.TermSize{Width: 101, Height: 37}
			code, err = ex.Exec(ctx, backend.ExecRequest{ContainerID: ids[0], TTY: true, Args: []string{"sh", "-c", "sleep 1; stty size"}, Stdout: &out, Size: backend.TermSize{Width: 80, Height: 24}, Resize: resize})
			if err != nil || code != 0 || !strings.Contains(out.String(), "37 101") {
				t.Fatalf("tty exec over ssh after a resize: code %d, %v, output %q", code, err, out.String())
			}
		})
		t.Run("export to a local file, ctr imports it; import back over ssh", func(t *testing.T) {
			_, _, b := mustOpen(ctx, t, s, s.Endpoint(s.User, "", true))
			c := b.Native.(*containerd.Client)
			tar := t.TempDir() + "/busybox.tar"
			var reports int
			n, err := c.ExportImages(ctx, "default", backend.ExportOptions{Refs: []string{testbed.BusyboxImage}, Path: tar}, func(backend.Progress) { reports++ })
			if err != nil || n == 0 || reports == 0 {
				t.Fatalf("export over ssh: %d bytes, %d progress reports, %v", n, reports, err)
			}
			if out, err := exec.CommandContext(ctx, d.CtrPath, "-a", d.Socket, "-n", "sshexport", "images", "import", tar).CombinedOutput(); err != nil {
				t.Fatalf("ctr import of the exported tar: %v: %s", err, out)
			}
			if got := ctrImages(ctx, t, s, d, "sshexport"); !slices.Contains(got, testbed.BusyboxImage) {
				t.Fatalf("ctr lists %v after importing the export", got)
			}
			reports = 0
			imgs, err := c.ImportImages(ctx, "sshimport", backend.ImportOptions{Path: tar}, func(backend.Progress) { reports++ })
			if err != nil || len(imgs) == 0 || reports == 0 {
				t.Fatalf("import over ssh: %v, %d progress reports, %v", imgs, reports, err)
			}
			if got := ctrImages(ctx, t, s, d, "sshimport"); !slices.Contains(got, testbed.BusyboxImage) {
				t.Fatalf("ctr lists %v after the import over ssh", got)
			}
		})
		t.Run("root, autodetected", func(t *testing.T) {
			_, sock, b := mustOpen(ctx, t, s, s.Endpoint("", "", false))
			if sock.Path != "/run/containerd/containerd.sock" || !strings.Contains(sock.Why, "autodetected on the node") {
				t.Fatalf("socket = %+v", sock)
			}
			listsLikeCtr(t, b)
		})
		t.Run("k3s socket autodetected", func(t *testing.T) {
			// sshd again, with the daemon's socket where k3s and
			// RKE2 put theirs and none at containerd's own path.
			restart := func(at string) {
				s.Kill()
				s.AutodetectedAt = at
				if err := s.Start(); err != nil {
					t.Fatal(err)
				}
			}
			restart("/run/k3s/containerd/containerd.sock")
			defer restart("")
			_, sock, b := mustOpen(ctx, t, s, s.Endpoint(s.User, "", true))
			if sock.Path != "/run/k3s/containerd/containerd.sock" || !strings.Contains(sock.Why, "k3s/RKE2") {
				t.Fatalf("socket = %+v", sock)
			}
			listsLikeCtr(t, b)
		})
		t.Run("user with sudo", func(t *testing.T) {
			_, sock, b := mustOpen(ctx, t, s, s.Endpoint(s.User, "", true))
			if sock.Path != "/run/containerd/containerd.sock" {
				t.Fatalf("socket = %+v", sock)
			}
			listsLikeCtr(t, b)
		})

		failures := []struct {
			name, ssh, endpoint string
			kind                error
			says                []string
		}{
			{"user without sudo", s.SSHCommand, s.Endpoint(s.User, d.Socket, false), backend.ErrPermission,
				[]string{"permission denied on " + s.Endpoint(s.User, d.Socket, false), "add ?sudo"}},
			{"sudo asks for a password", s.SSHCommand, s.Endpoint(s.PasswordUser, "", true), backend.ErrPermission,
				[]string{"sudo on ssh://" + s.PasswordUser + "@", "asks for a password", "a password is required", "NOPASSWD"}},
			{"missing remote socket", s.SSHCommand, s.Endpoint("", "/run/nothing/containerd.sock", false), backend.ErrSocketMissing,
				[]string{"/run/nothing/containerd.sock does not exist on the node"}},
			{"wrong host", s.SSHCommand, "ssh://root@no-such-node.invalid", backend.ErrUnavailable,
				[]string{"cannot connect to ssh://root@no-such-node.invalid", "does not resolve", "ssh: ", "Could not resolve hostname"}},
			{"nothing listening", s.SSHCommand, "ssh://root@127.0.0.1:1", backend.ErrUnavailable,
				[]string{"nothing accepts SSH connections", "Connection refused"}},
			{"refused key", s.WrongKeyCommand, s.Endpoint("", d.Socket, false), backend.ErrPermission,
				[]string{"refused the login as root", "Permission denied (publickey)"}},
			{"host key mismatch", s.WrongHostKeyCommand, s.Endpoint("", d.Socket, false), backend.ErrPermission,
				[]string{"host key of 127.0.0.1", "known_hosts", "ssh: ", fmt.Sprintf("ssh-keygen -R '[127.0.0.1]:%d'", s.Port)}},
		}
		for _, f := range failures {
			t.Run(f.name, func(t *testing.T) {
				_, _, _, err := open(ctx, t, f.ssh, f.endpoint)
				if err == nil {
					t.Fatal("connected")
				}
				if !errors.Is(err, f.kind) {
					t.Errorf("kind of %q is not %v", err, f.kind)
				}
				msg := err.Error()
				for _, w := range f.says {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not say %q", msg, w)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error is not one sentence: %q", msg)
				}
			})
		}

		t.Run("lost connection reconnects", func(t *testing.T) {
			_, _, b := mustOpen(ctx, t, s, s.Endpoint("", d.Socket, false))
			listsLikeCtr(t, b)
			s.Kill()
			deadline := time.Now().Add(30 * time.Second)
			var lost error
			for time.Now().Before(deadline) {
				if _, lost = b.Native.Version(ctx); lost != nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !errors.Is(lost, backend.ErrUnavailable) {
				t.Fatalf("after sshd was killed: %v", lost)
			}
			t.Logf("while sshd is down: %v", lost)
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			for {
				_, err := b.Native.Version(ctx)
				_, cerr := b.CRI.Version(ctx)
				if err == nil && cerr == nil {
					break
				}
				if time.Now().After(deadline.Add(30 * time.Second)) {
					t.Fatalf("no reconnect after sshd came back: %v / %v", err, cerr)
				}
				time.Sleep(100 * time.Millisecond)
			}
			listsLikeCtr(t, b)
		})
	})
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want remote.Endpoint
		str  string
		err  string
	}{
		{in: "ssh://node1", want: remote.Endpoint{Host: "node1"}, str: "ssh://node1"},
		{in: "ssh://admin@node1:2222/run/k3s/containerd/containerd.sock?sudo",
			want: remote.Endpoint{User: "admin", Host: "node1", Port: "2222", Socket: "/run/k3s/containerd/containerd.sock", Sudo: true},
			str:  "ssh://admin@node1:2222/run/k3s/containerd/containerd.sock?sudo"},
		{in: "ssh://u@[::1]:22/", want: remote.Endpoint{User: "u", Host: "::1", Port: "22"}, str: "ssh://u@[::1]:22"},
		{in: "ssh://u@h?sudo=false", want: remote.Endpoint{User: "u", Host: "h"}, str: "ssh://u@h"},
		{in: "ssh://u:secret@h", err: "holds a password"},
		{in: "ssh://", err: "names no host"},
		{in: "ssh://-oProxyCommand=x", err: "may not start with '-'"},
		{in: "ssh://h?port=2", err: "unknown option"},
		{in: "ssh://h?sudo=maybe", err: "sudo="},
	} {
		got, err := remote.Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) error %v, want %q", tc.in, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("Parse(%q) repeats the password: %v", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("Parse(%q) = %+v (%q), %v; want %+v (%q)", tc.in, got, got.String(), err, tc.want, tc.str)
		}
	}
}

// logWriter sends ssh's messages to the test's log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
