package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// twoContexts starts containerd 1.6 on this machine (context "a", its
// socket) and 2.x behind sshd on loopback (context "b", over ssh:// with
// sudo, readonly, in namespace k8s.io), each with an image name only it
// has, and a context "gone" whose node does not resolve. It returns the
// environment that finds the config file and the test's ssh.
func twoContexts(t *testing.T) (xdg string, sshCmd string) {
	t.Helper()
	da, db := testbed.Start(t, testbed.V16), testbed.Start(t, testbed.V2)
	sshd := testbed.StartSSHD(t, db.Socket)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, x := range []struct {
		d      *testbed.Daemon
		ns, as string
	}{{da, "default", "localhost/only/on-a:1"}, {db, "k8s.io", "localhost/only/on-b:1"}} {
		if err := x.d.ImportTestImages(ctx, x.ns); err != nil {
			t.Fatal(err)
		}
		if out, err := x.d.Ctr(ctx, "-n", x.ns, "images", "tag", testbed.BusyboxImage, x.as); err != nil {
			t.Fatalf("tag: %v: %s", err, out)
		}
	}
	xdg = t.TempDir()
	if err := os.MkdirAll(filepath.Join(xdg, "ctui"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "contexts:\n" +
		"  - name: a\n    endpoint: " + da.Socket + "\n" +
		"  - name: b\n    endpoint: " + sshd.Endpoint(sshd.User, "", false) + "\n    namespace: k8s.io\n    sudo: true\n    readonly: true\n" +
		"  - name: gone\n    endpoint: ssh://root@no-such-node.invalid\n"
	if err := os.WriteFile(filepath.Join(xdg, "ctui", "config.yaml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return xdg, sshd.SSHCommand
}

// TestContextSwitch connects to each context of the file as :ctx does,
// against real daemons: the new connection lists the other daemon's images
// in the context's namespace, with its readonly; a node that cannot be
// reached fails in one sentence and leaves no connection to switch to.
func TestContextSwitch(t *testing.T) {
	xdg, sshCmd := twoContexts(t)
	getenv := mapEnv(map[string]string{"XDG_CONFIG_HOME": xdg, envSSH: sshCmd, "HOME": t.TempDir()})
	// Flags that name a node and namespace give way to the context; the
	// timeout still counts.
	o := parse(t, "--context", "a", "-n", "other", "-t", "20s")
	sw := &contextSwitcher{o: *o, getenv: getenv}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	list, err := sw.Contexts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[1].Name != "b" || !list[1].Sudo || !list[1].Readonly || list[1].Namespace != "k8s.io" {
		t.Fatalf("contexts: %+v", list)
	}

	for _, tc := range []struct {
		name, ns, only, version string
		readonly, remote        bool
	}{
		{"b", "k8s.io", "localhost/only/on-b:1", "2.", true, true},
		{"a", "default", "localhost/only/on-a:1", "1.6", false, false},
	} {
		if err := sw.Connect(ctx, tc.name); err != nil {
			t.Fatalf("connect %s: %v", tc.name, err)
		}
		next := sw.take()
		if next == nil {
			t.Fatalf("connect %s: nothing to switch to", tc.name)
		}
		defer next.b.Close()
		c := next.cfg
		if c.Context != tc.name || c.Namespace != tc.ns || c.Readonly != tc.readonly || (c.Remote != "") != tc.remote || c.Timeout != 20*time.Second {
			t.Errorf("context %s: config %+v", tc.name, c)
		}
		if next.b.Native == nil || next.b.CRI == nil {
			t.Fatalf("context %s: containerd %v, CRI %v", tc.name, next.b.NativeErr, next.b.CRIErr)
		}
		v, err := next.b.Native.Version(ctx)
		if err != nil || !strings.HasPrefix(v.Version, tc.version) && !strings.HasPrefix(strings.TrimPrefix(v.Version, "v"), tc.version) {
			t.Errorf("context %s: version %+v, %v", tc.name, v, err)
		}
		imgs, err := next.b.Native.Images(ctx, c.Namespace)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(imgs))
		for i, im := range imgs {
			names[i] = im.Name
		}
		if !slices.Contains(names, tc.only) || slices.Contains(names, "localhost/only/on-a:1") && tc.name == "b" {
			t.Errorf("context %s lists %v", tc.name, names)
		}
	}

	err = sw.Connect(ctx, "gone")
	if err == nil || !strings.Contains(err.Error(), "does not resolve") || strings.Contains(err.Error(), "\n") {
		t.Errorf("connect to an unreachable node: %v", err)
	}
	if sw.take() != nil {
		t.Error("a failed switch left a connection to switch to")
	}
	if err := sw.Connect(ctx, "nope"); err == nil || !strings.Contains(err.Error(), `no context "nope"`) {
		t.Errorf("unknown context: %v", err)
	}
}
