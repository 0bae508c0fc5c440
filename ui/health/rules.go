package health

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
)

// Level is the node's overall health, as the summary line says it.
type Level int

// The levels, worst last.
const (
	LevelOK Level = iota
	LevelWarn
	LevelError
)

func (l Level) String() string {
	switch l {
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	}
	return "OK"
}

// finding is one reason the node is not OK.
type finding struct {
	level Level
	text  string
}

// Assess decides the node's level and says why: the problems first, then
// the warnings, each a sentence an operator can act on ("NetworkReady=false:
// NetworkPluginNotReady: ...", "3 plugins failed to load: ...").
func Assess(r report) (Level, []string) {
	var fs []finding
	add := func(l Level, format string, args ...any) { fs = append(fs, finding{l, fmt.Sprintf(format, args...)}) }

	if r.NativeErr != nil {
		add(LevelError, "containerd: %v", r.NativeErr)
	} else if !r.NoIntrospection {
		var failed []string
		criFailed := false
		for _, p := range r.Native.Plugins {
			if p.State == backend.PluginError {
				failed = append(failed, p.Type+"."+p.ID)
				criFailed = criFailed || isCRIPlugin(p)
			}
		}
		if n := len(failed); n > 0 {
			l := LevelWarn
			if criFailed {
				l = LevelError
			}
			add(l, "%s failed to load: %s", count(n, "plugin"), strings.Join(failed, ", "))
		}
		if n := len(r.Native.Deprecations); n > 0 {
			ids := make([]string, n)
			for i, d := range r.Native.Deprecations {
				ids[i] = strings.TrimPrefix(d.ID, "io.containerd.deprecation/")
			}
			add(LevelWarn, "containerd reports %s: %s", count(n, "deprecation warning"), strings.Join(ids, ", "))
		}
	}

	switch {
	case r.CRIErr != nil:
		add(LevelWarn, "CRI: %v", r.CRIErr)
	case r.StatusErr != nil:
		add(LevelError, "CRI status: %v", r.StatusErr)
	default:
		for _, typ := range []string{backend.ConditionRuntimeReady, backend.ConditionNetworkReady} {
			if _, ok := r.Status.Condition(typ); !ok {
				add(LevelWarn, "%s not reported by the CRI runtime", typ)
			}
		}
		for _, c := range r.Status.Conditions {
			if c.Status {
				continue
			}
			switch c.Type {
			case backend.ConditionRuntimeReady, backend.ConditionNetworkReady:
				add(LevelError, "%s", conditionText(c))
			case backend.ConditionNoDeprecationWarnings:
				if r.NativeErr == nil && len(r.Native.Deprecations) > 0 {
					continue // said above, with the ids
				}
				add(LevelWarn, "%s", conditionText(c))
			default:
				add(LevelWarn, "%s", conditionText(c))
			}
		}
	}
	if r.FSErr != nil && r.CRIErr == nil {
		add(LevelWarn, "image filesystem: %v", r.FSErr)
	}
	for i, f := range r.FS {
		if i < len(r.Space) && r.Space[i] != nil {
			if p := r.Space[i].UsedPercent(); p >= backend.DiskFullPercent {
				add(LevelWarn, "image filesystem %.0f%% full (%s free on %s)", p, humanize.Size(int64(r.Space[i].Avail)), f.Mountpoint)
			}
		}
	}

	level := LevelOK
	var out []string
	for _, l := range []Level{LevelError, LevelWarn} {
		for _, f := range fs {
			if f.level == l {
				level = max(level, l)
				out = append(out, f.text)
			}
		}
	}
	return level, out
}

// conditionText words a false condition as the header does:
// "NetworkReady=false: NetworkPluginNotReady: Network plugin returns error: ...".
func conditionText(c backend.Condition) string {
	s := c.Type + "=false"
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}

func isCRIPlugin(p backend.Plugin) bool {
	return p.Type == "io.containerd.cri.v1" || (p.Type == "io.containerd.grpc.v1" && p.ID == "cri")
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
