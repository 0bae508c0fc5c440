package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

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
			nr := newDoctorRoot(t, d)
			root := nr.dir
			write := func(p, content string) { nr.write(p, content, 0o644) }
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
			// On a terminal: colour, unless NO_COLOR or --no-color.
			one := append(args, "--check", "cgroup-driver")
			if out := runCtuiPty(t, nil, one...); !strings.Contains(out, "\x1b[1;31mFAIL\x1b[0m  cgroup-driver  kubelet uses the systemd cgroup driver") {
				t.Errorf("no colour on a terminal:\n%q", out)
			}
			for _, c := range []struct {
				env  []string
				args []string
			}{{[]string{"NO_COLOR=1"}, one}, {nil, append(one, "--no-color")}} {
				if out := runCtuiPty(t, c.env, c.args...); strings.Contains(out, "\x1b[") || !strings.Contains(out, "FAIL  cgroup-driver  kubelet uses") {
					t.Errorf("colour on a terminal with %v %v:\n%q", c.env, c.args[len(c.args)-1], out)
				}
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

// TestEndToEndDoctor: :doctor in a real terminal on a node (a root of the
// test's) that is right but for one thing, kubelet's cgroup driver, on 1.6
// and 2.x: the failure is the first row, enter shows its evidence and fix,
// and once the fix is applied ctrl+r clears it (and the header's badge).
// :doctor is typed in one write and key by key.
func TestEndToEndDoctor(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v, cniInDir(v))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := d.ImportTestImages(ctx, "k8s.io"); err != nil {
				t.Fatal(err)
			}
			r := newDoctorRoot(t, d)
			root, write, link := r.dir, r.write, r.link
			// The node: the daemon's process and directory, the system's
			// binaries, kernel files that are right, crictl at the daemon,
			// a CNI config with its plugins; and kubelet on systemd while
			// runc uses cgroupfs.
			for _, top := range []string{"/usr", "/bin", "/sbin", "/lib", "/lib64", "/root"} {
				if _, err := os.Lstat(top); err == nil {
					link(top)
				}
			}
			write("/sys/module/overlay/.keep", "", 0o644)
			write("/sys/module/br_netfilter/.keep", "", 0o644)
			write("/sys/fs/cgroup/cgroup.controllers", "cpu\n", 0o644)
			write("/proc/1/comm", "init\n", 0o644)
			write("/proc/sys/net/ipv4/ip_forward", "1\n", 0o644)
			write("/proc/sys/net/bridge/bridge-nf-call-iptables", "1\n", 0o644)
			write("/proc/swaps", "Filename Type Size Used Priority\n", 0o644)
			write("/etc/crictl.yaml", "runtime-endpoint: "+d.Endpoint+"\nimage-endpoint: "+d.Endpoint+"\n", 0o644)
			write("/var/lib/kubelet/config.yaml", "cgroupDriver: systemd\n", 0o644)
			r.writeCNI(d)
			out, code := runCtui(t, nil, "doctor", "-a", d.Socket, "-r", d.Endpoint, "--host-root", root)
			if code != 2 || !strings.Contains(out, "doctor: 1 FAIL, 9 OK") {
				t.Fatalf("the node is not right but for one check (exit %d):\n%s", code, out)
			}

			s := startScreen(t, 120, 30, d.Env(), "--host-root", root)
			s.waitFor(screenWait, "images")
			// The background run puts the badge in the header.
			s.waitFor(screenWait, "doctor: 1 FAIL")

			// :doctor in one write: the failure is the first row.
			s.sendBytes(":doctor\r")
			scr := s.waitFor(screenWait, "doctor 1 FAIL, 9 OK", "cgroup-driver")
			rows := doctorRows(scr)
			if len(rows) != 10 || !strings.HasPrefix(rows[0], "FAIL") || !strings.Contains(rows[0], "cgroup-driver") {
				t.Fatalf("the failure is not listed first:\n%s", scr)
			}
			// Enter: its evidence and fix.
			s.keys("Enter")
			s.waitFor(screenWait, "Evidence", "/var/lib/kubelet/config.yaml:1: cgroupDriver: systemd", "Fix", "SystemdCgroup = true")
			s.keys("Escape")
			s.waitGone(screenWait, "Evidence")
			s.keys("Escape")
			s.waitGone(screenWait, "doctor 1 FAIL")

			// Key by key, then the fix applied (kubelet's side) and ctrl+r.
			for _, k := range []string{":", "d", "o", "c", "t", "o", "r", "Enter"} {
				s.keys(k)
			}
			s.waitFor(screenWait, "doctor 1 FAIL, 9 OK")
			write("/var/lib/kubelet/config.yaml", "cgroupDriver: cgroupfs\n", 0o644)
			s.keys("C-r")
			scr = s.waitFor(screenWait, "doctor 10 OK")
			if rows := doctorRows(scr); len(rows) != 10 || strings.Contains(strings.Join(rows, "\n"), "FAIL") {
				t.Errorf("ctrl+r did not clear the failure:\n%s", scr)
			}
			s.waitGone(screenWait, "doctor: 1 FAIL")
		})
	}
}

// doctorRows are the check rows of the :doctor page on screen.
func doctorRows(screen string) []string {
	var rows []string
	for _, l := range strings.Split(screen, "\n") {
		l = strings.TrimLeft(l, " >│▌")
		for _, st := range []string{"OK  ", "WARN", "FAIL", "SKIP"} {
			if strings.HasPrefix(l, st+" ") && len(strings.Fields(l)) > 2 {
				rows = append(rows, l)
			}
		}
	}
	return rows
}
