package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/distribution/reference"

	"github.com/ctui/ctui/backend"
)

// checkCgroupDriver: runc's SystemdCgroup against kubelet's cgroupDriver,
// or against the host (systemd and cgroup v2 want systemd).
func checkCgroupDriver(f *Facts) Finding {
	driver, ev := "", ""
	switch {
	case f.CgroupErr == nil && f.CgroupDriver != "":
		driver = f.CgroupDriver
		ev = "CRI RuntimeConfig: linux.cgroup_driver = " + strings.ToUpper(driver)
	case f.StatusErr != nil:
		return skip("CRI does not answer, so the runtime's cgroup driver is unknown: %v", f.StatusErr)
	case f.CRI.Parsed:
		driver = f.CRI.CgroupDriverFromConfig()
		if f.CRI.HasSystemdCgroup {
			ev = fmt.Sprintf("crictl info: config.containerd.runtimes.%s.options.SystemdCgroup = %v", f.CRI.DefaultRuntime, f.CRI.SystemdCgroup)
		} else {
			ev = fmt.Sprintf("crictl info: config.containerd.runtimes.%s.options has no SystemdCgroup (runc uses cgroupfs)", f.CRI.DefaultRuntime)
		}
	default:
		return skip("CRI Status has no config document, so the runtime's cgroup driver is unknown.")
	}
	evidence := []string{ev}
	rt := f.defaultRuntime()
	if v := f.Config.lookup(setRuntimes, rt, "options", "SystemdCgroup"); v.Found {
		evidence = append(evidence, v.Evidence())
	}
	fixFor := func(want string) string {
		return f.snippet(f.table(setRuntimes, rt, "options") + fmt.Sprintf("\n  SystemdCgroup = %v", want == "systemd"))
	}
	k := f.Kubelet
	if len(k.Errs) > 0 && k.CgroupDriver == nil {
		return skip("kubelet's config cannot be read: %v", k.Errs[0])
	}
	if k.Found {
		kd, kev := "cgroupfs", KubeletConfigPath+": no cgroupDriver (kubelet's default is cgroupfs)"
		kubeletFix := "or set cgroupDriver: " + driver + " in " + KubeletConfigPath + " and systemctl restart kubelet"
		if k.CgroupDriver != nil && !strings.HasPrefix(k.CgroupDriver.Where, KubeletConfigPath) {
			file, _, _ := strings.Cut(k.CgroupDriver.Where, ":")
			kubeletFix = "or set kubelet-arg cgroup-driver=" + driver + " in " + file + " and restart k3s or rke2-server"
		}
		if k.CgroupDriver != nil {
			kd, kev = k.CgroupDriver.Value, k.CgroupDriver.Evidence()
		} else if !contains(k.Files, KubeletConfigPath) {
			// k3s and RKE2 pick kubelet's driver from containerd's.
			return ok("containerd uses the %s cgroup driver; k3s/RKE2 set kubelet's to match.", driver)
		}
		if kd != driver {
			return fail(fmt.Sprintf("kubelet uses the %s cgroup driver but containerd's runc uses %s: pods fail or the node becomes unstable under load.", kd, driver),
				append(evidence, kev),
				fixFor(kd)+"\n"+kubeletFix)
		}
		return ok("containerd and kubelet both use the %s cgroup driver.", driver)
	}
	comm, _ := f.node().ReadFile(f.proc("1", "comm"))
	_, v2err := f.node().Stat(f.sys("fs", "cgroup", "cgroup.controllers"))
	if strings.TrimSpace(string(comm)) == "systemd" && v2err == nil && driver == "cgroupfs" {
		return warn("The host runs systemd on cgroup v2 but containerd's runc uses cgroupfs; kubeadm and kubelet expect the systemd driver there.",
			append(evidence, "/proc/1/comm: systemd", "/sys/fs/cgroup/cgroup.controllers exists (cgroup v2)"),
			fixFor("systemd"))
	}
	return ok("containerd uses the %s cgroup driver; no kubelet config on this node to compare with.", driver)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// defaultRuntime is CRI's default runtime handler name.
func (f *Facts) defaultRuntime() string {
	if f.CRI.DefaultRuntime != "" {
		return f.CRI.DefaultRuntime
	}
	return "runc"
}

// sandboxImage is the pause image CRI uses, with where it was read.
func (f *Facts) sandboxImage() (string, string) {
	if f.CRI.Parsed && f.CRI.SandboxImage != "" {
		return f.CRI.SandboxImage, "crictl info: config.sandboxImage = " + f.CRI.SandboxImage
	}
	if v := f.Config.lookup(setSandbox); v.Found && v.String() != "" {
		return v.String(), v.Evidence()
	}
	if f.daemonMajor() >= 2 {
		img := "registry.k8s.io/pause:3.10"
		if f.daemonMinor() >= 4 {
			img = "registry.k8s.io/pause:3.10.2"
		}
		return img, "the config file sets no pinned_images.sandbox: " + f.daemonName() + "'s default is " + img
	}
	return "", ""
}

// checkSandboxImage: the pause image missing from k8s.io, or not pinned.
func checkSandboxImage(f *Facts) Finding {
	if f.ImagesErr != nil {
		return skip("CRI does not list images: %v", f.ImagesErr)
	}
	img, where := f.sandboxImage()
	if img == "" {
		return skip("The sandbox image is not reported by CRI Status nor set in the config file.")
	}
	want := normalize(img)
	var found *backend.CRIImage
	for i, im := range f.Images {
		for _, r := range append(append([]string{}, im.RepoTags...), im.RepoDigests...) {
			if normalize(r) == want {
				found = &f.Images[i]
			}
		}
	}
	setFix := f.snippet(f.tableOf(setSandbox) + "\n  " + setSandbox.path(f.schema())[len(setSandbox.path(f.schema()))-1] + " = \"<an image this node has or can pull>\"")
	if found == nil {
		ev := []string{where, fmt.Sprintf("crictl images: no %s among %d images", img, len(f.Images))}
		pull := "ctr -n k8s.io images pull " + want + "\n(or crictl pull " + img + "; on an air-gapped node: ctr -n k8s.io images import pause.tar)"
		finding := fmt.Sprintf("The sandbox image %s is not in namespace k8s.io: every pod start must pull it first", img)
		switch {
		case len(f.CRI.RegistryMirrors) > 0 || f.Config.lookup(setRegistry, "mirrors").Found:
			// The deprecated mirrors are CRI's own: ctui cannot resolve
			// through them, so it does not guess.
			finding += ", and fails where the node cannot reach its registry."
		case f.node() != Local:
			// The resolve reads hosts.toml, its CA files and registries.yaml
			// with containerd's own code, which reads this machine's files:
			// over SSH it would answer for the wrong machine.
			finding += "; whether its registry has it is not asked over SSH (the registry files and network are the node's): run ctui doctor on the node for that."
		default:
			if err := f.probePull(want); err != nil {
				finding += fmt.Sprintf(", and it cannot be pulled with this node's registry configuration: %v", err)
				ev = append(ev, "resolve "+want+" (hosts.toml under config_path, registries.yaml): "+err.Error())
				pull = "Correct the registry configuration for its host (see the registry check), then:\n" + pull
			} else {
				finding += "; its registry answers, so the first pod pulls it (slowly, and not at all if the registry goes away)."
				ev = append(ev, "resolve "+want+": the registry has it")
			}
		}
		return fail(finding, ev, pull+"\nor point CRI at an image the node has:\n"+setFix)
	}
	pinCapable := f.daemonMajor() >= 2 || (f.daemonMajor() == 1 && f.daemonMinor() >= 7)
	if pinCapable && !found.Pinned {
		ev := []string{where, fmt.Sprintf("crictl images --pinned: %s pinned=false", want)}
		key := setSandbox.path(f.schema())
		if want != img {
			// CRI labels an image pinned only when its stored name is
			// the configured string itself; containerd stores the
			// normalized name, so a short name is never pinned.
			return warn(fmt.Sprintf("The sandbox image %s is present but not pinned: CRI pins only the image stored under exactly the configured name, and containerd stores this one as %s, so kubelet's image garbage collection may remove it.", img, want),
				append(ev, fmt.Sprintf("crictl images: the image is tagged %s, not %s", want, img)),
				"Write the full name in the sandbox image setting:\n"+f.snippet(f.tableOf(setSandbox)+"\n  "+key[len(key)-1]+" = \""+want+"\""))
		}
		return warn(fmt.Sprintf("The sandbox image %s is present but not pinned: kubelet's image garbage collection may remove it.", img), ev,
			"CRI pins the configured image when it pulls it or sees it change: crictl pull "+want+", or restart containerd ("+f.restartFix()+"), which pins it at start.")
	}
	if !pinCapable {
		return ok("The sandbox image %s is in k8s.io (%s pins no image).", img, f.daemonName())
	}
	return ok("The sandbox image %s is in k8s.io, pinned.", img)
}

// normalize is a reference as containerd stores it (docker.io/library/...).
func normalize(ref string) string {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return n.String()
}

// checkCNI: NetworkReady false, conf dir empty or unreadable, a plugin
// binary named in a conflist missing from the bin dirs.
func checkCNI(f *Facts) Finding {
	if f.StatusErr != nil {
		return skip("CRI does not answer Status: %v", f.StatusErr)
	}
	var out []Finding
	cond, hasCond := f.Status.Condition(backend.ConditionNetworkReady)
	condEv := fmt.Sprintf("crictl info: NetworkReady=%v reason=%q message=%q", cond.Status, cond.Reason, cond.Message)
	confDir := f.CRI.CNIConfDir
	if confDir == "" {
		confDir = "/etc/cni/net.d"
	}
	binDirs := f.CRI.CNIBinDirs
	if len(binDirs) == 0 {
		binDirs = []string{"/opt/cni/bin"}
	}
	sampleFix := fmt.Sprintf("Install the cluster's network add-on (it writes its conflist into %s), or for a single node write %s/10-containerd-net.conflist:\n%s",
		confDir, confDir, sampleConflist)
	entries, err := f.node().ReadDir(f.host(confDir))
	var confs []string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		out = append(out, fail(fmt.Sprintf("The CNI conf dir %s does not exist: pods get no network.", confDir),
			[]string{"crictl info: config.cni.confDir = " + confDir, confDir + ": no such directory"}, "mkdir -p "+confDir+"\n"+sampleFix))
	case err != nil:
		out = append(out, skip("%v", fileErr(confDir, err)))
	default:
		for _, e := range entries {
			switch filepath.Ext(e.Name()) {
			case ".conf", ".conflist", ".json":
				confs = append(confs, e.Name())
			}
		}
		sort.Strings(confs)
		if len(confs) == 0 {
			out = append(out, fail(fmt.Sprintf("The CNI conf dir %s holds no network config: pods get no network.", confDir),
				[]string{"crictl info: config.cni.confDir = " + confDir, fmt.Sprintf("ls %s: %d files, none .conf/.conflist/.json", confDir, len(entries))}, sampleFix))
		}
	}
	if len(confs) > 0 {
		// containerd loads the first file in name order (max_conf_num 1).
		p := filepath.Join(confDir, confs[0])
		types, err := f.cniTypes(f.host(p))
		if err != nil {
			out = append(out, fail(fmt.Sprintf("The CNI config %s does not parse: %v", p, err), []string{p + ": " + err.Error()},
				"Correct or remove "+p))
		}
		var missing []string
		for _, t := range types {
			if !findExecutable(f, binDirs, t) {
				missing = append(missing, fmt.Sprintf("%s: plugin type %q: no executable %s in %s", p, t, t, strings.Join(binDirs, ", ")))
			}
		}
		if len(missing) > 0 {
			out = append(out, fail(fmt.Sprintf("The CNI config %s names plugins whose binaries are missing: pod networking fails.", p), missing,
				fmt.Sprintf("Install the CNI plugins into %s (https://github.com/containernetworking/plugins/releases, or apt-get install containernetworking-plugins, which puts them in /usr/lib/cni), or point CRI at their directory:\n%s",
					binDirs[0], f.snippet(f.table(setCNI)+"\n  "+binDirsKey(f)))))
		}
	}
	if hasCond && !cond.Status {
		fix := sampleFix
		ev := []string{condEv}
		// The daemon's own reason (CRI Status verbose), when it has one.
		if st := strings.Trim(f.CRI.LastCNILoadStatus, "\""); st != "" && st != "OK" {
			ev = append(ev, "crictl info: lastCNILoadStatus = "+st)
		}
		if len(confs) > 0 {
			fix = "Correct " + filepath.Join(confDir, confs[0]) + " (the load error above; journalctl -u containerd has it too): containerd reloads it when it changes"
		}
		out = append(out, fail("CRI reports NetworkReady=false: "+cond.Message, ev, fix))
	}
	if len(out) == 0 {
		return ok("CNI is ready with %s.", filepath.Join(confDir, confs[0]))
	}
	return worst(out...)
}

func binDirsKey(f *Facts) string {
	if f.schema() >= 3 {
		return `bin_dirs = ["/usr/lib/cni"]`
	}
	return `bin_dir = "/usr/lib/cni"`
}

const sampleConflist = `{
  "cniVersion": "1.0.0",
  "name": "containerd-net",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}`

// cniTypes lists the plugin types a .conf or .conflist names, ipam included.
func (f *Facts) cniTypes(path string) ([]string, error) {
	b, err := f.readFile(path)
	if err != nil {
		return nil, err
	}
	type plugin struct {
		Type string `json:"type"`
		IPAM *struct {
			Type string `json:"type"`
		} `json:"ipam"`
	}
	var doc struct {
		plugin
		Plugins []plugin `json:"plugins"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	ps := doc.Plugins
	if len(ps) == 0 {
		ps = []plugin{doc.plugin}
	}
	var out []string
	for _, p := range ps {
		if p.Type != "" {
			out = append(out, p.Type)
		}
		if p.IPAM != nil && p.IPAM.Type != "" {
			out = append(out, p.IPAM.Type)
		}
	}
	return out, nil
}

// findExecutable says whether name is an executable file in one of dirs.
func findExecutable(f *Facts, dirs []string, name string) bool {
	for _, d := range dirs {
		if f.isExecutable(f.host(filepath.Join(d, name))) {
			return true
		}
	}
	return false
}

func (f *Facts) isExecutable(p string) bool {
	st, err := f.node().Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}
