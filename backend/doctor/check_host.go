package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/ctui/ctui/backend"
)

// DefaultCrictlConfig is where crictl reads its endpoints.
const DefaultCrictlConfig = "/etc/crictl.yaml"

// otherRuntimes are sockets of CRI runtimes that are not containerd.
var otherRuntimes = map[string]string{
	"crio.sock":        "CRI-O",
	"cri-dockerd.sock": "cri-dockerd (Docker)",
	"dockershim.sock":  "dockershim (removed in Kubernetes 1.24)",
	"docker.sock":      "Docker's API, which is not CRI",
}

// checkCrictl: crictl.yaml and the environment pointing crictl at a socket
// that does not exist or is not this containerd.
func checkCrictl(f *Facts) Finding {
	path, src := DefaultCrictlConfig, DefaultCrictlConfig
	if p, ok := f.opts.Getenv("CRI_CONFIG_FILE"); ok && p != "" {
		path, src = p, "CRI_CONFIG_FILE="+p
	}
	ours := strings.TrimPrefix(f.RuntimeEndpoint, "unix://")
	good := "unix://" + ours
	writeFix := fmt.Sprintf("crictl config --set runtime-endpoint=%s --set image-endpoint=%s\n(or write %s:\nruntime-endpoint: %s\nimage-endpoint: %s)", good, good, path, good, good)

	type ep struct{ key, value, where string }
	var eps []ep
	b, err := f.readFile(f.host(path))
	fileFound := err == nil
	switch {
	case err == nil:
		var doc struct {
			RuntimeEndpoint string `json:"runtime-endpoint"`
			ImageEndpoint   string `json:"image-endpoint"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return fail(fmt.Sprintf("%s is not valid YAML: crictl ignores it and guesses endpoints.", path), []string{path + ": " + err.Error()}, writeFix)
		}
		lines := strings.Split(string(b), "\n")
		if doc.RuntimeEndpoint != "" {
			eps = append(eps, ep{"runtime-endpoint", doc.RuntimeEndpoint, yamlSetting(path, lines, "runtime-endpoint", doc.RuntimeEndpoint).Evidence()})
		}
		if doc.ImageEndpoint != "" {
			eps = append(eps, ep{"image-endpoint", doc.ImageEndpoint, yamlSetting(path, lines, "image-endpoint", doc.ImageEndpoint).Evidence()})
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return skip("%v", err)
	}
	for _, e := range []struct{ env, key string }{{"CONTAINER_RUNTIME_ENDPOINT", "runtime-endpoint"}, {"IMAGE_SERVICE_ENDPOINT", "image-endpoint"}} {
		if v, ok := f.opts.Getenv(e.env); ok && v != "" {
			kept := eps[:0]
			for _, x := range eps {
				if x.key != e.key {
					kept = append(kept, x)
				}
			}
			eps = append(kept, ep{e.key, v, "env " + e.env + "=" + v})
		}
	}
	if len(eps) == 0 {
		def := "/run/containerd/containerd.sock"
		if st, err := f.node().Stat(f.host(def)); err == nil && st.Mode()&os.ModeSocket != 0 {
			return ok("No crictl endpoint is configured (%s); crictl finds containerd at %s (and warns it guessed).", src, def)
		}
		ev := []string{src + ": no runtime-endpoint", def + ": no such socket"}
		if fileFound {
			ev[0] = src + ": no runtime-endpoint key"
		}
		return warn("crictl has no endpoint configured and containerd's default socket is not there: crictl will not find this runtime.", ev, writeFix)
	}
	var out []Finding
	for _, e := range eps {
		p, isUnix := endpointPath(e.value)
		if !isUnix {
			continue // tcp: nothing on the node to compare with
		}
		if name, other := otherRuntimes[filepath.Base(p)]; other {
			out = append(out, fail(fmt.Sprintf("crictl's %s points at %s, not at this containerd.", e.key, name), []string{e.where}, writeFix))
			continue
		}
		st, err := f.node().Stat(f.host(p))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			out = append(out, fail(fmt.Sprintf("crictl's %s %s does not exist: crictl fails on every command.", e.key, e.value), []string{e.where, p + ": no such file"}, writeFix))
			continue
		case err != nil:
			out = append(out, skip("%v", fileErr(p, err)))
			continue
		case st.Mode()&os.ModeSocket == 0:
			out = append(out, fail(fmt.Sprintf("crictl's %s %s is not a socket.", e.key, e.value), []string{e.where, p + ": " + st.Mode().String()}, writeFix))
			continue
		}
		if ours == "" || strings.HasPrefix(f.RuntimeEndpoint, "tcp://") {
			continue
		}
		mine, err := f.node().Stat(ours)
		if err == nil && os.SameFile(st, mine) {
			continue
		}
		if pid, err := f.node().SocketPID(f.host(p)); err == nil && pid == f.PID && f.PID > 0 {
			continue
		}
		out = append(out, warn(fmt.Sprintf("crictl's %s %s is another runtime than the one ctui checks (%s).", e.key, e.value, f.RuntimeEndpoint),
			[]string{e.where, "ctui's CRI endpoint: " + f.RuntimeEndpoint}, writeFix))
	}
	if len(out) == 0 {
		return ok("crictl's endpoints (%s) reach this containerd.", src)
	}
	return worst(out...)
}

// endpointPath is the socket path of a unix endpoint (crictl takes a bare
// path as unix://).
func endpointPath(ep string) (string, bool) {
	switch {
	case strings.HasPrefix(ep, "unix://"):
		return strings.TrimPrefix(ep, "unix://"), true
	case strings.Contains(ep, "://"):
		return "", false
	}
	return ep, true
}

// checkKernel: overlay and br_netfilter, ip_forward and
// bridge-nf-call-iptables, swap against kubelet, cgroup v1 on 2.x.
func checkKernel(f *Facts) Finding {
	var out []Finding
	sysctlFix := "modprobe overlay && modprobe br_netfilter\n" +
		"printf 'overlay\\nbr_netfilter\\n' > /etc/modules-load.d/k8s.conf\n" +
		"printf 'net.ipv4.ip_forward = 1\\nnet.bridge.bridge-nf-call-iptables = 1\\n' > /etc/sysctl.d/k8s.conf\n" +
		"sysctl --system"
	if _, err := f.node().Stat(f.sys("module")); err != nil {
		out = append(out, skip("%v", fileErr(f.sys("module"), err)))
	} else {
		var missing, ev []string
		for _, m := range []string{"overlay", "br_netfilter"} {
			if _, err := f.node().Stat(f.sys("module", m)); err != nil {
				missing = append(missing, m)
				ev = append(ev, "/sys/module/"+m+": not loaded (lsmod | grep "+m+" is empty)")
			}
		}
		if len(missing) > 0 {
			out = append(out, fail("Kernel modules not loaded: "+strings.Join(missing, ", ")+" (the overlayfs snapshotter and bridged pod traffic need overlay and br_netfilter).", ev, sysctlFix))
		}
	}
	for _, s := range []struct{ path, name, why string }{
		{"sys/net/ipv4/ip_forward", "net.ipv4.ip_forward", "pods cannot reach anything off the node"},
		{"sys/net/bridge/bridge-nf-call-iptables", "net.bridge.bridge-nf-call-iptables", "Service traffic between pods on a bridge bypasses kube-proxy's rules"},
	} {
		b, err := f.node().ReadFile(f.proc(s.path))
		switch {
		case errors.Is(err, fs.ErrNotExist) && strings.Contains(s.path, "bridge"):
			out = append(out, fail(s.name+" does not exist (br_netfilter is not loaded): "+s.why+".",
				[]string{"/proc/" + s.path + ": no such file"}, sysctlFix))
		case err != nil:
			out = append(out, skip("%v", fileErr("/proc/"+s.path, err)))
		case strings.TrimSpace(string(b)) != "1":
			out = append(out, fail(s.name+" is "+strings.TrimSpace(string(b))+": "+s.why+".",
				[]string{fmt.Sprintf("sysctl %s: %s", s.name, strings.TrimSpace(string(b)))}, sysctlFix))
		}
	}
	if b, err := f.node().ReadFile(f.proc("swaps")); err == nil {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 1 && f.Kubelet.Found {
			allowed := f.Kubelet.FailSwapOn != nil && f.Kubelet.FailSwapOn.Value == "false"
			if !allowed {
				ev := []string{"/proc/swaps: " + strings.Join(strings.Fields(lines[1]), " ")}
				if f.Kubelet.FailSwapOn != nil {
					ev = append(ev, f.Kubelet.FailSwapOn.Evidence())
				} else {
					ev = append(ev, "kubelet: failSwapOn is not set (default true)")
				}
				out = append(out, fail("Swap is on and kubelet refuses to run with swap (failSwapOn).", ev,
					"swapoff -a and comment out the swap lines in /etc/fstab\n"+
						"or allow it in "+KubeletConfigPath+":\nfailSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\nthen: systemctl restart kubelet"))
			}
		}
	} else {
		out = append(out, skip("%v", fileErr("/proc/swaps", err)))
	}
	if f.daemonMajor() >= 2 {
		if _, err := f.node().Stat(f.sys("fs", "cgroup", "cgroup.controllers")); errors.Is(err, fs.ErrNotExist) {
			if _, err := f.node().Stat(f.sys("fs", "cgroup")); err == nil {
				out = append(out, warn(f.daemonName()+" runs on cgroup v1, which containerd 2.x deprecates (and Kubernetes 1.35 stops supporting).",
					[]string{"/sys/fs/cgroup/cgroup.controllers: missing (cgroup v1 or hybrid)"},
					"Boot with cgroup v2: add systemd.unified_cgroup_hierarchy=1 to GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot"))
			}
		}
	}
	fails := false
	for _, o := range out {
		if o.Status != SKIP {
			fails = true
		}
	}
	if !fails {
		if len(out) > 0 {
			return worst(append(out, ok("The kernel settings ctui could read are right."))...)
		}
		return ok("overlay and br_netfilter are loaded, ip_forward and bridge-nf-call-iptables are 1, swap is compatible with kubelet.")
	}
	var real []Finding
	for _, o := range out {
		if o.Status != SKIP {
			real = append(real, o)
		}
	}
	return worst(real...)
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// DiskFreePercent is kubelet's default eviction threshold for the image
// filesystem (imagefs.available<15%), used for space and inodes.
const DiskFreePercent = 15

// checkDisk: the image filesystem, containerd's root and state below 15%
// free space or inodes; the snapshotter failed on its filesystem.
func checkDisk(f *Facts) Finding {
	var places []backend.DiskRoot
	if f.FSErr == nil {
		for _, fs := range f.FS {
			places = append(places, backend.DiskRoot{What: "CRI image filesystem (ImageFsInfo)", Path: fs.Mountpoint})
		}
	}
	root, state := "/var/lib/containerd", "/run/containerd"
	if v := f.Config.top("root"); v.Found {
		root = v.String()
	}
	if v := f.Config.top("state"); v.Found {
		state = v.String()
	}
	if f.Config == nil || f.ConfigErr != nil {
		root, state = "", ""
	}
	if root != "" {
		places = append(places, backend.DiskRoot{What: "containerd root", Path: root}, backend.DiskRoot{What: "containerd state", Path: state})
	}
	// One finding per filesystem (the node's Filesystems tells them apart),
	// naming every place on it; read under the node's root.
	node := map[string]string{}
	var dirs []backend.DiskRoot
	for _, p := range places {
		if p.Path == "" {
			continue
		}
		node[f.host(p.Path)] = p.Path
		dirs = append(dirs, backend.DiskRoot{What: p.What, Path: f.host(p.Path)})
	}
	var out []Finding
	for _, fs := range f.node().Filesystems(dirs) {
		var whats, paths []string
		for _, d := range fs.Dirs {
			if !slices.Contains(whats, d.What) {
				whats = append(whats, d.What)
			}
			if !slices.Contains(paths, node[d.Path]) {
				paths = append(paths, node[d.Path])
			}
		}
		what, path := joinAnd(whats), joinAnd(paths)
		if fs.Err != nil {
			out = append(out, skip("statfs %s (%s): %v", path, what, fs.Err))
			continue
		}
		s := fs.Space
		free := 100 - s.UsedPercent()
		inodeFree := 100.0
		if s.Inodes > 0 {
			inodeFree = 100 * float64(s.InodesFree) / float64(s.Inodes)
		}
		ev := fmt.Sprintf("df %s: %.0f%% used, %s available; inodes %d of %d free (%.0f%%)",
			path, s.UsedPercent(), backend.Size(int64(s.Avail)), s.InodesFree, s.Inodes, inodeFree)
		switch {
		case free < DiskFreePercent:
			out = append(out, fail(fmt.Sprintf("The %s at %s has %.0f%% free space, below kubelet's 15%% eviction threshold: images are garbage-collected and pods evicted.", what, path, free),
				[]string{ev}, "crictl rmi --prune (removes unused images), or ctui's prune; then grow the filesystem or move containerd's root (root = \"...\" in "+f.configFileName()+")"))
		case inodeFree < DiskFreePercent:
			out = append(out, fail(fmt.Sprintf("The %s at %s has %.0f%% free inodes, below 15%%: new layers and containers cannot be created.", what, path, inodeFree),
				[]string{ev}, "crictl rmi --prune; remove exited containers (crictl rm $(crictl ps -a -q --state exited)); or recreate the filesystem with more inodes"))
		}
	}
	// The snapshotter CRI uses, and how it came out of its start.
	snap := f.CRI.Snapshotter
	if snap == "" {
		if v := f.Config.lookup(setSnapshotter); v.Found {
			snap = v.String()
		}
	}
	if snap == "" && f.FSErr == nil && len(f.FS) > 0 {
		snap = backend.SnapshotterFromMountpoint(f.FS[0].Mountpoint)
	}
	if snap == "" {
		snap = backend.DefaultSnapshotter
	}
	if f.DaemonErr == nil {
		p, found := f.Daemon.Plugin("io.containerd.snapshotter.v1", snap)
		ev := []string{}
		if v := f.Config.lookup(setSnapshotter); v.Found {
			ev = append(ev, v.Evidence())
		}
		switch {
		case !found:
			out = append(out, fail(fmt.Sprintf("CRI's snapshotter %s is not in %s: no image can be unpacked.", snap, f.daemonName()),
				append(ev, "ctr plugins ls: no io.containerd.snapshotter.v1 "+snap),
				f.snippet(f.tableOf(setSnapshotter)+"\n  snapshotter = \"overlayfs\"")))
		case p.State != backend.PluginOK:
			out = append(out, fail(fmt.Sprintf("CRI's snapshotter %s does not work on containerd's root filesystem: %s", snap, p.InitErr),
				append(ev, fmt.Sprintf("ctr plugins ls: io.containerd.snapshotter.v1 %s %s: %s", snap, p.State, p.InitErr)),
				"Use a snapshotter the filesystem supports (overlayfs on ext4 or xfs with ftype=1):\n"+f.snippet(f.tableOf(setSnapshotter)+"\n  snapshotter = \"overlayfs\"")))
		}
	}
	if len(out) == 0 {
		return ok("The image filesystem and containerd's root and state have more than 15%% free; the %s snapshotter works there.", snap)
	}
	return worst(out...)
}

// checkRuntime: runc (or a runtime's BinaryName) and each runtime handler's
// shim missing or not executable.
func checkRuntime(f *Facts) Finding {
	if f.StatusErr != nil {
		return skip("CRI does not answer Status: %v", f.StatusErr)
	}
	if !f.CRI.Parsed {
		return skip("CRI Status has no config document to list runtime handlers from.")
	}
	if f.PID <= 0 || f.Config == nil {
		return skip("containerd's process is unknown, so its PATH cannot be read: %v", errText(f.PIDErr))
	}
	path := f.Config.PATH
	if path == "" {
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	dirs := filepath.SplitList(path)
	if f.Config.Exe != "" {
		dirs = append([]string{filepath.Dir(strings.TrimSuffix(f.Config.Exe, " (deleted)"))}, dirs...)
	}
	lookup := func(name string) (string, bool) {
		if filepath.IsAbs(name) {
			return name, f.isExecutable(f.host(name))
		}
		for _, d := range dirs {
			p := filepath.Join(d, name)
			if f.isExecutable(f.host(p)) {
				return p, true
			}
		}
		return "", false
	}
	var out []Finding
	var okNames []string
	for _, h := range f.CRI.Runtimes {
		shim := shimBinary(h.Type)
		if shim != "" {
			if _, found := lookup(shim); !found {
				out = append(out, fail(fmt.Sprintf("Runtime handler %q needs %s, which is not on containerd's PATH: pods with runtimeClassName %s fail.", h.Name, shim, h.Name),
					[]string{fmt.Sprintf("crictl info: config.containerd.runtimes.%s.runtimeType = %s", h.Name, h.Type), "containerd's PATH: " + strings.Join(dirs, ":")},
					fmt.Sprintf("Install %s into /usr/local/bin (or containerd's directory), or remove the handler's table %s from %s, then: %s",
						shim, f.table(setRuntimes, h.Name), f.configFileName(), f.restartFix())))
				continue
			}
		}
		if strings.HasPrefix(h.Type, "io.containerd.runc.") {
			bin := h.BinaryName
			if bin == "" {
				bin = "runc"
			}
			if _, found := lookup(bin); !found {
				ev := []string{fmt.Sprintf("crictl info: config.containerd.runtimes.%s.options.BinaryName = %q", h.Name, h.BinaryName)}
				if h.BinaryName == "" {
					ev = []string{"runc is not in containerd's PATH: " + strings.Join(dirs, ":")}
				}
				out = append(out, fail(fmt.Sprintf("Runtime handler %q runs %s, which is missing or not executable: its containers cannot start.", h.Name, bin), ev,
					"apt-get install runc (or dnf install runc), or set BinaryName to the runc you have in "+f.table(setRuntimes, h.Name, "options")+", then: "+f.restartFix()))
				continue
			}
		}
		okNames = append(okNames, h.Name)
	}
	if len(out) == 0 {
		return ok("Every runtime handler's shim and binary is present (%s).", strings.Join(okNames, ", "))
	}
	return worst(out...)
}

// shimBinary is the shim containerd runs for a runtime type:
// io.containerd.runc.v2 -> containerd-shim-runc-v2.
func shimBinary(typ string) string {
	parts := strings.Split(typ, ".")
	if len(parts) != 4 || parts[0] != "io" || parts[1] != "containerd" {
		if strings.HasPrefix(typ, "/") {
			return typ
		}
		return ""
	}
	return "containerd-shim-" + parts[2] + "-" + parts[3]
}
