package doctor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	"github.com/pelletier/go-toml/v2"

	"github.com/ctui/ctui/backend"
)

// criPlugins are the plugins that make up CRI on the running daemon.
func (f *Facts) criPlugins() []string {
	if f.daemonMajor() >= 2 {
		return []string{pluginCRI, pluginCRIRun, pluginCRIImages}
	}
	return []string{pluginCRI}
}

// splitPluginID splits "io.containerd.grpc.v1.cri" into type and id.
func splitPluginID(full string) (string, string) {
	i := strings.LastIndex(full, ".")
	if i < 0 {
		return "", full
	}
	return full[:i], full[i+1:]
}

// checkCRIPlugin: the CRI plugin disabled in config or failed to load,
// with its init error; RuntimeReady false.
func checkCRIPlugin(f *Facts) Finding {
	if f.DaemonErr != nil {
		if f.CRIErr == nil && f.StatusErr == nil {
			return runtimeReady(f, ok("CRI answers at %s (containerd's introspection did not: %v).", f.RuntimeEndpoint, f.DaemonErr))
		}
		if f.CRIErr != nil && !errors.Is(f.DaemonErr, backend.ErrPermission) && !errors.Is(f.DaemonErr, backend.ErrUnsupported) {
			return fail("containerd does not answer: "+f.DaemonErr.Error(),
				[]string{"containerd: " + f.DaemonErr.Error(), "CRI: " + f.CRIErr.Error()},
				"systemctl status containerd; journalctl -u containerd -e names why it stopped; systemctl restart containerd")
		}
		return skip("containerd's introspection does not answer, so the plugins cannot be listed: %v", f.DaemonErr)
	}
	var out []Finding
	var disabledIDs []string
	for _, full := range f.criPlugins() {
		typ, id := splitPluginID(full)
		p, found := f.Daemon.Plugin(typ, id)
		switch {
		case !found && f.pluginDisabled(full):
			disabledIDs = append(disabledIDs, full)
		case !found:
			out = append(out, fail(fmt.Sprintf("%s does not list the plugin %s: kubelet and crictl get no runtime.", f.daemonName(), full),
				[]string{"ctr plugins ls: no " + typ + " " + id},
				"Run a containerd build with CRI (the distribution's containerd package, or containerd.io without disabled_plugins), then: "+f.restartFix()))
		case p.State != backend.PluginOK:
			out = append(out, fail(fmt.Sprintf("The CRI plugin %s failed to load: %s", full, p.InitErr),
				[]string{fmt.Sprintf("ctr plugins ls: %s %s %s: %s", typ, id, p.State, p.InitErr)},
				"Correct the setting the error names in "+f.configFileName()+" (journalctl -u containerd has the whole error), then: "+f.restartFix()))
		}
	}
	if len(disabledIDs) > 0 {
		var ev, keep []string
		seen := map[string]bool{}
		for _, d := range f.Config.disabledPlugins() {
			if !seen[d.Where()] {
				seen[d.Where()] = true
				ev = append(ev, d.Evidence())
			}
			if !isCRIPluginName(d.String()) {
				keep = append(keep, strconv.Quote(d.String()))
			}
		}
		out = append(out, fail(fmt.Sprintf("CRI is disabled in the config file (%s), so kubelet and crictl get no runtime.", strings.Join(disabledIDs, ", ")),
			ev, f.snippet("disabled_plugins = ["+strings.Join(keep, ", ")+"]")))
	}
	if len(out) > 0 {
		return worst(out...)
	}
	return runtimeReady(f, ok("The CRI plugin is loaded (%s).", strings.Join(f.criPlugins(), ", ")))
}

// runtimeReady turns a RuntimeReady=false into a failure.
func runtimeReady(f *Facts, good Finding) Finding {
	if f.StatusErr != nil {
		return good
	}
	c, found := f.Status.Condition(backend.ConditionRuntimeReady)
	if found && !c.Status {
		return fail("CRI reports RuntimeReady=false: "+c.Reason+" "+c.Message,
			[]string{fmt.Sprintf("crictl info: RuntimeReady=false reason=%q message=%q", c.Reason, c.Message)},
			"journalctl -u containerd names the cause; then: "+f.restartFix())
	}
	return good
}

// Top-level keys of containerd's config, per release line.
var (
	topKeys2 = keySet("version", "root", "state", "temp", "debug", "disabled_plugins", "required_plugins", "plugins",
		"oom_score", "cgroup", "proxy_plugins", "timeouts", "imports", "stream_processors", "grpc", "ttrpc", "metrics")
	topKeys1 = keySet("version", "root", "state", "temp", "plugin_dir", "debug", "disabled_plugins", "required_plugins",
		"plugins", "oom_score", "cgroup", "proxy_plugins", "timeouts", "imports", "stream_processors", "grpc", "ttrpc", "metrics")
)

func keySet(ks ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// movedV2 says where a version 2 CRI setting goes when containerd 2.x
// migrates the file (plugins/cri/{images,runtime}/plugin.go configMigration).
func movedV2(key string) string {
	img := `plugins."` + pluginCRIImages + `".`
	run := `plugins."` + pluginCRIRun + `".`
	switch key {
	case "sandbox_image":
		return img + "pinned_images.sandbox"
	case "registry", "image_decryption", "max_concurrent_downloads", "image_pull_progress_timeout",
		"image_pull_with_sync_fs", "stats_collect_period":
		return img + key
	case "containerd.snapshotter", "containerd.disable_snapshot_annotations", "containerd.discard_unpacked_layers":
		return img + strings.TrimPrefix(key, "containerd.")
	case "disable_tcp_service", "stream_server_address", "stream_server_port", "stream_idle_timeout",
		"enable_tls_streaming", "x509_key_pair_streaming":
		return `plugins."` + pluginCRI + `".` + key + " (stays)"
	case "enable_cdi":
		return "nowhere: CDI is always on in 2.x"
	case "cni.bin_dir":
		return run + "cni.bin_dirs"
	}
	return run + key
}

// checkConfig: the config file's version against the daemon's, unknown
// keys, oom_score and restrict_oom_score_adj, the daemon's deprecations.
func checkConfig(f *Facts) Finding {
	var out []Finding
	c := f.Config
	switch {
	case f.ConfigErr != nil && (errors.Is(f.ConfigErr, fs.ErrPermission) || errors.Is(f.ConfigErr, fs.ErrNotExist) || c == nil):
		return skip("%v", f.ConfigErr)
	case f.ConfigErr != nil:
		return fail("The daemon's config file does not parse; containerd will not start with it again.",
			[]string{f.ConfigErr.Error(), "found by " + c.Source},
			"Correct the line named, check it with: containerd --config "+c.Path+" config dump")
	case c.Missing:
		out = append(out, ok("No config file at %s (%s): %s runs on its built-in defaults.", c.Path, c.Source, f.daemonName()))
	default:
		out = append(out, ok("%s (found by %s, version %d%s) reads cleanly.", c.Path, c.Source, c.mainVersion(), importsNote(c)))
	}
	major := f.daemonMajor()
	for _, cf := range c.Files {
		switch {
		case major == 1 && cf.Version >= 3:
			// 1.6 starts on it all the same, as if it were version 2: the
			// 2.x plugin tables are unknown to it, so CRI runs on defaults.
			ev := []string{lineEvidence(cf, "version")}
			if plugins, ok := cf.Data["plugins"].(map[string]any); ok {
				var ids []string
				for id := range plugins {
					if strings.HasPrefix(id, "io.containerd.cri.v1.") {
						ids = append(ids, id)
					}
				}
				sort.Strings(ids)
				for _, id := range ids {
					ev = append(ev, fmt.Sprintf("%s:%d: [plugins.%q] (a containerd 2.x plugin: 1.x ignores its settings)", cf.Path, cf.line("plugins", id), id))
				}
			}
			out = append(out, fail(fmt.Sprintf("%s is a version %d config, which %s does not read as written: 1.x knows version 2 at most, so the settings of containerd 2.x's plugin tables (sandbox image, runtimes, CNI, registry) do not apply and CRI runs on its defaults.", cf.Path, cf.Version, f.daemonName()),
				ev,
				"Write the file in version 2: version = 2, and the CRI settings under [plugins.\"io.containerd.grpc.v1.cri\"] (pinned_images.sandbox -> sandbox_image, cni.bin_dirs -> cni.bin_dir, [plugins.\"io.containerd.cri.v1.runtime\".containerd] -> [plugins.\"io.containerd.grpc.v1.cri\".containerd], [plugins.\"io.containerd.cri.v1.images\".registry] -> [plugins.\"io.containerd.grpc.v1.cri\".registry]); containerd config default > "+cf.Path+".new writes a version 2 file to start from; then: "+f.restartFix()))
		case major == 1 && cf.Version < 2:
			out = append(out, warn(fmt.Sprintf("%s is a version 1 config (no version key), deprecated since containerd 1.5 and migrated at every start.", cf.Path),
				[]string{cf.Path + ": no version = 2 line"},
				"Add version = 2 at the top and rename plugin tables to their full ids (plugins.cri -> plugins.\"io.containerd.grpc.v1.cri\"), then: "+f.restartFix()))
		case major >= 2 && cf.Version > f.maxConfigVersion():
			out = append(out, fail(fmt.Sprintf("%s is a version %d config, which %s refuses: it reads version %d at most, so it will not start on this file again.", cf.Path, cf.Version, f.daemonName(), f.maxConfigVersion()),
				[]string{lineEvidence(cf, "version")},
				fmt.Sprintf("Write it for this daemon: version = %d and only the settings it knows (containerd config default prints a file of its version to compare with); check with: containerd --config %s config dump", f.maxConfigVersion(), cf.Path)))
		case major >= 2 && cf.Version < 3:
			ev := []string{lineEvidence(cf, "version")}
			if v, found := cf.get("plugins", cf.pluginKey(pluginCRI)); found {
				if m, ok := v.(map[string]any); ok {
					for _, k := range flatKeys(m, "") {
						ev = append(ev, fmt.Sprintf("%s:%d: plugins.%q.%s -> %s", cf.Path, cf.line(append([]string{"plugins", cf.pluginKey(pluginCRI)}, strings.Split(k, ".")...)...), pluginCRI, k, movedV2(k)))
					}
				}
			}
			out = append(out, warn(fmt.Sprintf("%s is a version %d config; %s migrates it to version 3 at every start (each moved setting below).", cf.Path, cf.Version, f.daemonName()),
				ev, "containerd config migrate > "+cf.Path+".new && mv "+cf.Path+".new "+cf.Path+"\nthen: "+f.restartFix()))
		}
		known := topKeys2
		if major == 1 {
			known = topKeys1
		}
		var unknown []string
		for k := range cf.Data {
			if !known[k] {
				unknown = append(unknown, lineEvidence(cf, k))
			}
		}
		sort.Strings(unknown)
		if len(unknown) > 0 {
			out = append(out, warn(fmt.Sprintf("%s has top-level keys %s does not know; it ignores them.", cf.Path, f.daemonName()),
				unknown, "Remove or correct them (containerd config default lists every key)."))
		}
		if f.DaemonErr == nil {
			if plugins, ok := cf.Data["plugins"].(map[string]any); ok {
				var ev []string
				for id := range plugins {
					full := id
					if cf.Version < 2 && id == "cri" {
						full = pluginCRI
					}
					if f.pluginKnown(full) || f.pluginDisabled(full) {
						continue
					}
					ev = append(ev, fmt.Sprintf("%s:%d: [plugins.%q] (ctr plugins ls has no such plugin)", cf.Path, cf.line("plugins", id), id))
				}
				sort.Strings(ev)
				if len(ev) > 0 {
					out = append(out, warn(fmt.Sprintf("%s configures plugins %s does not have; their settings do nothing.", cf.Path, f.daemonName()),
						ev, "Correct the plugin ids (ctr plugins ls lists them as type.id) or remove the tables."))
				}
			}
		}
	}
	out = append(out, runtimeOptionKeys(f)...)
	out = append(out, oomFindings(f)...)
	if f.DaemonErr == nil {
		var ev []string
		for _, d := range f.Daemon.Deprecations {
			if isRegistryDeprecation(d.ID) || d.ID == deprecationCgroupV1 {
				continue // the registry and kernel checks report these
			}
			ev = append(ev, fmt.Sprintf("ctr deprecations list: %s: %s", d.ID, d.Message))
		}
		if len(ev) > 0 {
			out = append(out, warn(fmt.Sprintf("%s reports %d deprecated features in use.", f.daemonName(), len(ev)), ev,
				"Follow each message; the settings it names are in "+f.configFileName()+"."))
		}
	}
	return worst(out...)
}

const deprecationCgroupV1 = "io.containerd.deprecation/cgroup-v1"

// maxConfigVersion is the newest config version the daemon reads: 2 on
// 1.x, 3 on 2.0 to 2.3, 4 from 2.4 (which moves the grpc, ttrpc and
// metrics tables into server plugins).
func (f *Facts) maxConfigVersion() int {
	switch {
	case f.daemonMajor() == 1:
		return 2
	case f.daemonMajor() == 2 && f.daemonMinor() >= 0 && f.daemonMinor() < 4:
		return 3
	}
	return 4
}

func isRegistryDeprecation(id string) bool {
	return strings.HasPrefix(id, "io.containerd.deprecation/cri-registry-")
}

func importsNote(c *DaemonConfig) string {
	if len(c.Files) <= 1 && len(c.ImportErrs) == 0 {
		return ""
	}
	var ps []string
	for _, cf := range c.Files[1:] {
		ps = append(ps, cf.Path)
	}
	return ", imports " + strings.Join(ps, ", ")
}

// lineEvidence is "path:line: text" for a top-level key.
func lineEvidence(cf *ConfigFile, path ...string) string {
	l := cf.line(path...)
	if l > 0 && l <= len(cf.lines) {
		return fmt.Sprintf("%s:%d: %s", cf.Path, l, strings.TrimSpace(cf.lines[l-1]))
	}
	return cf.Path + ": no " + strings.Join(path, ".") + " (version 1)"
}

// flatKeys lists the leaf keys of a table as dotted paths, tables whose
// keys are names (runtimes, mirrors) kept whole.
func flatKeys(m map[string]any, prefix string) []string {
	var out []string
	for k, v := range m {
		p := prefix + k
		if sub, ok := v.(map[string]any); ok && k != "runtimes" && k != "mirrors" && k != "configs" && k != "registry" {
			out = append(out, flatKeys(sub, p+".")...)
			continue
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (f *Facts) pluginKnown(full string) bool {
	typ, id := splitPluginID(full)
	_, ok := f.Daemon.Plugin(typ, id)
	return ok
}

// isCRIPluginName says whether a disabled_plugins entry is part of CRI:
// "cri" (1.x's short name), io.containerd.grpc.v1.cri, the 2.x
// io.containerd.cri.v1.* plugins and the pod sandbox controller.
func isCRIPluginName(s string) bool {
	return s == "cri" || s == pluginCRI || strings.HasPrefix(s, "io.containerd.cri.v1.") ||
		s == "io.containerd.podsandbox.controller.v1.podsandbox"
}

func (f *Facts) pluginDisabled(full string) bool {
	_, id := splitPluginID(full)
	for _, d := range f.Config.disabledPlugins() {
		if s := d.String(); s == full || s == id {
			return true
		}
	}
	return false
}

// runtimeOptionKeys decodes each runc runtime's options as containerd does
// and names the keys it ignores (SystemdCgroups for SystemdCgroup, ...).
func runtimeOptionKeys(f *Facts) []Finding {
	rts := f.Config.lookup(setRuntimes)
	m, _ := rts.V.(map[string]any)
	var out []Finding
	names := make([]string, 0, len(m))
	for h := range m {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, h := range names {
		rt, _ := m[h].(map[string]any)
		typ, _ := rt["runtime_type"].(string)
		opts, ok := rt["options"].(map[string]any)
		if !ok || (typ != "" && !strings.HasPrefix(typ, "io.containerd.runc.")) {
			continue
		}
		b, err := toml.Marshal(opts)
		if err != nil {
			continue
		}
		var o runcoptions.Options
		err = toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields().Decode(&o)
		var sme *toml.StrictMissingError
		if !errors.As(err, &sme) {
			continue
		}
		var ev []string
		base := append(append([]string{"plugins", rts.File.pluginKey(setRuntimes.path(rts.File.Version)[0])}, setRuntimes.path(rts.File.Version)[1:]...), h, "options")
		for _, e := range sme.Errors {
			k := e.Key()
			line := rts.File.line(append(base, k...)...)
			ev = append(ev, fmt.Sprintf("%s:%d: %s (runc's options have no such key)", rts.File.Path, line, strings.Join(k, ".")))
		}
		out = append(out, warn(fmt.Sprintf("Runtime %q has options runc does not know; containerd ignores them, so they do not take effect.", h),
			ev, "Use runc's option names (SystemdCgroup, BinaryName, Root, NoPivotRoot, ...) in "+f.table(setRuntimes, h, "options")+", then: "+f.restartFix()))
	}
	return out
}

// capSysResource is CAP_SYS_RESOURCE's bit in /proc/<pid>/status CapEff.
const capSysResource = 24

// oomFindings: oom_score not applied, and restrict_oom_score_adj off where
// the daemon cannot lower a process's oom_score_adj (every sandbox fails).
func oomFindings(f *Facts) []Finding {
	if f.PID <= 0 {
		return nil
	}
	pid := strconv.Itoa(f.PID)
	var out []Finding
	actual, errAdj := f.node().ReadFile(f.proc(pid, "oom_score_adj"))
	if v := f.Config.top("oom_score"); v.Found && errAdj == nil {
		want := fmt.Sprint(v.V)
		got := strings.TrimSpace(string(actual))
		if want != got {
			out = append(out, warn(fmt.Sprintf("oom_score = %s is set but containerd runs with oom_score_adj %s: it could not apply it (no CAP_SYS_RESOURCE?).", want, got),
				[]string{v.Evidence(), fmt.Sprintf("/proc/%s/oom_score_adj: %s", pid, got)},
				"Run containerd with CAP_SYS_RESOURCE (the systemd unit as root), or remove oom_score from "+f.configFileName()+"."))
		}
	}
	if f.CRIErr != nil {
		return out
	}
	status, err := f.node().ReadFile(f.proc(pid, "status"))
	if err != nil {
		return out
	}
	capEff := ""
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			capEff = strings.TrimSpace(v)
		}
	}
	caps, err := strconv.ParseUint(capEff, 16, 64)
	if err != nil || caps&(1<<capSysResource) != 0 {
		return out
	}
	restrict := f.Config.lookup(setRestrictOOM)
	if on, _ := restrict.Bool(); on {
		return out
	}
	ev := []string{fmt.Sprintf("/proc/%s/status: CapEff: %s (no CAP_SYS_RESOURCE)", pid, capEff)}
	if restrict.Found {
		ev = append(ev, restrict.Evidence())
	} else {
		ev = append(ev, "restrict_oom_score_adj is not set (default false)")
	}
	out = append(out, fail("containerd lacks CAP_SYS_RESOURCE and restrict_oom_score_adj is off: runc cannot set pods' oom_score_adj, so every pod sandbox fails to start.",
		ev, f.snippet(f.tableOf(setRestrictOOM)+"\n  restrict_oom_score_adj = true")))
	return out
}

// tableOf is the header of the table holding a setting's last key.
func (f *Facts) tableOf(s setting) string {
	p := s.path(f.schema())
	return f.table(setting{v2: p[:len(p)-1], v3: p[:len(p)-1]})
}
