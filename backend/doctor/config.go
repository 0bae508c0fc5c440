package doctor

import (
	"errors"
	"fmt"
	"io/fs"
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
		raw, err := f.readFile(f.proc(strconv.Itoa(f.PID), "cmdline"))
		if err != nil {
			return nil, fmt.Errorf("cannot find containerd's config file: %v", err)
		}
		c.Cmdline = strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if p := configFlag(c.Cmdline); p != "" {
			if !filepath.IsAbs(p) {
				if cwd, err := f.node().Readlink(f.proc(strconv.Itoa(f.PID), "cwd")); err == nil {
					p = filepath.Join(cwd, p)
				}
			}
			c.Path, named = p, true
			c.Source = fmt.Sprintf("--config on containerd's command line (pid %d)", f.PID)
		} else {
			c.Source = fmt.Sprintf("the default path (containerd, pid %d, has no --config)", f.PID)
		}
		if exe, err := f.node().Readlink(f.proc(strconv.Itoa(f.PID), "exe")); err == nil {
			c.Exe = exe
		}
		if env, err := f.node().ReadFile(f.proc(strconv.Itoa(f.PID), "environ")); err == nil {
			for _, kv := range strings.Split(string(env), "\x00") {
				if v, ok := strings.CutPrefix(kv, "PATH="); ok {
					c.PATH = v
				}
			}
		}
	default:
		c.Source = "the default path (containerd's process is unknown: " + errText(f.PIDErr) + ")"
	}
	main, err := f.readConfigFile(f.host(c.Path), c.Path)
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
		cf, err := f.readConfigFile(f.host(p), p)
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
			matches, _ := f.node().Glob(f.host(p))
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
func (f *Facts) readConfigFile(local, shown string) (*ConfigFile, error) {
	b, err := f.readFile(local)
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
