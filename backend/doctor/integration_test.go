package doctor_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// node is a real daemon seen by doctor through a temp root: the root holds
// the node's /etc and /var/lib files, a /proc whose daemon entry is the real
// one and whose kernel files are the test's, a /sys of the test's, and the
// daemon's own directory linked child by child (so one child can be swapped
// for a small filesystem).
type node struct {
	t    *testing.T
	d    *testbed.Daemon
	b    *backend.Backend
	root string
	env  map[string]string
}

// cniExtra points CRI's CNI dirs into the daemon's directory, in the
// config layout the daemon is started with.
func cniExtra(layout testbed.Version) testbed.Option {
	if layout == testbed.V16 {
		return testbed.WithConfigExtra("[plugins.\"io.containerd.grpc.v1.cri\".cni]\n  conf_dir = \"{{.Dir}}/cni/net.d\"\n  bin_dir = \"{{.Dir}}/cni/bin\"\n" +
			"[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"")
	}
	return testbed.WithConfigExtra("[plugins.\"io.containerd.cri.v1.runtime\".cni]\n  conf_dir = \"{{.Dir}}/cni/net.d\"\n  bin_dirs = [\"{{.Dir}}/cni/bin\"]")
}

func startNode(t *testing.T, v testbed.Version, opts ...testbed.Option) *node {
	t.Helper()
	return startNodeLayout(t, v, v, opts...)
}

func startNodeLayout(t *testing.T, v, layout testbed.Version, opts ...testbed.Option) *node {
	t.Helper()
	d := testbed.Start(t, v, append([]testbed.Option{cniExtra(layout)}, opts...)...)
	n := &node{t: t, d: d, root: t.TempDir(), env: map[string]string{}}
	for _, dir := range []string{"cni/net.d", "cni/bin"} {
		must(t, os.MkdirAll(filepath.Join(d.Dir, dir), 0o755))
	}
	for _, top := range []string{"usr", "bin", "sbin", "lib", "lib64", "work", "root"} {
		if _, err := os.Lstat("/" + top); err == nil {
			must(t, os.Symlink("/"+top, filepath.Join(n.root, top)))
		}
	}
	mirror := n.path(d.Dir)
	must(t, os.MkdirAll(mirror, 0o755))
	entries, err := os.ReadDir(d.Dir)
	must(t, err)
	for _, e := range entries {
		must(t, os.Symlink(filepath.Join(d.Dir, e.Name()), filepath.Join(mirror, e.Name())))
	}
	// /proc: the daemon's entry is real, the rest is the test's.
	must(t, os.MkdirAll(n.path("/proc"), 0o755))
	must(t, os.Symlink("/proc/"+strconv.Itoa(d.PID()), n.path("/proc/"+strconv.Itoa(d.PID()))))
	n.write("/proc/1/comm", "init\n")
	n.write("/proc/sys/net/ipv4/ip_forward", "1\n")
	n.write("/proc/sys/net/bridge/bridge-nf-call-iptables", "1\n")
	n.write("/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")
	must(t, os.MkdirAll(n.path("/sys/module/overlay"), 0o755))
	must(t, os.MkdirAll(n.path("/sys/module/br_netfilter"), 0o755))
	n.write("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")

	n.connect()
	t.Cleanup(func() { n.b.Close() })
	return n
}

// connect opens ctui's backend on the daemon, as ctui doctor does.
func (n *node) connect() {
	n.t.Helper()
	d := n.d
	cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, ImageEndpoint: d.Endpoint,
		Namespace: "k8s.io", Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n.b = &backend.Backend{Config: cfg}
	if c, err := containerd.New(ctx, cfg); err != nil {
		n.b.NativeErr = err
	} else {
		n.b.Native = c
	}
	if c, err := cri.New(ctx, cfg); err != nil {
		n.b.CRIErr = err
	} else {
		n.b.CRI = c
	}
}

// editConfig rewrites the daemon's config file (the running daemon does
// not reread it) and returns what it held.
func (n *node) editConfig(edit func(string) string) string {
	n.t.Helper()
	cfg := filepath.Join(n.d.Dir, "config.toml")
	b, err := os.ReadFile(cfg)
	must(n.t, err)
	must(n.t, os.WriteFile(cfg, []byte(edit(string(b))), 0o644))
	return string(b)
}

// restart rewrites the daemon's config file with edit and restarts the
// daemon on it (systemctl restart containerd), linking its new process
// into the node's /proc and connecting ctui's backend again.
func (n *node) restart(edit func(string) string) {
	n.t.Helper()
	n.editConfig(edit)
	old := n.d.PID()
	n.b.Close()
	must(n.t, n.d.Pause())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must(n.t, n.d.Resume(ctx))
	n.remove("/proc/" + strconv.Itoa(old))
	must(n.t, os.Symlink("/proc/"+strconv.Itoa(n.d.PID()), n.path("/proc/"+strconv.Itoa(n.d.PID()))))
	n.connect()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// path is a node path under the test's root.
func (n *node) path(p string) string { return filepath.Join(n.root, p) }

func (n *node) write(p, content string) {
	n.t.Helper()
	must(n.t, os.MkdirAll(filepath.Dir(n.path(p)), 0o755))
	must(n.t, os.WriteFile(n.path(p), []byte(content), 0o644))
}

func (n *node) remove(p string) {
	n.t.Helper()
	if err := os.RemoveAll(n.path(p)); err != nil {
		n.t.Fatal(err)
	}
}

// run gathers the facts and runs one check.
func (n *node) run(name string) doctor.Finding {
	n.t.Helper()
	c, err := doctor.Find(name)
	must(n.t, err)
	return n.runAll(c)[0]
}

func (n *node) runAll(checks ...doctor.Check) []doctor.Finding {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	getenv := func(k string) (string, bool) { v, ok := n.env[k]; return v, ok }
	f := doctor.Gather(ctx, n.b, doctor.Options{Root: n.root, Getenv: getenv, Timeout: 5 * time.Second})
	if len(checks) == 0 {
		checks = doctor.Checks()
	}
	return doctor.Run(f, checks)
}

// healthy makes the node pass every check: the test images in k8s.io, a
// kubelet config that agrees, crictl.yaml at the daemon, a CNI config with
// its plugin binaries.
func (n *node) healthy() {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must(n.t, n.d.ImportTestImages(ctx, "k8s.io"))
	n.write("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: cgroupfs\n")
	n.write("/etc/crictl.yaml", "runtime-endpoint: "+n.d.Endpoint+"\nimage-endpoint: "+n.d.Endpoint+"\ntimeout: 10\n")
	n.writeCNI("bridge", "host-local", "portmap")
	n.waitNetworkReady()
}

const testConflist = `{"cniVersion": "1.0.0", "name": "test-net", "plugins": [
  {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}`

// writeCNI writes the conflist (bridge+host-local, portmap) and the given
// plugin binaries.
func (n *node) writeCNI(bins ...string) {
	n.t.Helper()
	for _, b := range bins {
		must(n.t, os.WriteFile(filepath.Join(n.d.Dir, "cni/bin", b), []byte("#!/bin/sh\nexit 1\n"), 0o755))
	}
	must(n.t, os.WriteFile(filepath.Join(n.d.Dir, "cni/net.d", "10-test.conflist"), []byte(testConflist), 0o644))
}

// waitNetworkReady waits for CRI to load the CNI config (it watches the dir).
func (n *node) waitNetworkReady() { n.t.Helper(); n.waitNetwork(true) }

// waitNetwork waits for CRI's NetworkReady to become ready (true or false)
// as it reloads the CNI conf dir.
func (n *node) waitNetwork(ready bool) {
	n.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		st, err := n.b.CRI.Status(ctx)
		cancel()
		if err == nil {
			if c, ok := st.Condition(backend.ConditionNetworkReady); ok && c.Status == ready {
				return
			}
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("NetworkReady never became %v: %v %+v", ready, err, st.Conditions)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func show(fs ...doctor.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s: %s\n", f.Status, f.Check, f.Finding)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "    evidence: %s\n", e)
		}
		if f.Fix != "" {
			fmt.Fprintf(&b, "    fix: %s\n", strings.ReplaceAll(f.Fix, "\n", "\n         "))
		}
	}
	return b.String()
}

// want checks a finding's verdict and that its text, evidence and fix hold
// the given parts.
func want(t *testing.T, f doctor.Finding, status doctor.Status, parts ...string) {
	t.Helper()
	if testing.Verbose() {
		t.Logf("%s", show(f))
	}
	if f.Status != status {
		t.Errorf("%s: status %s, want %s:\n%s", f.Check, f.Status, status, show(f))
		return
	}
	all := f.Finding + "\n" + strings.Join(f.Evidence, "\n") + "\n" + f.Fix
	for _, p := range parts {
		if !strings.Contains(all, p) {
			t.Errorf("%s: lacks %q:\n%s", f.Check, p, show(f))
		}
	}
}

// runcOptionsTable is the default runtime's options table in the daemon's
// own schema.
func runcOptionsTable(v testbed.Version) string {
	if v == testbed.V16 {
		return `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]`
	}
	return `[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]`
}

// TestHealthyNode: every check clears on a node set up right, and the exit
// code is 0.
func TestHealthyNode(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			n := startNode(t, v)
			n.healthy()
			before := n.fingerprint()
			fs := n.runAll()
			t.Logf("healthy node:\n%s", show(fs...))
			if after := n.fingerprint(); after != before {
				t.Errorf("doctor changed the node:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			for _, f := range fs {
				if f.Status != doctor.OK {
					t.Errorf("%s is %s on a healthy node:\n%s", f.Check, f.Status, show(f))
				}
			}
			if len(fs) != 10 {
				t.Errorf("%d checks, want 10", len(fs))
			}
			if code := doctor.ExitCode(fs); code != 0 && !t.Failed() {
				t.Errorf("exit code %d", code)
			}
		})
	}
}

// TestFilesFireAndClear: the checks decided by files on the node fire when
// the files are wrong and clear when they are put right, on one daemon per
// version.
func TestFilesFireAndClear(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			n := startNode(t, v)
			n.healthy()

			t.Run("cgroup-driver", func(t *testing.T) {
				n.write("/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\n# kubeadm\ncgroupDriver: systemd\n")
				want(t, n.run("cgroup-driver"), doctor.FAIL, "kubelet uses the systemd cgroup driver but containerd's runc uses cgroupfs",
					"/var/lib/kubelet/config.yaml:3: cgroupDriver: systemd", runcOptionsTable(v), "SystemdCgroup = true", "systemctl restart containerd")
				// k3s's kubelet-arg says it too.
				n.remove("/var/lib/kubelet/config.yaml")
				n.write("/etc/rancher/k3s/config.yaml", "kubelet-arg:\n  - cgroup-driver=systemd\n")
				want(t, n.run("cgroup-driver"), doctor.FAIL, "/etc/rancher/k3s/config.yaml:2")
				n.remove("/etc/rancher")
				// RKE2's config.yaml.d drop-ins too.
				n.write("/etc/rancher/rke2/config.yaml", "token: x\n")
				n.write("/etc/rancher/rke2/config.yaml.d/50-kubelet.yaml", "kubelet-arg:\n  - \"cgroup-driver=systemd\"\n")
				want(t, n.run("cgroup-driver"), doctor.FAIL, "/etc/rancher/rke2/config.yaml.d/50-kubelet.yaml:2")
				n.remove("/etc/rancher")
				// No kubelet: the host decides (systemd on cgroup v2).
				n.write("/proc/1/comm", "systemd\n")
				want(t, n.run("cgroup-driver"), doctor.WARN, "systemd on cgroup v2", "/proc/1/comm: systemd", "SystemdCgroup = true")
				n.write("/proc/1/comm", "init\n")
				want(t, n.run("cgroup-driver"), doctor.OK)
				n.write("/var/lib/kubelet/config.yaml", "cgroupDriver: cgroupfs\n")
				want(t, n.run("cgroup-driver"), doctor.OK, "both use the cgroupfs")
				// A kubelet config without cgroupDriver means cgroupfs.
				n.write("/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\n")
				want(t, n.run("cgroup-driver"), doctor.OK)
			})

			t.Run("crictl", func(t *testing.T) {
				n.write("/etc/crictl.yaml", "runtime-endpoint: unix:///run/crio/crio.sock\n")
				want(t, n.run("crictl"), doctor.FAIL, "CRI-O", "/etc/crictl.yaml:1: runtime-endpoint: unix:///run/crio/crio.sock", "crictl config --set runtime-endpoint="+n.d.Endpoint)
				n.write("/etc/crictl.yaml", "runtime-endpoint: unix:///run/nothing/here.sock\n")
				want(t, n.run("crictl"), doctor.FAIL, "does not exist")
				n.remove("/etc/crictl.yaml")
				want(t, n.run("crictl"), doctor.WARN, "no endpoint configured", "/run/containerd/containerd.sock: no such socket")
				// The environment beats the file, as for crictl.
				n.env["CONTAINER_RUNTIME_ENDPOINT"] = "unix:///var/run/cri-dockerd.sock"
				n.write("/etc/crictl.yaml", "runtime-endpoint: "+n.d.Endpoint+"\n")
				want(t, n.run("crictl"), doctor.FAIL, "cri-dockerd", "env CONTAINER_RUNTIME_ENDPOINT")
				delete(n.env, "CONTAINER_RUNTIME_ENDPOINT")
				want(t, n.run("crictl"), doctor.OK)
				n.write("/etc/crictl.yaml", "runtime-endpoint: unix:///var/run/dockershim.sock\n")
				want(t, n.run("crictl"), doctor.FAIL, "dockershim (removed in Kubernetes 1.24)")
				n.write("/run/other/not.sock", "")
				n.write("/etc/crictl.yaml", "runtime-endpoint: unix:///run/other/not.sock\n")
				want(t, n.run("crictl"), doctor.FAIL, "is not a socket")
				// A socket some other process serves (here: the test).
				l, err := net.Listen("unix", n.path("/run/other/cri.sock"))
				must(t, err)
				defer l.Close()
				n.write("/etc/crictl.yaml", "runtime-endpoint: unix:///run/other/cri.sock\nimage-endpoint: "+n.d.Endpoint+"\n")
				want(t, n.run("crictl"), doctor.WARN, "runtime-endpoint unix:///run/other/cri.sock is another runtime than the one ctui checks", "/etc/crictl.yaml:1")
				n.write("/etc/crictl.yaml", "runtime-endpoint: "+n.d.Endpoint+"\nimage-endpoint: "+n.d.Endpoint+"\n")
				want(t, n.run("crictl"), doctor.OK)
			})

			t.Run("kernel", func(t *testing.T) {
				n.remove("/sys/module/br_netfilter")
				n.remove("/proc/sys/net/bridge")
				n.write("/proc/sys/net/ipv4/ip_forward", "0\n")
				f := n.run("kernel")
				want(t, f, doctor.FAIL, "br_netfilter", "net.ipv4.ip_forward is 0", "sysctl net.ipv4.ip_forward: 0", "modprobe overlay && modprobe br_netfilter", "sysctl --system")
				must(t, os.MkdirAll(n.path("/sys/module/br_netfilter"), 0o755))
				n.write("/proc/sys/net/bridge/bridge-nf-call-iptables", "1\n")
				n.write("/proc/sys/net/ipv4/ip_forward", "1\n")
				want(t, n.run("kernel"), doctor.OK)
				// Swap on, kubelet not allowing it.
				n.write("/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/swapfile file 1048572 0 -2\n")
				want(t, n.run("kernel"), doctor.FAIL, "Swap is on", "/proc/swaps: /swapfile", "failSwapOn is not set", "swapoff -a")
				n.write("/var/lib/kubelet/config.yaml", "cgroupDriver: cgroupfs\nfailSwapOn: false\n")
				want(t, n.run("kernel"), doctor.OK)
				n.write("/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n")
				// cgroup v1: deprecated on 2.x only.
				n.remove("/sys/fs/cgroup/cgroup.controllers")
				if v == testbed.V2 {
					want(t, n.run("kernel"), doctor.WARN, "cgroup v1", "systemd.unified_cgroup_hierarchy=1")
				} else {
					want(t, n.run("kernel"), doctor.OK)
				}
				n.write("/sys/fs/cgroup/cgroup.controllers", "cpu\n")
				want(t, n.run("kernel"), doctor.OK)
			})

			t.Run("registry", func(t *testing.T) {
				ca := "/etc/containerd/certs.d/registry.example:5000/ca.crt"
				n.write("/etc/containerd/certs.d/registry.example:5000/hosts.toml",
					"server = \"https://registry.example:5000\"\n\n[host.\"https://registry.example:5000\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = \""+ca+"\"\n")
				want(t, n.run("registry"), doctor.FAIL, "CA certificate "+ca, "hosts.toml:5: ca = \""+ca+"\"", "does not exist", "Put the file at "+ca)
				n.write(ca, "-----BEGIN CERTIFICATE-----\n")
				want(t, n.run("registry"), doctor.OK, "/etc/containerd/certs.d")
				// A client certificate pair, relative to the host's directory.
				n.write("/etc/containerd/certs.d/registry.example:5000/hosts.toml",
					"server = \"https://registry.example:5000\"\nclient = [[\"client.crt\", \"client.key\"]]\n")
				n.write("/etc/containerd/certs.d/registry.example:5000/client.crt", "-----BEGIN CERTIFICATE-----\n")
				want(t, n.run("registry"), doctor.FAIL, "client certificate or key /etc/containerd/certs.d/registry.example:5000/client.key", "hosts.toml:2: client = ")
				n.write("/etc/containerd/certs.d/registry.example:5000/client.key", "-----BEGIN PRIVATE KEY-----\n")
				want(t, n.run("registry"), doctor.OK)
				n.write("/etc/containerd/certs.d/docker.io/hosts.toml", "server = \"https://registry-1.docker.io\"\nskip_verify = true\n")
				want(t, n.run("registry"), doctor.WARN, "skip_verify", "docker.io/hosts.toml:2: skip_verify = true")
				n.write("/etc/containerd/certs.d/docker.io/hosts.toml", "server = \"https://registry-1.docker.io\n")
				want(t, n.run("registry"), doctor.FAIL, "does not parse", "docker.io/hosts.toml:1")
				n.remove("/etc/containerd/certs.d/docker.io")
				want(t, n.run("registry"), doctor.OK)
				// k3s registries.yaml: broken, then a mirror that does not answer.
				n.write("/etc/rancher/k3s/registries.yaml", "mirrors:\n  docker.io:\n    endpoint: [\"http://127.0.0.1:1\"\n")
				want(t, n.run("registry"), doctor.FAIL, "registries.yaml does not parse")
				n.write("/etc/rancher/k3s/registries.yaml", "mirrors:\n  docker.io:\n    endpoint:\n      - \"http://127.0.0.1:1\"\n")
				want(t, n.run("registry"), doctor.WARN, "does not answer", "registries.yaml:4: - \"http://127.0.0.1:1\"", "connection refused")
				// A mirror that accepts the connection and never
				// answers: the probe gives up at --timeout and says so.
				silent, err := net.Listen("tcp", "127.0.0.1:0")
				must(t, err)
				defer silent.Close()
				go func() {
					var held []net.Conn
					defer func() {
						for _, c := range held {
							c.Close()
						}
					}()
					for {
						c, err := silent.Accept()
						if err != nil {
							return
						}
						held = append(held, c)
					}
				}()
				ep := "http://" + silent.Addr().String()
				n.write("/etc/rancher/k3s/registries.yaml", "mirrors:\n  docker.io:\n    endpoint:\n      - \""+ep+"\"\n")
				want(t, n.run("registry"), doctor.WARN, "Mirror endpoint "+ep+" for docker.io", "does not answer",
					"GET "+ep+"/v2/: no answer within 5s (--timeout)")
				silent.Close()
				n.remove("/etc/rancher")
				want(t, n.run("registry"), doctor.OK)
			})

			t.Run("cni", func(t *testing.T) {
				conf := filepath.Join(n.d.Dir, "cni/net.d/10-test.conflist")
				must(t, os.Remove(filepath.Join(n.d.Dir, "cni/bin/portmap")))
				want(t, n.run("cni"), doctor.FAIL, "binaries are missing", conf+": plugin type \"portmap\"", "containernetworking-plugins")
				must(t, os.Remove(conf))
				want(t, n.run("cni"), doctor.FAIL, "holds no network config", filepath.Join(n.d.Dir, "cni/net.d"), "\"type\": \"bridge\"")
				// CRI sees the dir empty too: NetworkReady=false, with
				// its own reason.
				n.waitNetwork(false)
				want(t, n.run("cni"), doctor.FAIL, "holds no network config", "CRI reports NetworkReady=false",
					"crictl info: NetworkReady=false", "crictl info: lastCNILoadStatus = cni config load failed: no network config found in "+filepath.Join(n.d.Dir, "cni/net.d"))
				n.writeCNI("portmap")
				n.waitNetworkReady()
				want(t, n.run("cni"), doctor.OK, "10-test.conflist")
				// NetworkReady=false alone: a conflist doctor reads
				// (valid JSON, every plugin's binary there) that CRI
				// refuses (no name): only CRI's condition says so.
				must(t, os.WriteFile(conf, []byte(strings.Replace(testConflist, `"name": "test-net", `, "", 1)), 0o644))
				n.waitNetwork(false)
				f := n.run("cni")
				want(t, f, doctor.FAIL, "CRI reports NetworkReady=false", "crictl info: NetworkReady=false", "crictl info: lastCNILoadStatus = ", "no name", "Correct "+conf)
				if len(f.Evidence) != 2 || strings.Contains(f.Finding, "missing") || strings.Contains(f.Finding, "holds no") {
					t.Errorf("NetworkReady=false alone reported with other findings:\n%s", show(f))
				}
				n.writeCNI()
				n.waitNetworkReady()
				want(t, n.run("cni"), doctor.OK, "10-test.conflist")
			})

			t.Run("disk", func(t *testing.T) {
				// containerd's state on a small filesystem, as doctor
				// sees it through the root: full, then out of inodes.
				state := n.path(filepath.Join(n.d.Dir, "state"))
				must(t, os.Remove(state))
				must(t, os.Mkdir(state, 0o755))
				mountTmpfs(t, state, "size=1m,nr_inodes=100")
				must(t, os.WriteFile(filepath.Join(state, "fill"), make([]byte, 950<<10), 0o644))
				want(t, n.run("disk"), doctor.FAIL, "containerd state at "+filepath.Join(n.d.Dir, "state"), "below kubelet's 15% eviction threshold", "crictl rmi --prune")
				must(t, os.Remove(filepath.Join(state, "fill")))
				want(t, n.run("disk"), doctor.OK)
				for i := range 95 {
					must(t, os.WriteFile(filepath.Join(state, fmt.Sprint("f", i)), nil, 0o644))
				}
				want(t, n.run("disk"), doctor.FAIL, "free inodes")
				for i := range 95 {
					must(t, os.Remove(filepath.Join(state, fmt.Sprint("f", i))))
				}
				// containerd's root (and so CRI's image filesystem in
				// it) on the same full filesystem as its state: one
				// finding names all three places.
				rootDir := filepath.Join(state, "root")
				must(t, os.MkdirAll(filepath.Join(rootDir, "io.containerd.snapshotter.v1.overlayfs"), 0o755))
				must(t, os.Remove(n.path(filepath.Join(n.d.Dir, "root"))))
				must(t, os.Symlink(rootDir, n.path(filepath.Join(n.d.Dir, "root"))))
				must(t, os.WriteFile(filepath.Join(state, "fill"), make([]byte, 950<<10), 0o644))
				f := n.run("disk")
				want(t, f, doctor.FAIL, "The CRI image filesystem (ImageFsInfo), containerd root and containerd state at "+
					filepath.Join(n.d.Dir, "root", "io.containerd.snapshotter.v1.overlayfs")+", "+filepath.Join(n.d.Dir, "root")+" and "+filepath.Join(n.d.Dir, "state")+" has")
				if c := strings.Count(f.Finding, "free space"); c != 1 || len(f.Evidence) != 1 {
					t.Errorf("one filesystem reported %d times, with %d evidence lines:\n%s", c, len(f.Evidence), show(f))
				}
			})
		})
	}
}

// TestDaemonFireAndClear: checks decided by the daemon's own config fire on
// daemons started with broken configs.
func TestDaemonFireAndClear(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			t.Run("cri disabled", func(t *testing.T) {
				n := startNode(t, v, testbed.WithoutCRI())
				f := n.runAll()
				want(t, f[0], doctor.FAIL, "CRI is disabled in the config file", "config.toml:2: disabled_plugins = [", "disabled_plugins = []")
				if strings.Contains(f[0].Fix, `"io.containerd.grpc.v1.cri"`) {
					t.Errorf("the fix keeps the CRI plugin disabled:\n%s", show(f[0]))
				}
				if doctor.ExitCode(f) != 2 {
					t.Errorf("exit code %d, want 2", doctor.ExitCode(f))
				}
				// Checks that need CRI say SKIP with the reason, never OK.
				for _, c := range f {
					if c.Check == "sandbox-image" || c.Check == "cni" || c.Check == "runtime" {
						want(t, c, doctor.SKIP, "CRI")
					}
				}
			})

			t.Run("broken runtimes and keys", func(t *testing.T) {
				var opts []testbed.Option
				if v == testbed.V16 {
					opts = append(opts, testbed.WithConfigExtra(
						"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.kata]\n  runtime_type = \"io.containerd.kata.v2\"\n"+
							"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.custom]\n  runtime_type = \"io.containerd.runc.v2\"\n"+
							"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.custom.options]\n  BinaryName = \"/opt/nowhere/runc\"\n  SystemdCgroups = true\n"))
				} else {
					opts = append(opts, testbed.WithConfigExtra(
						"[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.kata]\n  runtime_type = \"io.containerd.kata.v2\"\n"+
							"[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.custom]\n  runtime_type = \"io.containerd.runc.v2\"\n"+
							"[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.custom.options]\n  BinaryName = \"/opt/nowhere/runc\"\n  SystemdCgroups = true\n"))
				}
				opts = append(opts, testbed.WithConfigEdit(func(s string) string {
					return strings.Replace(s, "root = ", "oom_scor = 0\nroot = ", 1)
				}))
				noexec := "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.noexec]\n  runtime_type = \"io.containerd.runc.v2\"\n" +
					"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.noexec.options]\n  BinaryName = \"{{.Dir}}/runc-noexec\"\n"
				if v == testbed.V2 {
					noexec = strings.ReplaceAll(noexec, "io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime")
				}
				n := startNode(t, v, append(opts, testbed.WithConfigExtra(noexec))...)
				n.write(filepath.Join(n.d.Dir, "runc-noexec"), "#!/bin/sh\n") // mode 0644
				want(t, n.run("runtime"), doctor.FAIL, "\"kata\" needs containerd-shim-kata-v2", "\"custom\" runs /opt/nowhere/runc",
					"BinaryName = \"/opt/nowhere/runc\"", "\"noexec\" runs "+filepath.Join(n.d.Dir, "runc-noexec")+", which is missing or not executable")
				want(t, n.run("containerd-config"), doctor.WARN, "oom_scor", "config.toml:2: oom_scor = 0", "SystemdCgroups (runc's options have no such key)")
				// No images yet: the sandbox image is missing.
				want(t, n.run("sandbox-image"), doctor.FAIL, testbed.PauseImage, "ctr -n k8s.io images pull "+testbed.PauseImage)
			})

			t.Run("imports", func(t *testing.T) {
				n := startNode(t, v, testbed.WithConfigEdit(func(s string) string {
					return strings.Replace(s, "root = ", "imports = [\"conf.d/*.toml\"]\nroot = ", 1)
				}))
				version := "2"
				if v == testbed.V2 {
					version = "3"
				}
				drop := filepath.Join(n.d.Dir, "conf.d", "10-site.toml")
				n.write(drop, "version = "+version+"\n\noom_scroe = -500\n")
				want(t, n.run("containerd-config"), doctor.WARN, drop+":3: oom_scroe = -500")
				n.write(drop, "version = "+version+"\n")
				want(t, n.run("containerd-config"), doctor.OK, "imports "+drop)
			})

			t.Run("sandbox image from a registry", func(t *testing.T) {
				r := testreg.New(t, testreg.Options{})
				ref := r.Ref("pause", "3.10")
				n := startNode(t, v, testbed.WithConfigEdit(func(s string) string {
					return strings.ReplaceAll(s, testbed.PauseImage, ref)
				}))
				// Not on the registry yet: the node cannot pull it.
				want(t, n.run("sandbox-image"), doctor.FAIL, ref, "cannot be pulled with this node's registry configuration", "resolve "+ref, "not found")
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if _, err := r.PushTiny(ctx, "pause", "3.10", "pause"); err != nil {
					t.Fatal(err)
				}
				want(t, n.run("sandbox-image"), doctor.FAIL, "its registry answers", "resolve "+ref+": the registry has it", "ctr -n k8s.io images pull "+ref)
				// Pulled, it clears.
				if out, err := n.d.Ctr(ctx, "-n", "k8s.io", "images", "pull", "--plain-http", ref); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				// CRI learns of the image from containerd's events: wait for it.
				deadline := time.Now().Add(30 * time.Second)
				f := n.run("sandbox-image")
				for f.Status == doctor.FAIL && time.Now().Before(deadline) {
					time.Sleep(200 * time.Millisecond)
					f = n.run("sandbox-image")
				}
				if f.Status == doctor.FAIL {
					t.Errorf("still FAIL 30 s after ctr pulled it:\n%s", show(f))
				}
			})

			if v == testbed.V2 {
				t.Run("version 2 config on 2.x", func(t *testing.T) {
					n := startNodeLayout(t, v, testbed.V16, testbed.WithConfigVersion2())
					want(t, n.run("containerd-config"), doctor.WARN, "version 2 config", "migrates it to version 3",
						`plugins."io.containerd.grpc.v1.cri".sandbox_image -> plugins."io.containerd.cri.v1.images".pinned_images.sandbox`,
						`cni.bin_dir -> plugins."io.containerd.cri.v1.runtime".cni.bin_dirs`, "containerd config migrate")
					// Fixes are written for the file's own schema.
					n.write("/var/lib/kubelet/config.yaml", "cgroupDriver: systemd\n")
					want(t, n.run("cgroup-driver"), doctor.FAIL, runcOptionsTable(testbed.V16))
				})
			}

			t.Run("snapshotter", func(t *testing.T) {
				extra := "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  snapshotter = \"btrfs\"\n"
				if v == testbed.V2 {
					extra = "[plugins.\"io.containerd.cri.v1.images\"]\n  snapshotter = \"btrfs\"\n"
				}
				n := startNode(t, v, testbed.WithConfigExtra(extra), testbed.WithoutCRIWait())
				want(t, n.run("disk"), doctor.FAIL, "btrfs", "snapshotter = \"overlayfs\"")
			})
		})
	}
}

// fingerprint lists the node's files doctor reads (the test root, the
// daemon's config and CNI dirs: path, mode, size, modification time) and
// the images in k8s.io, to show a run changes none of them.
func (n *node) fingerprint() string {
	n.t.Helper()
	var b strings.Builder
	for _, top := range []string{n.root, filepath.Join(n.d.Dir, "config.toml"), filepath.Join(n.d.Dir, "cni")} {
		must(n.t, filepath.WalkDir(top, func(p string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := e.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %v %d %d\n", p, info.Mode(), info.Size(), info.ModTime().UnixNano())
			return nil
		}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := n.d.Ctr(ctx, "-n", "k8s.io", "images", "ls")
	must(n.t, err)
	for _, l := range strings.SplitAfter(out, "\n") {
		// ctr's own log lines (2.x warns that cgroup v1 is deprecated,
		// time-stamped to the second) are not the node's state.
		if !strings.HasPrefix(l, "time=") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// capSysResource says whether this process (and so the daemons it starts)
// has CAP_SYS_RESOURCE.
func capSysResource() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return true
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			c, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err != nil || c&(1<<24) != 0
		}
	}
	return true
}

// mountTmpfs mounts a small tmpfs at dir for the test and unmounts it after.
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}
