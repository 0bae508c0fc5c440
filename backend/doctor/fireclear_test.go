package doctor_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/testbed"
)

// TestSandboxImagePinned: the sandbox image configured by a short name
// (pause:3.10) and present in k8s.io, where containerd stores it as
// docker.io/library/pause:3.10. containerd 2.x pins only the image stored
// under exactly the configured string, so it is not pinned (ctr shows no
// pinned label, CRI pinned=false) and the check warns with the full name
// as the fix; written so and containerd restarted, 2.x pins it and the
// check clears. containerd 1.6 pins no image: OK both times.
func TestSandboxImagePinned(t *testing.T) {
	const short, full = "pause:3.10", "docker.io/library/pause:3.10"
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			n := startNode(t, v, testbed.WithConfigEdit(func(s string) string { return strings.ReplaceAll(s, testbed.PauseImage, short) }))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			must(t, n.d.ImportTestImages(ctx, "k8s.io"))
			if out, err := n.d.Ctr(ctx, "-n", "k8s.io", "images", "tag", testbed.PauseImage, full); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			f := n.waitSandboxPresent()
			if v == testbed.V2 {
				want(t, f, doctor.WARN, "The sandbox image "+short+" is present but not pinned", "stores this one as "+full,
					"crictl images --pinned: "+full+" pinned=false", `[plugins."io.containerd.cri.v1.images".pinned_images]`,
					`sandbox = "`+full+`"`, "systemctl restart containerd")
				if l := n.imageLabels(ctx, full); strings.Contains(l, "io.cri-containerd.pinned") {
					t.Errorf("ctr shows %s pinned while CRI says it is not: %s", full, l)
				}
			} else {
				want(t, f, doctor.OK, "pins no image")
			}
			n.restart(func(s string) string { return strings.ReplaceAll(s, `"`+short+`"`, `"`+full+`"`) })
			f = n.waitSandboxPresent()
			if v == testbed.V2 {
				want(t, f, doctor.OK, "The sandbox image "+full+" is in k8s.io, pinned.")
				if l := n.imageLabels(ctx, full); !strings.Contains(l, "io.cri-containerd.pinned=pinned") {
					t.Errorf("ctr does not show %s pinned after the restart: %s", full, l)
				}
			} else {
				want(t, f, doctor.OK, "pins no image")
			}
		})
	}
}

// waitSandboxPresent runs the sandbox-image check until CRI lists the
// image (it learns of a tag from containerd's events).
func (n *node) waitSandboxPresent() doctor.Finding {
	n.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		f := n.run("sandbox-image")
		if f.Status != doctor.FAIL || time.Now().After(deadline) {
			return f
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// imageLabels is ctr's line for an image in k8s.io (its labels last).
func (n *node) imageLabels(ctx context.Context, ref string) string {
	n.t.Helper()
	out, err := n.d.Ctr(ctx, "-n", "k8s.io", "images", "ls", "name=="+ref)
	must(n.t, err)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, ref+" ") {
			return l
		}
	}
	n.t.Fatalf("ctr images ls has no %s:\n%s", ref, out)
	return ""
}

// TestConfigAtDefaultPath: a daemon started without --config reads
// /etc/containerd/config.toml (the test bed binds its file there in the
// daemon's own mount namespace; the node's root holds the same file at
// that path). Doctor finds the file by the default path: its unknown key
// warns with /etc/containerd/config.toml:line, fixes name that file, and
// with the key removed and the daemon restarted the check clears, saying
// how the file was found.
func TestConfigAtDefaultPath(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			n := startNode(t, v, testbed.WithConfigAtDefaultPath(), testbed.WithConfigEdit(func(s string) string {
				return strings.Replace(s, "root = ", "oom_scor = 0\nroot = ", 1)
			}))
			cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", n.d.PID()))
			must(t, err)
			if strings.Contains(string(cmdline), "--config") || strings.Contains(string(cmdline), "config.toml") {
				t.Fatalf("the daemon was started with a config flag: %q", cmdline)
			}
			must(t, os.MkdirAll(n.path("/etc/containerd"), 0o755))
			must(t, os.Symlink(filepath.Join(n.d.Dir, "config.toml"), n.path(doctor.DefaultConfigPath)))

			want(t, n.run("containerd-config"), doctor.WARN, "/etc/containerd/config.toml has top-level keys", "/etc/containerd/config.toml:2: oom_scor = 0")
			n.write("/var/lib/kubelet/config.yaml", "cgroupDriver: systemd\n")
			want(t, n.run("cgroup-driver"), doctor.FAIL, "In /etc/containerd/config.toml:\n"+runcOptionsTable(v))
			n.remove("/var/lib/kubelet")

			n.restart(func(s string) string { return strings.Replace(s, "oom_scor = 0\n", "", 1) })
			version := "2"
			if v == testbed.V2 {
				version = "3"
			}
			want(t, n.run("containerd-config"), doctor.OK, fmt.Sprintf("/etc/containerd/config.toml (found by the default path (containerd, pid %d, has no --config), version %s) reads cleanly.", n.d.PID(), version))
		})
	}
}

// TestOOMFireAndClear: containerd-config's oom settings on real daemons.
// restrict_oom_score_adj = false where containerd lacks CAP_SYS_RESOURCE
// (every sandbox fails) is a FAIL; oom_score = -500 is one containerd
// cannot apply without it (it starts with a logged error and keeps
// oom_score_adj 0): a WARN. Each is put right in the file and the daemon
// restarted, and the check clears.
func TestOOMFireAndClear(t *testing.T) {
	if capSysResource() {
		t.Skip("this machine grants CAP_SYS_RESOURCE: pods start and oom_score applies, nothing to find")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			n := startNode(t, v, testbed.WithConfigEdit(func(s string) string {
				s = strings.Replace(s, "restrict_oom_score_adj = true", "restrict_oom_score_adj = false", 1)
				return strings.Replace(s, "root = ", "oom_score = -500\nroot = ", 1)
			}))
			table := `[plugins."io.containerd.grpc.v1.cri"]`
			if v == testbed.V2 {
				table = `[plugins."io.containerd.cri.v1.runtime"]`
			}
			want(t, n.run("containerd-config"), doctor.FAIL, "every pod sandbox fails", "no CAP_SYS_RESOURCE", "restrict_oom_score_adj = false", table, "restrict_oom_score_adj = true")

			n.restart(func(s string) string {
				return strings.Replace(s, "restrict_oom_score_adj = false", "restrict_oom_score_adj = true", 1)
			})
			pid := strconv.Itoa(n.d.PID())
			want(t, n.run("containerd-config"), doctor.WARN, "oom_score = -500 is set but containerd runs with oom_score_adj 0",
				"config.toml:2: oom_score = -500", "/proc/"+pid+"/oom_score_adj: 0", "remove oom_score")

			n.restart(func(s string) string { return strings.Replace(s, "oom_score = -500\n", "", 1) })
			want(t, n.run("containerd-config"), doctor.OK, "reads cleanly")
		})
	}
}

// TestVersion3ConfigOn1x: a containerd 1.6 whose config file was rewritten
// in 2.x's version 3 (an upgrade guide followed on the wrong node). Doctor
// fails it with the 2.x tables it ignores and how to write version 2. 1.6
// really starts on such a file (it takes it for version 2), and its CRI
// then runs on defaults: the sandbox image is 1.6's own, not the file's.
// The file put back in version 2 and the daemon restarted, it clears.
func TestVersion3ConfigOn1x(t *testing.T) {
	n := startNode(t, testbed.V16)
	cfg := filepath.Join(n.d.Dir, "config.toml")
	v3 := fmt.Sprintf("version = 3\nroot = %q\nstate = %q\n\n[grpc]\n  address = %q\n\n"+
		"[plugins.\"io.containerd.cri.v1.images\".pinned_images]\n  sandbox = %q\n\n"+
		"[plugins.\"io.containerd.cri.v1.runtime\"]\n  restrict_oom_score_adj = true\n",
		n.d.Dir+"/root", n.d.Dir+"/state", n.d.Socket, testbed.PauseImage)
	v2 := n.editConfig(func(string) string { return v3 })
	checkV3 := func() {
		t.Helper()
		want(t, n.run("containerd-config"), doctor.FAIL, cfg+" is a version 3 config, which containerd 1.6", "do not apply",
			cfg+":1: version = 3", cfg+`:8: [plugins."io.containerd.cri.v1.images"] (a containerd 2.x plugin: 1.x ignores its settings)`,
			"pinned_images.sandbox -> sandbox_image", "containerd config default > "+cfg+".new", "systemctl restart containerd")
	}
	checkV3()
	// 1.6 starts on it, CRI on its defaults.
	n.restart(func(string) string { return v3 })
	checkV3()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := n.b.CRI.Status(ctx)
	must(t, err)
	if img := backend.ParseCRIConfig(st.Info).SandboxImage; img == testbed.PauseImage || img == "" {
		t.Errorf("1.6 on a version 3 file uses sandbox image %q: the file's pinned_images.sandbox was expected to be ignored", img)
	}
	n.restart(func(string) string { return v2 })
	want(t, n.run("containerd-config"), doctor.OK, "version 2")
}

// TestConfigVersionTooNew (2.x): the daemon's file rewritten with a config
// version newer than it reads (5; 2.4 reads 4) fails, and containerd
// itself refuses the file (config dump); put back, it clears.
func TestConfigVersionTooNew(t *testing.T) {
	n := startNode(t, testbed.V2)
	cfg := filepath.Join(n.d.Dir, "config.toml")
	orig := n.editConfig(func(s string) string { return strings.Replace(s, "version = 3", "version = 5", 1) })
	want(t, n.run("containerd-config"), doctor.FAIL, cfg+" is a version 5 config, which containerd 2.", "reads version 4 at most", cfg+":1: version = 5", "containerd --config "+cfg+" config dump")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(n.d.BinDir, "containerd"), "--config", cfg, "config", "dump").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "expected containerd config version equal to or less than `4`, got `5`") {
		t.Errorf("containerd 2.x read a version 5 file (%v):\n%s", err, out)
	}
	n.editConfig(func(string) string { return orig })
	want(t, n.run("containerd-config"), doctor.OK, "version 3")
}
