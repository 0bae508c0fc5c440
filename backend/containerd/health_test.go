package containerd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
)

// TestHealthAgainstContainerd reads the daemon's own health from real 1.6
// and 2.x daemons: plugins as `ctr plugins ls` shows them, the server's
// identity, and the snapshotter a namespace label picks.
func TestHealthAgainstContainerd(t *testing.T) {
	testbed.EachVersion(t, time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()

		h, err := c.Health(ctx, "health")
		if err != nil {
			t.Fatal(err)
		}
		if h.Version.Version == "" || h.UUID == "" || h.ServerErr != nil {
			t.Errorf("version %+v uuid %q server error %v", h.Version, h.UUID, h.ServerErr)
		}
		if p, ok := h.Plugin("io.containerd.snapshotter.v1", "overlayfs"); !ok || p.State != backend.PluginOK || p.InitErr != "" || len(p.Platforms) == 0 {
			t.Errorf("overlayfs: %+v %v", p, ok)
		}
		// The test bed's root is not on ZFS (1.6 has a zfs
		// snapshotter) and has no scratch file for blockfile (2.x): the
		// snapshotter steps aside and says why, as `ctr plugins ls`
		// shows it.
		skipped, why := "zfs", "must be a zfs filesystem"
		if d.Version != testbed.V16 {
			skipped, why = "blockfile", "no scratch file generator"
		}
		sp, ok := h.Plugin("io.containerd.snapshotter.v1", skipped)
		if !ok || sp.State != backend.PluginSkip || !strings.Contains(sp.InitErr, why) {
			t.Errorf("%s: %+v %v", skipped, sp, ok)
		}
		ok0, skip, failed := h.PluginCounts()
		if ok0 < 20 || skip == 0 || ok0+skip+failed != len(h.Plugins) {
			t.Errorf("counts ok %d skip %d error %d of %d", ok0, skip, failed, len(h.Plugins))
		}
		ls, err := d.Ctr(ctx, "plugins", "ls")
		if err != nil {
			t.Fatal(err)
		}
		// ctr's output is combined with its warnings: count the rows.
		if n := strings.Count(ls, "\nio.containerd."); n != len(h.Plugins) {
			t.Errorf("ctr lists %d plugins, Health %d:\n%s", n, len(h.Plugins), ls)
		}
		if h.Snapshotter != "overlayfs" || !strings.Contains(h.SnapshotterSource, "default") {
			t.Errorf("snapshotter %q from %q", h.Snapshotter, h.SnapshotterSource)
		}
		switch d.Version {
		case testbed.V16:
			// 1.6 answers Server with the UUID alone.
			if h.ServerDetails || h.PID != 0 || h.Deprecations != nil {
				t.Errorf("1.6 server details: %+v", h)
			}
		default:
			if !h.ServerDetails || h.PID != uint64(d.PID()) {
				t.Errorf("pid %d, daemon %d", h.PID, d.PID())
			}
			p, ok := h.Plugin("io.containerd.cri.v1", "images")
			if !ok || p.State != backend.PluginOK || p.Exports["RegistryConfigPath"] == "" {
				t.Errorf("2.x CRI images plugin: %+v", p)
			}
		}

		if _, err := d.Ctr(ctx, "namespaces", "create", "native-ns", backend.SnapshotterLabel+"=native"); err != nil {
			t.Fatal(err)
		}
		h, err = c.Health(ctx, "native-ns")
		if err != nil || h.Snapshotter != "native" || !strings.Contains(h.SnapshotterSource, "native-ns") {
			t.Errorf("labelled namespace: %q from %q, %v", h.Snapshotter, h.SnapshotterSource, err)
		}
	})
}

// TestHealthWithoutCRI: a containerd without the CRI plugin still reports
// its plugins, and CRI says why it cannot answer.
func TestHealthWithoutCRI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			d := testbed.Start(t, v, testbed.WithoutCRI())
			cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Timeout: 5 * time.Second}
			c, err := New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			h, err := c.Health(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := h.Plugin("io.containerd.snapshotter.v1", "overlayfs"); !ok {
				t.Errorf("no overlayfs among %d plugins", len(h.Plugins))
			}
			if _, err := cri.New(ctx, cfg); !errors.Is(err, backend.ErrCRIUnavailable) {
				t.Errorf("CRI on a daemon without it: %v", err)
			}
		})
	}
}
