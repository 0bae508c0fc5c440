// Package doctor names the misconfigurations that keep pods from running on
// a containerd node, with the evidence and the fix: `ctui doctor` and the
// :doctor page. Its inputs are gathered once into Facts (CRI Status verbose,
// introspection, the config file the daemon was started with, kubelet's
// config, registry files, crictl.yaml, /proc and /sys), every path through a
// root prefix; its checks are data (a name, what it reads, a function from
// Facts to a Finding). Doctor only reads: it never changes the node.
package doctor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ctui/ctui/backend"
)

// RemoteRefusal is why doctor does not check a remote node (ssh://) when
// it was given no way to read that node's files (Options.Node); with one
// (backend/remote), it checks the node as on the node itself.
func RemoteRefusal(remote string) error {
	return backend.Errorf(backend.ErrUnsupported, "the doctor reads the files of the machine it runs on (containerd's config, kubelet's, /proc, /sys), so it cannot check the remote node %s: run ctui doctor there (ssh to it)", remote)
}

// Status is a check's verdict.
type Status string

// The verdicts, from best to worst; SKIP means the check could not look
// (a file it cannot read, a side of the daemon that does not answer), never
// that all is well.
const (
	OK   Status = "OK"
	SKIP Status = "SKIP"
	WARN Status = "WARN"
	FAIL Status = "FAIL"
)

// rank orders verdicts for sorting, failures first.
func (s Status) rank() int {
	switch s {
	case FAIL:
		return 0
	case WARN:
		return 1
	case SKIP:
		return 2
	}
	return 3
}

// Finding is one check's answer. The JSON names are documented in
// docs/doctor.md and stay stable for scripts.
type Finding struct {
	// Check is the check's name, as --check takes it.
	Check  string `json:"check"`
	Status Status `json:"status"`
	// Finding is one sentence: what is wrong, or what was found right.
	Finding string `json:"finding"`
	// Evidence are the lines that show it: file:line and the text there,
	// an API field and its value, a command's output.
	Evidence []string `json:"evidence,omitempty"`
	// Fix is the exact config snippet or command, for this daemon's
	// version and config schema; empty when nothing is to be done.
	Fix string `json:"fix,omitempty"`
}

// Check is one diagnosis: its name, what it reads (for docs and help), and
// the function that decides from the gathered facts.
type Check struct {
	Name  string
	Title string
	Reads string
	Run   func(*Facts) Finding
}

// Checks lists every check in the order they print.
func Checks() []Check {
	return []Check{
		{Name: "cri-plugin", Title: "CRI plugin loaded", Run: checkCRIPlugin,
			Reads: "introspection plugins (io.containerd.grpc.v1.cri and, on 2.x, io.containerd.cri.v1.*) and disabled_plugins in the daemon's config file"},
		{Name: "containerd-config", Title: "containerd config file", Run: checkConfig,
			Reads: "the config file from containerd's command line (/proc/<pid>/cmdline) or /etc/containerd/config.toml, its imports; introspection deprecations; /proc/<pid>/oom_score_adj and status"},
		{Name: "cgroup-driver", Title: "cgroup driver", Run: checkCgroupDriver,
			Reads: "CRI RuntimeConfig (2.x) or the runtime's SystemdCgroup in CRI Status; kubelet's cgroupDriver in /var/lib/kubelet/config.yaml or k3s/RKE2 kubelet-arg; /proc/1/comm and /sys/fs/cgroup"},
		{Name: "sandbox-image", Title: "sandbox (pause) image", Run: checkSandboxImage,
			Reads: "the sandbox image from CRI Status (1.x) or the config file's pinned_images.sandbox (2.x); CRI ListImages in k8s.io and its pinned field"},
		{Name: "registry", Title: "registry configuration", Run: checkRegistry,
			Reads: "registry.mirrors/configs/config_path in the daemon's config file; hosts.toml under config_path; k3s/RKE2 registries.yaml (its mirror endpoints are asked over the network, within --timeout, from the node itself over SSH)"},
		{Name: "cni", Title: "CNI network", Run: checkCNI,
			Reads: "CRI Status NetworkReady, lastCNILoadStatus and cni conf/bin dirs; the conf dir's files and the plugin binaries their conflists name"},
		{Name: "crictl", Title: "crictl endpoint", Run: checkCrictl,
			Reads: "/etc/crictl.yaml (or CRI_CONFIG_FILE) and CONTAINER_RUNTIME_ENDPOINT, IMAGE_SERVICE_ENDPOINT; the sockets they name"},
		{Name: "kernel", Title: "kernel modules, sysctls, swap, cgroups", Run: checkKernel,
			Reads: "/sys/module/{overlay,br_netfilter}, /proc/modules, /proc/sys/net/ipv4/ip_forward, /proc/sys/net/bridge/bridge-nf-call-iptables, /proc/swaps, kubelet's failSwapOn, /sys/fs/cgroup"},
		{Name: "disk", Title: "disk space and snapshotter", Run: checkDisk,
			Reads: "statfs of CRI ImageFsInfo's mountpoint and containerd's root and state; the snapshotter plugin's state from introspection"},
		{Name: "runtime", Title: "runtime binaries", Run: checkRuntime,
			Reads: "every runtime handler in CRI Status config; containerd's PATH (/proc/<pid>/environ) and directory (/proc/<pid>/exe) for shims and runc"},
	}
}

// Find returns the named check; the error lists the names there are.
func Find(name string) (Check, error) {
	var names []string
	for _, c := range Checks() {
		if c.Name == name {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return Check{}, fmt.Errorf("no doctor check %q: use one of %s", name, strings.Join(names, ", "))
}

// Run runs the checks on the facts, in order; a check that panics on facts
// it did not expect fails with the panic, so the others still answer.
func Run(f *Facts, checks []Check) []Finding {
	out := make([]Finding, 0, len(checks))
	for _, c := range checks {
		out = append(out, runOne(f, c))
	}
	return out
}

func runOne(f *Facts, c Check) (fd Finding) {
	defer func() {
		if r := recover(); r != nil {
			fd = Finding{Check: c.Name, Status: SKIP, Finding: fmt.Sprintf("the check could not finish: %v", r)}
		}
	}()
	fd = c.Run(f)
	fd.Check = c.Name
	return fd
}

// ExitCode is `ctui doctor`'s exit status: 2 when a check failed, 1 when one
// warned, 0 otherwise (OK and SKIP).
func ExitCode(fs []Finding) int {
	code := 0
	for _, f := range fs {
		switch f.Status {
		case FAIL:
			return 2
		case WARN:
			code = 1
		}
	}
	return code
}

// Count counts findings of one status.
func Count(fs []Finding, s Status) int {
	n := 0
	for _, f := range fs {
		if f.Status == s {
			n++
		}
	}
	return n
}

// SortWorstFirst orders findings failures first, then warnings, skips and
// passes, keeping the check order within each.
func SortWorstFirst(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Status.rank() < fs[j].Status.rank() })
}

// Summary is "2 FAIL, 1 WARN, 6 OK, 1 SKIP" with the empty counts left out.
func Summary(fs []Finding) string {
	var parts []string
	for _, s := range []Status{FAIL, WARN, OK, SKIP} {
		if n := Count(fs, s); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "no checks"
	}
	return strings.Join(parts, ", ")
}

// Small constructors keep the checks short.

func ok(format string, args ...any) Finding {
	return Finding{Status: OK, Finding: fmt.Sprintf(format, args...)}
}

func skip(format string, args ...any) Finding {
	return Finding{Status: SKIP, Finding: fmt.Sprintf(format, args...)}
}

func warn(finding string, evidence []string, fix string) Finding {
	return Finding{Status: WARN, Finding: finding, Evidence: evidence, Fix: fix}
}

func fail(finding string, evidence []string, fix string) Finding {
	return Finding{Status: FAIL, Finding: finding, Evidence: evidence, Fix: fix}
}

// worst keeps the worse of two findings, joining evidence and fixes of the
// same weight, so a check with several problems (or several files it
// cannot read) reports them all.
func worst(fs ...Finding) Finding {
	var out Finding
	for _, f := range fs {
		if f.Status == "" {
			continue
		}
		switch {
		case out.Status == "" || f.Status.rank() < out.Status.rank():
			out = f
		case f.Status == out.Status && f.Status != OK:
			out.Finding += " " + f.Finding
			out.Evidence = append(out.Evidence, f.Evidence...)
			if f.Fix != "" && !strings.Contains(out.Fix, f.Fix) {
				if out.Fix != "" {
					out.Fix += "\n"
				}
				out.Fix += f.Fix
			}
		}
	}
	return out
}
