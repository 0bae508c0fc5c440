package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// DefaultConfigPath is where containerd reads its config without --config.
const DefaultConfigPath = "/etc/containerd/config.toml"

// ConfigFile is one TOML file of the daemon's config: the main file or an
// import, with the line of every key for evidence.
type ConfigFile struct {
	// Path is the file as the node names it (without the root prefix).
	Path    string
	Version int
	Data    map[string]any
	lines   []string
	keys    map[string]int // joined key path -> 1-based line
}

// DaemonConfig is the config the running daemon was started with, as
// containerd loads it: the main file, then its imports in load order (a
// later file's plugin table replaces an earlier one's whole).
type DaemonConfig struct {
	Path string
	// Source says how Path was found: the daemon's command line or the
	// default path.
	Source string
	// Missing is true when the default file does not exist: the daemon
	// runs on its built-in defaults.
	Missing bool
	Files   []*ConfigFile

	// What /proc says about the daemon process.
	Cmdline []string
	Exe     string
	PATH    string
	// ImportErrs are imports that could not be read.
	ImportErrs []error
}

// Value is one setting found in a config file.
type Value struct {
	V     any
	File  *ConfigFile
	Line  int
	Found bool
}

// Where is "path:line" for evidence.
func (v Value) Where() string {
	if v.File == nil {
		return ""
	}
	if v.Line > 0 {
		return fmt.Sprintf("%s:%d", v.File.Path, v.Line)
	}
	return v.File.Path
}

// Evidence is "path:line: text" for the setting's line.
func (v Value) Evidence() string {
	if v.File == nil {
		return ""
	}
	if v.Line > 0 && v.Line <= len(v.File.lines) {
		return fmt.Sprintf("%s:%d: %s", v.File.Path, v.Line, strings.TrimSpace(v.File.lines[v.Line-1]))
	}
	return v.File.Path
}

func (v Value) String() string {
	switch x := v.V.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v.V)
}

func (v Value) Bool() (bool, bool) {
	b, ok := v.V.(bool)
	return b, ok
}

// loadDaemonConfig finds the config file from the daemon's command line
// (or the default path), and reads it with its imports.
func loadDaemonConfig(f *Facts) (*DaemonConfig, error) {
	c := &DaemonConfig{Path: DefaultConfigPath}
	named := false
	switch {
	case f.PID > 0:
		raw, err := readFile(f.proc(strconv.Itoa(f.PID), "cmdline"))
		if err != nil {
			return nil, fmt.Errorf("cannot find containerd's config file: %v", err)
		}
		c.Cmdline = strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if p := configFlag(c.Cmdline); p != "" {
			if !filepath.IsAbs(p) {
				if cwd, err := os.Readlink(f.proc(strconv.Itoa(f.PID), "cwd")); err == nil {
					p = filepath.Join(cwd, p)
				}
			}
			c.Path, named = p, true
			c.Source = fmt.Sprintf("--config on containerd's command line (pid %d)", f.PID)
		} else {
			c.Source = fmt.Sprintf("the default path (containerd, pid %d, has no --config)", f.PID)
		}
		if exe, err := os.Readlink(f.proc(strconv.Itoa(f.PID), "exe")); err == nil {
			c.Exe = exe
		}
		if env, err := os.ReadFile(f.proc(strconv.Itoa(f.PID), "environ")); err == nil {
			for _, kv := range strings.Split(string(env), "\x00") {
				if v, ok := strings.CutPrefix(kv, "PATH="); ok {
					c.PATH = v
				}
			}
		}
	default:
		c.Source = "the default path (containerd's process is unknown: " + errText(f.PIDErr) + ")"
	}
	main, err := readConfigFile(f.host(c.Path), c.Path)
	if err != nil {
		if !named && errors.Is(err, fs.ErrNotExist) && f.PID > 0 {
			c.Missing = true
			return c, nil
		}
		return c, err
	}
	c.Files = append(c.Files, main)
	// Imports, breadth first as containerd's LoadConfig reads them.
	loaded := map[string]bool{c.Path: true}
	pending := resolveImports(f, main)
	for len(pending) > 0 {
		p := pending[0]
		pending = pending[1:]
		if loaded[p] {
			continue
		}
		loaded[p] = true
		cf, err := readConfigFile(f.host(p), p)
		if err != nil {
			c.ImportErrs = append(c.ImportErrs, err)
			continue
		}
		c.Files = append(c.Files, cf)
		pending = append(pending, resolveImports(f, cf)...)
	}
	return c, nil
}

func errText(err error) string {
	if err == nil {
		return "unknown"
	}
	return err.Error()
}

// configFlag finds --config/-c in containerd's arguments.
func configFlag(args []string) string {
	for i, a := range args {
		if i == 0 {
			continue
		}
		switch {
		case a == "--config" || a == "-c" || a == "-config":
			if i+1 < len(args) {
				return args[i+1]
			}
		case strings.HasPrefix(a, "--config="):
			return strings.TrimPrefix(a, "--config=")
		case strings.HasPrefix(a, "-c="):
			return strings.TrimPrefix(a, "-c=")
		}
	}
	return ""
}

// resolveImports is containerd's: relative to the importing file, globbed.
func resolveImports(f *Facts, cf *ConfigFile) []string {
	raw, _ := cf.Data["imports"].([]any)
	var out []string
	for _, r := range raw {
		p, _ := r.(string)
		if p == "" {
			continue
		}
		p = filepath.Clean(p)
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(cf.Path), p)
		}
		if strings.Contains(p, "*") {
			matches, _ := filepath.Glob(f.host(p))
			sort.Strings(matches)
			for _, m := range matches {
				if f.opts.Root != "/" {
					m = "/" + strings.TrimPrefix(strings.TrimPrefix(m, filepath.Clean(f.opts.Root)), "/")
				}
				out = append(out, m)
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// readConfigFile parses one TOML file; a syntax error names its line.
func readConfigFile(local, shown string) (*ConfigFile, error) {
	b, err := readFile(local)
	if err != nil {
		return nil, err
	}
	cf := &ConfigFile{Path: shown, Data: map[string]any{}}
	if err := toml.Unmarshal(b, &cf.Data); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d column %d is not valid TOML: %s", shown, row, col, de.Error())
		}
		return nil, fmt.Errorf("%s is not valid TOML: %v", shown, err)
	}
	cf.lines = strings.Split(string(b), "\n")
	cf.keys = indexKeys(cf.lines)
	switch v := cf.Data["version"].(type) {
	case int64:
		cf.Version = int(v)
	default:
		cf.Version = 1 // containerd treats a file without version as version 1
	}
	return cf, nil
}

// indexKeys maps every key path and table header to its line. Values that
// span lines are not understood; a key is found by its first line.
func indexKeys(lines []string) map[string]int {
	keys := map[string]int{}
	var table []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
			continue
		case strings.HasPrefix(l, "[["):
			end := strings.Index(l, "]]")
			if end < 0 {
				continue
			}
			table = splitKey(l[2:end])
		case strings.HasPrefix(l, "["):
			end := strings.LastIndex(l, "]")
			if end < 0 {
				continue
			}
			table = splitKey(l[1:end])
		default:
			k, _, found := cutOutsideQuotes(l, '=')
			if !found {
				continue
			}
			full := append(append([]string{}, table...), splitKey(k)...)
			j := joinKey(full)
			if _, seen := keys[j]; !seen {
				keys[j] = i + 1
			}
			continue
		}
		if _, seen := keys[joinKey(table)]; !seen {
			keys[joinKey(table)] = i + 1
		}
	}
	return keys
}

func joinKey(parts []string) string { return strings.Join(parts, "\x00") }

// splitKey splits a dotted TOML key, honouring quotes.
func splitKey(s string) []string {
	var parts []string
	for {
		before, after, found := cutOutsideQuotes(s, '.')
		parts = append(parts, unquote(strings.TrimSpace(before)))
		if !found {
			return parts
		}
		s = after
	}
}

func cutOutsideQuotes(s string, sep byte) (string, string, bool) {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// line is the line of a key path in the file, 0 when not found.
func (cf *ConfigFile) line(path ...string) int {
	k := joinKey(path)
	if l, ok := cf.keys[k]; ok {
		return l
	}
	// A table only written as its sub-tables: its first sub-table.
	first := 0
	for key, l := range cf.keys {
		if strings.HasPrefix(key, k+"\x00") && (first == 0 || l < first) {
			first = l
		}
	}
	return first
}

// get walks the file's data along a key path.
func (cf *ConfigFile) get(path ...string) (any, bool) {
	var cur any = cf.Data
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

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
