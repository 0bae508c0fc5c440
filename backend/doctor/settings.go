package doctor

import (
	"fmt"
	"strings"
)

// pluginKey is the name a file uses for a plugin: version 1 files say "cri"
// for io.containerd.grpc.v1.cri.
func (cf *ConfigFile) pluginKey(id string) string {
	if cf.Version < 2 && id == pluginCRI {
		if _, ok := cf.get("plugins", "cri"); ok {
			return "cri"
		}
	}
	return id
}

// Plugin ids doctor reads settings of.
const (
	pluginCRI       = "io.containerd.grpc.v1.cri"
	pluginCRIImages = "io.containerd.cri.v1.images"
	pluginCRIRun    = "io.containerd.cri.v1.runtime"
)

// setting is a CRI setting's place in each schema: the plugin id first,
// then the key path inside it.
type setting struct{ v2, v3 []string }

var (
	setSandbox     = setting{v2: []string{pluginCRI, "sandbox_image"}, v3: []string{pluginCRIImages, "pinned_images", "sandbox"}}
	setSnapshotter = setting{v2: []string{pluginCRI, "containerd", "snapshotter"}, v3: []string{pluginCRIImages, "snapshotter"}}
	setRegistry    = setting{v2: []string{pluginCRI, "registry"}, v3: []string{pluginCRIImages, "registry"}}
	setRuntimes    = setting{v2: []string{pluginCRI, "containerd", "runtimes"}, v3: []string{pluginCRIRun, "containerd", "runtimes"}}
	setCNI         = setting{v2: []string{pluginCRI, "cni"}, v3: []string{pluginCRIRun, "cni"}}
	setRestrictOOM = setting{v2: []string{pluginCRI, "restrict_oom_score_adj"}, v3: []string{pluginCRIRun, "restrict_oom_score_adj"}}
)

// path is the setting's place for a file of the given version.
func (s setting) path(version int) []string {
	if version >= 3 {
		return s.v3
	}
	return s.v2
}

// lookup finds a CRI setting as the daemon sees it: in the last file that
// has the plugin's table (it replaces earlier ones whole), at the place
// that file's version puts it. Found is false when no file sets it.
func (c *DaemonConfig) lookup(s setting, sub ...string) Value {
	if c == nil {
		return Value{}
	}
	for i := len(c.Files) - 1; i >= 0; i-- {
		cf := c.Files[i]
		p := s.path(cf.Version)
		id := cf.pluginKey(p[0])
		if _, ok := cf.get("plugins", id); !ok {
			continue
		}
		full := append(append([]string{"plugins", id}, p[1:]...), sub...)
		v, found := cf.get(full...)
		return Value{V: v, File: cf, Line: cf.line(full...), Found: found}
	}
	return Value{}
}

// top finds a top-level key, the last file that sets it winning.
func (c *DaemonConfig) top(key string) Value {
	if c == nil {
		return Value{}
	}
	for i := len(c.Files) - 1; i >= 0; i-- {
		cf := c.Files[i]
		if v, ok := cf.Data[key]; ok {
			return Value{V: v, File: cf, Line: cf.line(key), Found: true}
		}
	}
	return Value{}
}

// disabledPlugins is disabled_plugins of every file, with where each is.
func (c *DaemonConfig) disabledPlugins() []Value {
	if c == nil {
		return nil
	}
	var out []Value
	for _, cf := range c.Files {
		list, _ := cf.Data["disabled_plugins"].([]any)
		for _, p := range list {
			out = append(out, Value{V: p, File: cf, Line: cf.line("disabled_plugins"), Found: true})
		}
	}
	return out
}

// mainVersion is the main file's version; 0 without a file.
func (c *DaemonConfig) mainVersion() int {
	if c == nil || len(c.Files) == 0 {
		return 0
	}
	return c.Files[0].Version
}

// distro names the service of k3s or RKE2 when the config is theirs.
func (c *DaemonConfig) distro() string {
	switch {
	case strings.Contains(c.Path, "/rancher/k3s/"):
		return "k3s"
	case strings.Contains(c.Path, "/rancher/rke2/"):
		return "rke2-server"
	}
	return ""
}

// schema is the config version fixes are written for: the main file's own,
// or the daemon's native one without a file.
func (f *Facts) schema() int {
	if v := f.Config.mainVersion(); v >= 2 {
		if v >= 3 && f.daemonMajor() == 1 {
			return 2
		}
		return v
	}
	if f.daemonMajor() >= 2 {
		return 3
	}
	return 2
}

// table renders the TOML header of a setting for this daemon's schema, with
// extra key parts appended.
func (f *Facts) table(s setting, sub ...string) string {
	p := append(append([]string{}, s.path(f.schema())...), sub...)
	var b strings.Builder
	b.WriteString(`[plugins."` + p[0] + `"`)
	for _, k := range p[1:] {
		if strings.ContainsAny(k, ".\" ") {
			b.WriteString(".\"" + k + "\"")
		} else {
			b.WriteString("." + k)
		}
	}
	b.WriteString("]")
	return b.String()
}

// configFileName is where a fix goes: the daemon's config file.
func (f *Facts) configFileName() string {
	if f.Config != nil {
		if f.Config.distro() != "" {
			return f.Config.Path + ".tmpl (k3s/RKE2 regenerate config.toml from it)"
		}
		return f.Config.Path
	}
	return DefaultConfigPath
}

// snippet is a fix that adds lines to the config file, then restarts.
func (f *Facts) snippet(body string) string {
	head := "In " + f.configFileName()
	if f.Config != nil && f.Config.Missing {
		head += fmt.Sprintf(" (create it; it starts with version = %d)", f.schema())
	}
	return head + ":\n" + body + "\nthen: " + f.restartFix()
}
