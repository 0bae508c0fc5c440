package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctui/ctui/backend/testbed"
)

// TestDoctorCLI runs `ctui doctor` on real daemons with a node root of the
// test's: the verdict lines, evidence and fix of a FAIL, the exit codes of
// FAIL, WARN and OK, --check, --output json, and no colour off a terminal.
func TestDoctorCLI(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			root := t.TempDir()
			write := func(p, content string) {
				t.Helper()
				full := filepath.Join(root, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// The daemon's /proc entry and directory are the real ones.
			link := func(p string) {
				t.Helper()
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(p, filepath.Join(root, p)); err != nil {
					t.Fatal(err)
				}
			}
			link(fmt.Sprintf("/proc/%d", d.PID()))
			link(d.Dir)
			write("/var/lib/kubelet/config.yaml", "cgroupDriver: systemd\n")
			write("/sys/module/overlay/.keep", "")
			write("/sys/module/br_netfilter/.keep", "")
			write("/sys/fs/cgroup/cgroup.controllers", "cpu\n")
			write("/proc/sys/net/ipv4/ip_forward", "1\n")
			write("/proc/sys/net/bridge/bridge-nf-call-iptables", "1\n")
			write("/proc/swaps", "Filename Type Size Used Priority\n")
			args := []string{"doctor", "-a", d.Socket, "-r", d.Endpoint, "--host-root", root}

			out, code := runCtui(t, nil, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (a FAIL):\n%s", code, out)
			}
			for _, want := range []string{
				"FAIL  cgroup-driver      kubelet uses the systemd cgroup driver but containerd's runc uses cgroupfs",
				"      evidence: /var/lib/kubelet/config.yaml:1: cgroupDriver: systemd",
				"      fix:\n        In " + d.Dir + "/config.toml:\n",
				"          SystemdCgroup = true\n",
				"FAIL  sandbox-image",
				"OK    cri-plugin",
				"OK    kernel ",
				"\ndoctor: ",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("ctui doctor lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("colour off a terminal:\n%q", out)
			}

			out, code = runCtui(t, nil, append(args, "--check", "kernel")...)
			if code != 0 || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "OK    kernel  overlay and br_netfilter are loaded") {
				t.Errorf("--check kernel: exit %d:\n%s", code, out)
			}
			out, code = runCtui(t, nil, append(args, "--check", "crictl")...)
			if code != 1 || !strings.HasPrefix(out, "WARN  crictl  crictl has no endpoint configured") {
				t.Errorf("--check crictl without crictl.yaml: exit %d, want 1:\n%s", code, out)
			}
			out, code = runCtui(t, nil, append(args, "--check", "nope")...)
			if code != 3 || !strings.Contains(out, `no doctor check "nope": use one of cri-plugin, containerd-config`) {
				t.Errorf("--check nope: exit %d, want 3:\n%s", code, out)
			}

			out, code = runCtui(t, nil, append(args, "--check", "cgroup-driver", "--output", "json")...)
			var r struct {
				Endpoint string `json:"endpoint"`
				Checks   []struct {
					Check    string   `json:"check"`
					Status   string   `json:"status"`
					Finding  string   `json:"finding"`
					Evidence []string `json:"evidence"`
					Fix      string   `json:"fix"`
				} `json:"checks"`
				Summary  map[string]int `json:"summary"`
				ExitCode int            `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("--output json: %v:\n%s", err, out)
			}
			if code != 2 || r.ExitCode != 2 || len(r.Checks) != 1 || r.Checks[0].Check != "cgroup-driver" || r.Checks[0].Status != "FAIL" ||
				r.Summary["FAIL"] != 1 || r.Endpoint != d.Socket || len(r.Checks[0].Evidence) != 2 || !strings.Contains(r.Checks[0].Fix, "SystemdCgroup = true") {
				t.Errorf("--output json: exit %d: %+v\n%s", code, r, out)
			}
		})
	}
}
