package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/ctui/ctui/backend/testbed"
)

// TestDoctorUnreachableRemote: `ctui doctor` against an ssh:// node that
// cannot be reached says why in one line and exits 1 (the checks over a
// reachable node are in backend/remote and the ssh end-to-end test).
func TestDoctorUnreachableRemote(t *testing.T) {
	out, code := runCtui(t, nil, "doctor", "-a", "ssh://root@127.0.0.1:1")
	if code != 1 || !strings.Contains(out, "cannot connect to ssh://root@127.0.0.1:1") ||
		!strings.Contains(out, "nothing accepts SSH connections") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("exit %d, want 1 and one line naming the cause:\n%s", code, out)
	}
}

// TestDoctorUnreadableFiles: files the doctor cannot read (ctui run as root
// without CAP_DAC_OVERRIDE, the files mode 000) make their checks SKIP with
// the reason, never OK, on real daemons.
func TestDoctorUnreadableFiles(t *testing.T) {
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v, cniInDir(v))
			r := newDoctorRoot(t, d)
			root, write := r.dir, r.write
			r.writeCNI(d)
			// Kernel files all right but one.
			for _, m := range []string{"overlay", "br_netfilter"} {
				write("/sys/module/"+m+"/.keep", "", 0o644)
			}
			write("/sys/fs/cgroup/cgroup.controllers", "cpu\n", 0o644)
			write("/proc/sys/net/bridge/bridge-nf-call-iptables", "1\n", 0o644)
			write("/proc/swaps", "Filename Type Size Used Priority\n", 0o644)
			// Unreadable: kubelet's config, crictl.yaml, a hosts.toml, a
			// registries.yaml, a sysctl and the daemon's own config file.
			write("/var/lib/kubelet/config.yaml", "cgroupDriver: cgroupfs\n", 0)
			write("/etc/crictl.yaml", "runtime-endpoint: "+d.Endpoint+"\n", 0)
			write("/etc/containerd/certs.d/docker.io/hosts.toml", "server = \"https://registry-1.docker.io\"\n", 0)
			write("/etc/rancher/k3s/registries.yaml", "mirrors: {}\n", 0)
			write("/proc/sys/net/ipv4/ip_forward", "1\n", 0)
			run := func() map[string]string {
				t.Helper()
				args := []string{"--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search",
					ctuiBin, "doctor", "-a", d.Socket, "-r", d.Endpoint, "--host-root", root}
				out, _ := exec.Command("setpriv", args...).CombinedOutput()
				t.Logf("ctui doctor without CAP_DAC_OVERRIDE:\n%s", out)
				lines := map[string]string{}
				for _, l := range strings.Split(string(out), "\n") {
					if f := strings.Fields(l); len(f) > 1 && strings.Contains("OK WARN FAIL SKIP", f[0]) {
						lines[f[1]] = l
					}
				}
				return lines
			}
			lines := run()
			for check, parts := range map[string][]string{
				"cgroup-driver": {"/var/lib/kubelet/config.yaml (permission denied): run ctui doctor as root"},
				"crictl":        {"/etc/crictl.yaml (permission denied)"},
				"kernel":        {"/proc/sys/net/ipv4/ip_forward (permission denied)"},
			} {
				l := lines[check]
				if !strings.HasPrefix(l, "SKIP") {
					t.Errorf("%s is not SKIP: %q", check, l)
				}
				for _, p := range parts {
					if !strings.Contains(l, p) {
						t.Errorf("%s does not say %q: %q", check, p, l)
					}
				}
				if strings.Count(l, "permission denied") != len(parts) {
					t.Errorf("%s says permission denied %d times for %d files: %q", check, strings.Count(l, "permission denied"), len(parts), l)
				}
			}
			// 1.6 without config_path reads no hosts.toml: the check
			// warns of that instead (a WARN outranks a SKIP).
			if l := lines["registry"]; v == testbed.V16 {
				if !strings.HasPrefix(l, "WARN") || !strings.Contains(l, "CRI reads none: config_path is not set") {
					t.Errorf("registry on 1.6: %q", l)
				}
			} else if !strings.HasPrefix(l, "SKIP") || !strings.Contains(l, "/etc/containerd/certs.d/docker.io/hosts.toml (permission denied)") ||
				!strings.Contains(l, "/etc/rancher/k3s/registries.yaml (permission denied)") {
				t.Errorf("registry does not SKIP naming both files: %q", l)
			}
			// The CNI conf dir, which containerd (root, with every
			// capability) reads and ctui here cannot: SKIP, then OK.
			confDir := filepath.Join(d.Dir, "cni/net.d")
			if err := os.Chmod(confDir, 0); err != nil {
				t.Fatal(err)
			}
			if l := run()["cni"]; !strings.HasPrefix(l, "SKIP") || !strings.Contains(l, "cannot read "+confDir+" (permission denied): run ctui doctor as root") {
				t.Errorf("cni with its conf dir unreadable: %q", l)
			}
			if err := os.Chmod(confDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if l := run()["cni"]; !strings.HasPrefix(l, "OK") {
				t.Errorf("cni with its conf dir readable again: %q", l)
			}
			// The daemon's config file.
			if err := os.Chmod(filepath.Join(d.Dir, "config.toml"), 0); err != nil {
				t.Fatal(err)
			}
			if l := run()["containerd-config"]; !strings.HasPrefix(l, "SKIP") || !strings.Contains(l, d.Dir+"/config.toml (permission denied)") {
				t.Errorf("containerd-config with its file unreadable: %q", l)
			}
		})
	}
}

// doctorRoot is a node root for `ctui doctor --host-root` over a real
// daemon: its /proc entry and its directory are linked in, the rest is the
// test's.
type doctorRoot struct {
	t   *testing.T
	dir string
}

func newDoctorRoot(t *testing.T, d *testbed.Daemon) *doctorRoot {
	r := &doctorRoot{t: t, dir: t.TempDir()}
	r.link(fmt.Sprintf("/proc/%d", d.PID()))
	r.link(d.Dir)
	return r
}

// write writes a node file with mode (set even under the umask).
func (r *doctorRoot) write(p, content string, mode os.FileMode) {
	r.t.Helper()
	full := filepath.Join(r.dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Chmod(full, mode); err != nil {
		r.t.Fatal(err)
	}
}

// link shows this machine's p at the same path on the node.
func (r *doctorRoot) link(p string) {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.dir, p)), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Symlink(p, filepath.Join(r.dir, p)); err != nil {
		r.t.Fatal(err)
	}
}

// cniInDir points CRI's CNI conf and bin dirs into the daemon's directory,
// in its version's schema.
func cniInDir(v testbed.Version) testbed.Option {
	if v == testbed.V2 {
		return testbed.WithConfigExtra("[plugins.\"io.containerd.cri.v1.runtime\".cni]\n  conf_dir = \"{{.Dir}}/cni/net.d\"\n  bin_dirs = [\"{{.Dir}}/cni/bin\"]\n")
	}
	return testbed.WithConfigExtra("[plugins.\"io.containerd.grpc.v1.cri\".cni]\n  conf_dir = \"{{.Dir}}/cni/net.d\"\n  bin_dir = \"{{.Dir}}/cni/bin\"\n")
}

// writeCNI writes a conflist and its plugins' binaries into the daemon's
// CNI dirs (cniInDir) and waits until ctui doctor finds CNI ready (CRI
// loads the config when it sees it).
func (r *doctorRoot) writeCNI(d *testbed.Daemon) {
	r.t.Helper()
	for _, b := range []string{"bridge", "host-local", "portmap"} {
		r.write(filepath.Join(d.Dir, "cni/bin", b), "#!/bin/sh\nexit 1\n", 0o755)
	}
	r.write(filepath.Join(d.Dir, "cni/net.d/10-test.conflist"), `{"cniVersion": "1.0.0", "name": "test-net", "plugins": [
  {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}`, 0o644)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		out, _ := runCtui(r.t, nil, "doctor", "-a", d.Socket, "-r", d.Endpoint, "--host-root", r.dir, "--check", "cni")
		if strings.HasPrefix(out, "OK") {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("CNI never became ready:\n%s", out)
		}
	}
}

// runCtuiPty runs the binary with its standard output on a terminal (a
// pty) and returns what it wrote there.
func runCtuiPty(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctuiBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TERM=xterm-256color"}, env...)
	f, err := pty.Start(cmd)
	if err != nil {
		t.Fatalf("run ctui %v on a pty: %v", args, err)
	}
	defer f.Close()
	// The read ends with EIO once the program has exited and closed it.
	out, _ := io.ReadAll(f)
	cmd.Wait()
	return strings.ReplaceAll(string(out), "\r\n", "\n")
}
