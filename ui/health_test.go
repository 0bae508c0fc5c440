package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/uitest"
)

// TestHealthCommandOpensOnce: :health and :node open the health page at
// 80x24 under the header, and asking again goes back to it.
func TestHealthCommandOpensOnce(t *testing.T) {
	n := newNode(3)
	m := start(t, n, 80, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "node")
	m = keys(t, m, "enter")
	s := screen(m)
	lines := strings.Split(s, "\n")
	if len(lines) != 24 || !strings.Contains(s, "CONTAINERD") || !strings.Contains(s, "version               v2.1.4 (revision abc)") ||
		!strings.HasPrefix(lines[2], "OK") {
		t.Fatalf(":node:\n%s", s)
	}
	depth := len(m.pages)
	m = keys(t, m, ":")
	m = typed(t, m, "health")
	m = keys(t, m, "enter")
	if len(m.pages) != depth {
		t.Errorf(":health stacked a second page: %d", len(m.pages))
	}
}

// TestHealthOnRealDaemons opens the page on containerd 1.6 and 2.x with
// CRI, and on daemons without it, through the real adapters.
func TestHealthOnRealDaemons(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		for _, withCRI := range []bool{true, false} {
			name := string(v)
			if !withCRI {
				name += " without CRI"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				defer cancel()
				var opts []testbed.Option
				if !withCRI {
					opts = append(opts, testbed.WithoutCRI())
				}
				d := testbed.Start(t, v, opts...)
				cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Namespace: "default", Timeout: 5 * time.Second}
				nc, err := containerd.New(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				b := &backend.Backend{Config: cfg, Native: nc}
				if rc, err := cri.New(ctx, cfg); err != nil {
					b.CRIErr = err
				} else {
					b.CRI = rc
				}
				defer b.Close()
				want := []string{"CRI", "IMAGE FILESYSTEM"}
				switch {
				case !withCRI:
					want = append(want, "CRI: "+b.CRIErr.Error()[:20], "needs CRI (ImageFsInfo)")
				case v == testbed.V16:
					want = append(want, "ERROR  NetworkReady=false: NetworkPluginNotReady", "deprecations          not reported",
						"sandbox image         localhost/test/busybox:pause", "stream server         127.0.0.1:0",
						"% used,")
				default:
					want = append(want, "ERROR  NetworkReady=false: NetworkPluginNotReady", "ContainerdHasNoDeprecationWarnings",
						"moved to io.containerd.cri.v1.images", "cgroup driver         cgroupfs  (CRI RuntimeConfig",
						"registry config_path  /etc/containerd/certs.d:/etc/docker/certs.d  (from introspection", "% used,")
				}
				// The page's parts come from the daemon when it answers
				// (seconds on a loaded machine): wait until every one shows.
				dr := &driver{t: t, m: New(ctx, b, Options{NoColor: true, Clock: testclock.Clock()}), loop: uitest.NewLoop(t)}
				dr.send(tea.WindowSizeMsg{Width: 120, Height: 200})
				dr.loop.Run(dr.m.Init())
				dr.command("health")
				dr.until("the health page with every part", time.Minute, func(m Model) bool {
					s := screen(m)
					if !hasPlugin(s, "overlayfs", "ok") || v == testbed.V16 && !hasPlugin(s, "zfs", "skip") {
						return false
					}
					for _, w := range want {
						if !strings.Contains(s, w) {
							return false
						}
					}
					return true
				})
			})
		}
	}
}

// hasPlugin finds the snapshotter's row in the plugin table.
func hasPlugin(screen, id, state string) bool {
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "io.containerd.snapshotter.v1" && f[1] == id && f[2] == state {
			return true
		}
	}
	return false
}
