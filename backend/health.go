package backend

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// PluginState is how a containerd plugin came out of its start, in ctr's
// words (`ctr plugins ls`, STATUS column).
type PluginState string

// The states ctr prints: a plugin that loaded, one that stepped aside on
// purpose (zfs on a filesystem that is not ZFS: "skip plugin"), and one that
// failed.
const (
	PluginOK    PluginState = "ok"
	PluginSkip  PluginState = "skip"
	PluginError PluginState = "error"
)

// Plugin is one containerd plugin as introspection reports it.
type Plugin struct {
	Type      string // e.g. io.containerd.snapshotter.v1
	ID        string // e.g. overlayfs
	Platforms []string
	// Exports are the facts a plugin publishes about itself, e.g. a
	// snapshotter's root or, on 2.x, io.containerd.cri.v1.images'
	// RegistryConfigPath.
	Exports map[string]string
	State   PluginState
	// InitErr is why the plugin did not load, for skip and error.
	InitErr string
}

// PluginStateOf decides skip against error as ctr does: an init error that
// says "skip plugin" is a plugin stepping aside, any other is a failure.
func PluginStateOf(initErr string, failed bool) PluginState {
	switch {
	case !failed:
		return PluginOK
	case strings.Contains(initErr, "skip plugin"):
		return PluginSkip
	}
	return PluginError
}

// Deprecation is a deprecated feature containerd saw in use (2.x and late
// 1.7 report them; kubelet sees them as ContainerdHasNoDeprecationWarnings).
type Deprecation struct {
	ID             string
	Message        string
	LastOccurrence time.Time
}

// DaemonHealth is what containerd says about itself through its version and
// introspection services: what `ctr version`, `ctr plugins ls` and
// `ctr deprecations list` print.
type DaemonHealth struct {
	Version ServerVersion
	UUID    string
	// PID is containerd's process id; 0 when the daemon does not report it
	// (1.6, whose introspection Server answers the UUID only).
	PID uint64
	// ServerDetails is false when the daemon's Server answer has no pid or
	// deprecations field at all (1.6): then Deprecations is unknown, not
	// empty.
	ServerDetails bool
	Deprecations  []Deprecation
	// ServerErr is why the Server call failed, when the rest answered.
	ServerErr error
	// Plugins are sorted by type then id, as ctr lists them.
	Plugins []Plugin
	// Snapshotter is the namespace's default snapshotter, and
	// SnapshotterSource where that came from: the namespace label
	// containerd.io/defaults/snapshotter, or containerd's default.
	Snapshotter       string
	SnapshotterSource string
}

// SnapshotterLabel is the namespace label that overrides containerd's default
// snapshotter for everything created in that namespace.
const SnapshotterLabel = "containerd.io/defaults/snapshotter"

// DefaultSnapshotter is containerd's default on Linux.
const DefaultSnapshotter = "overlayfs"

// PluginCounts counts plugins by state.
func (h DaemonHealth) PluginCounts() (ok, skip, failed int) {
	for _, p := range h.Plugins {
		switch p.State {
		case PluginOK:
			ok++
		case PluginSkip:
			skip++
		default:
			failed++
		}
	}
	return ok, skip, failed
}

// Plugin finds a plugin by type and id.
func (h DaemonHealth) Plugin(typ, id string) (Plugin, bool) {
	for _, p := range h.Plugins {
		if p.Type == typ && p.ID == id {
			return p, true
		}
	}
	return Plugin{}, false
}

// SortPlugins orders plugins as ctr lists them: by type, then id.
func SortPlugins(ps []Plugin) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Type != ps[j].Type {
			return ps[i].Type < ps[j].Type
		}
		return ps[i].ID < ps[j].ID
	})
}

// Introspector is implemented by a native backend that can describe the
// daemon's own health (containerd's introspection service).
type Introspector interface {
	// Health answers for the given namespace, whose labels may choose the
	// snapshotter.
	Health(ctx context.Context, namespace string) (DaemonHealth, error)
}

// CgroupDriverReader is implemented by a CRI backend that can ask the
// runtime for its cgroup driver (CRI RuntimeConfig, containerd 2.x). A
// runtime without the call answers ErrUnsupported.
type CgroupDriverReader interface {
	CgroupDriver(ctx context.Context) (string, error)
}

// Condition types containerd 2.x adds to the two every runtime reports.
const ConditionNoDeprecationWarnings = "ContainerdHasNoDeprecationWarnings"

// Fact is one setting of the CRI plugin. Value is empty when the runtime
// does not report it; Note then says why (or where it went), and may also
// qualify a value (where it came from).
type Fact struct {
	Name  string
	Value string
	Note  string
}

// CRIConfig is what an operator checks first in `crictl info`: the CRI
// plugin's settings that decide whether pods start, taken from Status'
// verbose info as containerd 1.6 to 2.x words it (COMPAT §6).
type CRIConfig struct {
	// Parsed is false when the runtime sent no config document (a runtime
	// other than containerd, or a Status without verbose info).
	Parsed bool
	// V2 is true when the document has the 2.x layout (no registry,
	// sandbox image or snapshotter: those moved to io.containerd.cri.v1.images).
	V2             bool
	SandboxImage   string
	Snapshotter    string
	DefaultRuntime string
	RuntimeType    string
	// SystemdCgroup is the default runtime's options.SystemdCgroup, the
	// flag that really picks the cgroup driver; HasSystemdCgroup is false
	// when the options leave it out (runc then uses cgroupfs).
	SystemdCgroup    bool
	HasSystemdCgroup bool
	CNIConfDir       string
	CNIBinDirs       []string
	StreamAddress    string
	StreamPort       string
	// RegistryConfigPath is registry.config_path (hosts.toml directories).
	RegistryConfigPath string
	HasRegistry        bool
	// RegistryMirrors are the hosts of the deprecated registry.mirrors
	// (1.x), which cannot be combined with RegistryConfigPath.
	RegistryMirrors []string
	// LastCNILoadStatus is the last CNI config load: "OK" or why not.
	LastCNILoadStatus string
	RootDir           string
	// Runtimes are every runtime handler, sorted by name.
	Runtimes []RuntimeHandler
}

// RuntimeHandler is one CRI runtime handler (a RuntimeClass's handler):
// its shim type and, for runc, the binary its options name.
type RuntimeHandler struct {
	Name       string
	Type       string // e.g. io.containerd.runc.v2
	BinaryName string // options.BinaryName; "" means runc from PATH
}

// ParseCRIConfig reads containerd's CRI settings from a Status' verbose
// info. A document it cannot read gives Parsed false; fields a version does
// not have stay empty.
func ParseCRIConfig(info map[string]string) CRIConfig {
	var c CRIConfig
	c.LastCNILoadStatus = info["lastCNILoadStatus"]
	raw, ok := info["config"]
	if !ok {
		return c
	}
	var doc struct {
		SandboxImage *string `json:"sandboxImage"`
		Containerd   struct {
			Snapshotter        *string `json:"snapshotter"`
			DefaultRuntimeName string  `json:"defaultRuntimeName"`
			Runtimes           map[string]struct {
				RuntimeType string         `json:"runtimeType"`
				Options     map[string]any `json:"options"`
			} `json:"runtimes"`
		} `json:"containerd"`
		CNI struct {
			BinDir  string   `json:"binDir"`
			BinDirs []string `json:"binDirs"`
			ConfDir string   `json:"confDir"`
		} `json:"cni"`
		StreamServerAddress *string `json:"streamServerAddress"`
		StreamServerPort    string  `json:"streamServerPort"`
		Registry            *struct {
			ConfigPath string         `json:"configPath"`
			Mirrors    map[string]any `json:"mirrors"`
		} `json:"registry"`
		RootDir string `json:"rootDir"`
	}
	if json.Unmarshal([]byte(raw), &doc) != nil {
		return c
	}
	c.Parsed = true
	c.V2 = doc.SandboxImage == nil && doc.Containerd.Snapshotter == nil && doc.Registry == nil
	if doc.SandboxImage != nil {
		c.SandboxImage = *doc.SandboxImage
	}
	if doc.Containerd.Snapshotter != nil {
		c.Snapshotter = *doc.Containerd.Snapshotter
	}
	c.DefaultRuntime = doc.Containerd.DefaultRuntimeName
	if rt, ok := doc.Containerd.Runtimes[c.DefaultRuntime]; ok {
		c.RuntimeType = rt.RuntimeType
		if v, ok := rt.Options["SystemdCgroup"].(bool); ok {
			c.SystemdCgroup, c.HasSystemdCgroup = v, true
		}
	}
	c.CNIConfDir = doc.CNI.ConfDir
	c.CNIBinDirs = doc.CNI.BinDirs
	if len(c.CNIBinDirs) == 0 && doc.CNI.BinDir != "" {
		c.CNIBinDirs = []string{doc.CNI.BinDir}
	}
	if doc.StreamServerAddress != nil {
		c.StreamAddress, c.StreamPort = *doc.StreamServerAddress, doc.StreamServerPort
	}
	if doc.Registry != nil {
		c.HasRegistry, c.RegistryConfigPath = true, doc.Registry.ConfigPath
		for h := range doc.Registry.Mirrors {
			c.RegistryMirrors = append(c.RegistryMirrors, h)
		}
		sort.Strings(c.RegistryMirrors)
	}
	for name, rt := range doc.Containerd.Runtimes {
		h := RuntimeHandler{Name: name, Type: rt.RuntimeType}
		h.BinaryName, _ = rt.Options["BinaryName"].(string)
		c.Runtimes = append(c.Runtimes, h)
	}
	sort.Slice(c.Runtimes, func(i, j int) bool { return c.Runtimes[i].Name < c.Runtimes[j].Name })
	c.RootDir = doc.RootDir
	return c
}

// CgroupDriverFromConfig names the cgroup driver the default runtime uses,
// as kubelet's cgroupDriver must match it.
func (c CRIConfig) CgroupDriverFromConfig() string {
	if c.SystemdCgroup {
		return "systemd"
	}
	return "cgroupfs"
}

// SnapshotterFromMountpoint reads the snapshotter out of an ImageFsInfo
// mountpoint, which is that snapshotter's root
// (.../io.containerd.snapshotter.v1.overlayfs); "" when it is not one.
func SnapshotterFromMountpoint(mp string) string {
	const prefix = "io.containerd.snapshotter.v1."
	base := filepath.Base(mp)
	if strings.HasPrefix(base, prefix) {
		return strings.TrimPrefix(base, prefix)
	}
	return ""
}

// DiskSpace is what statfs says about the filesystem that holds a path, in
// df's terms.
type DiskSpace struct {
	Total, Used, Avail uint64 // bytes; Avail is what a non-root writer gets
	Inodes, InodesFree uint64
}

// UsedPercent is the share of the filesystem in use as df's Use% computes
// it: used over used plus available, so root's reserve counts as full.
func (d DiskSpace) UsedPercent() float64 {
	if d.Used+d.Avail == 0 {
		return 0
	}
	return 100 * float64(d.Used) / float64(d.Used+d.Avail)
}

// DiskFullPercent is where the health page starts to warn about the image
// filesystem: kubelet's default image GC high threshold is 85%.
const DiskFullPercent = 85
