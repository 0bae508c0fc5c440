package cri

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
)

// TestHealthFactsAgainstContainerd reads the CRI facts the health page shows
// from real 1.6 and 2.x daemons, each in its own config layout (COMPAT §6).
func TestHealthFactsAgainstContainerd(t *testing.T) {
	testbed.EachVersion(t, time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		c, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := st.Condition(backend.ConditionNetworkReady); !ok || c.Status || c.Reason != "NetworkPluginNotReady" || !strings.Contains(c.Message, "cni plugin not initialized") {
			t.Errorf("NetworkReady without CNI config: %+v", c)
		}
		cfg := backend.ParseCRIConfig(st.Info)
		if !cfg.Parsed || cfg.DefaultRuntime != "runc" || cfg.RuntimeType != "io.containerd.runc.v2" ||
			cfg.CNIConfDir != "/etc/cni/net.d" || !slices.Equal(cfg.CNIBinDirs, []string{"/opt/cni/bin"}) ||
			!strings.Contains(cfg.LastCNILoadStatus, "no network config found") || cfg.CgroupDriverFromConfig() != "cgroupfs" {
			t.Errorf("common facts: %+v", cfg)
		}
		fs, err := c.ImageFsInfo(ctx)
		if err != nil || len(fs) == 0 || backend.SnapshotterFromMountpoint(fs[0].Mountpoint) != "overlayfs" {
			t.Fatalf("ImageFsInfo %+v %v", fs, err)
		}
		space, err := backend.Statfs(fs[0].Mountpoint)
		if err != nil || space.Total == 0 || space.UsedPercent() <= 0 {
			t.Errorf("statfs %s: %+v %v", fs[0].Mountpoint, space, err)
		}
		driver, err := c.CgroupDriver(ctx)
		switch d.Version {
		case testbed.V16:
			if cfg.V2 || cfg.SandboxImage == "" || cfg.Snapshotter != "overlayfs" || !cfg.HasRegistry ||
				cfg.StreamAddress != "127.0.0.1" || cfg.HasSystemdCgroup {
				t.Errorf("1.6 layout: %+v", cfg)
			}
			if _, ok := st.Condition(backend.ConditionNoDeprecationWarnings); ok {
				t.Error("1.6 reports deprecation warnings as a condition")
			}
			if !errors.Is(err, backend.ErrUnsupported) {
				t.Errorf("RuntimeConfig on 1.6: %q %v", driver, err)
			}
		default:
			if !cfg.V2 || cfg.SandboxImage != "" || cfg.Snapshotter != "" || cfg.HasRegistry || cfg.StreamAddress != "" ||
				!cfg.HasSystemdCgroup || cfg.SystemdCgroup {
				t.Errorf("2.x layout: %+v", cfg)
			}
			if _, ok := st.Condition(backend.ConditionNoDeprecationWarnings); !ok {
				t.Errorf("2.x conditions: %+v", st.Conditions)
			}
			if err != nil || driver != "cgroupfs" {
				t.Errorf("RuntimeConfig on 2.x: %q %v", driver, err)
			}
		}
	})
}
