package health

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/theme"
)

// SummaryLine is the line above the sections: the level and the first
// reasons, cut to width.
func SummaryLine(st *theme.Styles, level Level, reasons []string, width int) string {
	style := st.OK
	switch level {
	case LevelWarn:
		style = st.Warn
	case LevelError:
		style = st.Bad
	}
	s := style.Bold(true).Render(level.String())
	switch len(reasons) {
	case 0:
		s += "  " + st.Dim.Render("containerd and CRI report no problem")
	default:
		s += "  " + style.Render(strings.Join(reasons, "; "))
	}
	return ansi.Truncate(s, max(width, 0), "…")
}

// writer gathers the body's lines, wrapping long values under their label.
type writer struct {
	st     *theme.Styles
	width  int
	labelW int
	lines  []string
}

func newWriter(st *theme.Styles, width int) *writer {
	width = max(width, 24) // narrower screens are cut by the view
	return &writer{st: st, width: width, labelW: min(22, width/3)}
}

func (w *writer) blank() { w.lines = append(w.lines, "") }

func (w *writer) section(title string) {
	if len(w.lines) > 0 {
		w.blank()
	}
	w.lines = append(w.lines, w.st.HelpSection.Render(title))
}

// wrap breaks plain text into lines of at most width cells.
func wrap(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	return strings.Split(ansi.Hardwrap(ansi.Wordwrap(s, width, " /:,"), width, true), "\n")
}

// text writes a paragraph indented by indent, each line in style.
func (w *writer) text(indent int, s string, style lipgloss.Style) {
	pad := strings.Repeat(" ", indent)
	for _, l := range wrap(s, w.width-indent) {
		w.lines = append(w.lines, pad+style.Render(l))
	}
}

// kv writes "label  value" with the value (and its note, dimmed, after it)
// wrapped in the value column.
func (w *writer) kv(label, value string, style lipgloss.Style, note string) {
	col := w.labelW
	valW := w.width - col
	if valW < 12 {
		// Too narrow for two columns: the value goes under its label.
		w.lines = append(w.lines, w.st.Label.Render(ansi.Truncate(label, w.width, "…")))
		col, valW = 2, w.width-2
	}
	var parts []string
	switch {
	case value == "":
		// Only a note: it takes the value's place, dimmed.
		for _, l := range wrap(note, valW) {
			parts = append(parts, w.st.Dim.Render(l))
		}
	default:
		for _, l := range wrap(value, valW) {
			parts = append(parts, style.Render(l))
		}
		if note == "" {
			break
		}
		// The note follows the value's last line when it fits there,
		// else it goes below.
		last := ansi.StringWidth(ansi.Strip(parts[len(parts)-1]))
		room := valW - last - 2
		first, _, _ := strings.Cut(note, " ")
		if room < ansi.StringWidth(first) {
			for _, l := range wrap(note, valW) {
				parts = append(parts, w.st.Dim.Render(l))
			}
			break
		}
		nl := wrap(note, room)
		parts[len(parts)-1] += w.st.Dim.Render("  " + nl[0])
		if tail := strings.TrimSpace(strings.TrimPrefix(note, nl[0])); tail != "" {
			for _, l := range wrap(tail, valW) {
				parts = append(parts, w.st.Dim.Render(l))
			}
		}
	}
	if len(parts) == 0 {
		parts = []string{""}
	}
	for i, p := range parts {
		head := strings.Repeat(" ", col)
		if i == 0 && col == w.labelW {
			head = w.st.Label.Render(ansi.Truncate(label, col-1, "…")) + strings.Repeat(" ", col-min(ansi.StringWidth(label), col-1))
		}
		w.lines = append(w.lines, head+p)
	}
}

// Render lays out the report's sections for width: the reasons in full,
// containerd, CRI, the image filesystem, then every plugin as `ctr plugins
// ls` lists them. Rendering is pure; the page shows only the lines on screen.
func Render(st *theme.Styles, r report, namespace string, width int) []string {
	w := newWriter(st, width)
	level, reasons := Assess(r)
	if level != LevelOK {
		w.lines = append(w.lines, st.Label.Render(count(len(reasons), "finding")))
		for _, s := range reasons {
			w.text(2, "• "+s, st.Value)
		}
	}
	renderContainerd(w, r, namespace)
	renderCRI(w, r)
	renderFS(w, r)
	renderPlugins(w, r)
	return w.lines
}

func renderContainerd(w *writer, r report, namespace string) {
	st := w.st
	w.section("CONTAINERD")
	if r.NativeErr != nil {
		w.kv("status", r.NativeErr.Error(), st.Bad, "")
		return
	}
	h := r.Native
	v := h.Version.Version
	if h.Version.Revision != "" {
		v += " (revision " + h.Version.Revision + ")"
	}
	w.kv("version", v, st.Value, "")
	if r.NoIntrospection {
		w.kv("plugins", "", st.Value, "this backend cannot introspect containerd")
		return
	}
	switch {
	case h.ServerErr != nil:
		w.kv("server", "", st.Value, h.ServerErr.Error())
	case h.ServerDetails:
		w.kv("server", "uuid "+h.UUID+"  pid "+strconv.FormatUint(h.PID, 10), st.Value, "")
	default:
		w.kv("server", "uuid "+h.UUID, st.Value, "")
	}
	switch {
	case h.ServerErr != nil:
	case !h.ServerDetails:
		w.kv("deprecations", "", st.Value, "not reported by this containerd (introspection has them from 1.7 on; 1.6 answers the uuid only)")
	case len(h.Deprecations) == 0:
		w.kv("deprecations", "none", st.OK, "")
	default:
		w.kv("deprecations", count(len(h.Deprecations), "warning"), st.Warn, "")
		for _, d := range h.Deprecations {
			w.text(2, "⚠ "+d.ID, st.Warn)
			w.text(4, d.Message, st.Value)
		}
	}
	ns := ""
	if namespace != "" {
		ns = "for namespace " + namespace + ", "
	}
	w.kv("snapshotter", h.Snapshotter, st.Value, "("+ns+"from "+h.SnapshotterSource+")")
	ok, skip, failed := h.PluginCounts()
	style := st.OK
	if failed > 0 {
		style = st.Bad
	}
	w.kv("plugins", fmt.Sprintf("%d ok, %d skipped, %d failed", ok, skip, failed), style, "(all listed below)")
	if failed > 0 {
		w.lines = append(w.lines, st.Bad.Render("  failed plugins:"))
		for _, p := range h.Plugins {
			if p.State == backend.PluginError {
				w.text(2, "✗ "+p.Type+"  "+p.ID, st.Bad)
				w.text(4, p.InitErr, st.Value)
			}
		}
	}
}

// renderCRI shows the runtime, every condition and the CRI plugin's
// settings, saying where a 2.x daemon keeps what it no longer reports.
func renderCRI(w *writer, r report) {
	st := w.st
	w.section("CRI")
	if r.CRIErr != nil {
		w.kv("status", r.CRIErr.Error(), st.Warn, "")
		return
	}
	if r.VersionErr != nil {
		w.kv("runtime", r.VersionErr.Error(), st.Bad, "")
	} else {
		v := r.Version
		w.kv("runtime", v.RuntimeName+" "+v.RuntimeVersion, st.Value, "(runtime API "+v.RuntimeAPIVersion+", CRI "+v.Version+")")
	}
	if r.StatusErr != nil {
		w.kv("status", r.StatusErr.Error(), st.Bad, "")
		return
	}
	for _, typ := range []string{backend.ConditionRuntimeReady, backend.ConditionNetworkReady} {
		if _, ok := r.Status.Condition(typ); !ok {
			w.kv(typ, "?", st.Dim, "not reported")
		}
	}
	for _, c := range r.Status.Conditions {
		value, style := "✓ true", st.OK
		switch {
		case c.Status:
		case c.Type == backend.ConditionRuntimeReady || c.Type == backend.ConditionNetworkReady:
			value, style = "⚠ false", st.Bad
		default:
			value, style = "⚠ false", st.Warn
		}
		// The 2.x deprecation condition's type is longer than the label
		// column: it gets a line of its own.
		if ansi.StringWidth(c.Type) >= w.labelW {
			w.lines = append(w.lines, st.Label.Render(ansi.Truncate(c.Type, w.width, "…")))
			w.kv("", value, style, "")
		} else {
			w.kv(c.Type, value, style, "")
		}
		if c.Status {
			continue
		}
		msg := c.Reason
		if c.Message != "" {
			msg += ": " + c.Message
		}
		if msg != "" {
			w.text(w.labelW, msg, st.Value)
		}
	}

	cfg := backend.ParseCRIConfig(r.Status.Info)
	if !cfg.Parsed {
		w.kv("config", "", st.Value, "the runtime's status has no containerd config (not containerd, or no verbose info)")
		return
	}
	moved := func(to string) string { return "not in CRI status on 2.x: moved to " + to }
	if cfg.V2 {
		w.kv("sandbox image", "", st.Value, moved("io.containerd.cri.v1.images (pinned_images.sandbox; 2.x default registry.k8s.io/pause:3.10)"))
	} else {
		w.kv("sandbox image", cfg.SandboxImage, st.Value, "")
	}
	switch {
	case !cfg.V2:
		w.kv("snapshotter", cfg.Snapshotter, st.Value, "")
	case len(r.FS) > 0 && backend.SnapshotterFromMountpoint(r.FS[0].Mountpoint) != "":
		w.kv("snapshotter", backend.SnapshotterFromMountpoint(r.FS[0].Mountpoint), st.Value,
			"(from the image filesystem; the setting moved to io.containerd.cri.v1.images in 2.x)")
	default:
		w.kv("snapshotter", "", st.Value, moved("io.containerd.cri.v1.images"))
	}
	rt := cfg.DefaultRuntime
	if cfg.RuntimeType != "" {
		rt += " (" + cfg.RuntimeType + ")"
	}
	w.kv("default runtime", rt, st.Value, "")
	opt := "containerd.runtimes." + cfg.DefaultRuntime + ".options.SystemdCgroup"
	cfgNote := opt + "=" + strconv.FormatBool(cfg.SystemdCgroup)
	if !cfg.HasSystemdCgroup {
		cfgNote = opt + " unset: runc uses cgroupfs"
	}
	switch {
	case r.CgroupErr == nil && r.CgroupDriver != "":
		note := "(CRI RuntimeConfig; " + cfgNote + ")"
		style := st.Value
		if r.CgroupDriver != cfg.CgroupDriverFromConfig() {
			style = st.Warn
		}
		w.kv("cgroup driver", r.CgroupDriver, style, note)
	default:
		note := "(" + cfgNote + ")"
		if r.CgroupErr != nil && !unsupported(r.CgroupErr) {
			note += "; RuntimeConfig: " + r.CgroupErr.Error()
		}
		w.kv("cgroup driver", cfg.CgroupDriverFromConfig(), st.Value, note)
	}
	w.kv("CNI conf dir", cfg.CNIConfDir, st.Value, "")
	w.kv("CNI bin dir", strings.Join(cfg.CNIBinDirs, ", "), st.Value, "")
	switch cfg.LastCNILoadStatus {
	case "":
		w.kv("last CNI load", "", st.Value, "not reported")
	case "OK":
		w.kv("last CNI load", "OK", st.OK, "")
	default:
		w.kv("last CNI load", cfg.LastCNILoadStatus, st.Warn, "")
	}
	if cfg.V2 {
		w.kv("stream server", "", st.Value, moved("io.containerd.grpc.v1.cri (stream_server_address, stream_server_port)"))
	} else {
		w.kv("stream server", cfg.StreamAddress+":"+cfg.StreamPort, st.Value, "")
	}
	switch {
	case cfg.HasRegistry && cfg.RegistryConfigPath != "":
		w.kv("registry config_path", cfg.RegistryConfigPath, st.Value, "")
	case cfg.HasRegistry:
		w.kv("registry config_path", "", st.Value, "unset: no hosts.toml directories (mirrors, if any, are in config.toml)")
	default:
		if p, ok := r.Native.Plugin("io.containerd.cri.v1", "images"); ok && p.Exports["RegistryConfigPath"] != "" {
			w.kv("registry config_path", p.Exports["RegistryConfigPath"], st.Value,
				"(from introspection of io.containerd.cri.v1.images; the setting moved there in 2.x)")
		} else {
			w.kv("registry config_path", "", st.Value, moved("io.containerd.cri.v1.images (registry.config_path)"))
		}
	}
}

// renderFS shows ImageFsInfo and, for a local runtime, how full the
// filesystem under it is.
func renderFS(w *writer, r report) {
	st := w.st
	w.section("IMAGE FILESYSTEM")
	switch {
	case r.CRIErr != nil:
		w.kv("usage", "", st.Value, "needs CRI (ImageFsInfo)")
		return
	case r.FSErr != nil:
		w.kv("usage", r.FSErr.Error(), st.Bad, "")
		return
	case len(r.FS) == 0:
		w.kv("usage", "", st.Value, "the runtime reports no image filesystem")
		return
	}
	for i, f := range r.FS {
		w.kv("mountpoint", f.Mountpoint, st.Value, "")
		w.kv("used by images", humanize.Size(int64(f.UsedBytes))+", "+strconv.FormatUint(f.InodesUsed, 10)+" inodes", st.Value, "")
		switch {
		case i < len(r.Space) && r.Space[i] != nil:
			sp := r.Space[i]
			p := sp.UsedPercent()
			style := st.OK
			if p >= backend.DiskFullPercent {
				style = st.Warn
			}
			w.kv("filesystem", fmt.Sprintf("%.0f%% used, %s free of %s", p, humanize.Size(int64(sp.Avail)), humanize.Size(int64(sp.Total))),
				style, fmt.Sprintf("(%d of %d inodes free)", sp.InodesFree, sp.Inodes))
		case r.Space == nil:
			w.kv("filesystem", "", st.Value, "free space not read: the runtime is not on this machine")
		default:
			w.kv("filesystem", "", st.Value, "statfs failed (is the path in another mount namespace?)")
		}
	}
}

// renderPlugins lists every plugin as `ctr plugins ls` does, failures
// first, each skip or error with its reason under it.
func renderPlugins(w *writer, r report) {
	if r.NativeErr != nil || r.NoIntrospection || len(r.Native.Plugins) == 0 {
		return
	}
	st := w.st
	w.section("PLUGINS")
	tw, iw := len("TYPE"), len("ID")
	for _, p := range r.Native.Plugins {
		tw, iw = max(tw, len(p.Type)), max(iw, len(p.ID))
	}
	row := func(typ, id, state, plats string) string {
		return fmt.Sprintf("%-*s  %-*s  %-6s %s", tw, typ, iw, id, state, plats)
	}
	w.lines = append(w.lines, st.ColumnHeader.Render(ansi.Truncate(row("TYPE", "ID", "STATUS", "PLATFORMS"), w.width, "…")))
	for _, state := range []backend.PluginState{backend.PluginError, backend.PluginSkip, backend.PluginOK} {
		for _, p := range r.Native.Plugins {
			if p.State != state {
				continue
			}
			style := st.Value
			switch state {
			case backend.PluginError:
				style = st.Bad
			case backend.PluginSkip:
				style = st.Dim
			}
			plats := strings.Join(p.Platforms, ",")
			if plats == "" {
				plats = "-"
			}
			w.lines = append(w.lines, style.Render(ansi.Truncate(row(p.Type, p.ID, string(p.State), plats), w.width, "…")))
			if p.InitErr != "" {
				w.text(4, p.InitErr, st.Dim)
			}
		}
	}
}

// RenderRaw is the d view: what the daemons answered, as JSON, for a bug
// report or a diff against `crictl info`.
func RenderRaw(r report) []string {
	errText := func(err error) any {
		if err == nil {
			return nil
		}
		return err.Error()
	}
	info := map[string]any{}
	for k, v := range r.Status.Info {
		if json.Valid([]byte(v)) {
			info[k] = json.RawMessage(v)
		} else {
			info[k] = v
		}
	}
	doc := map[string]any{
		"containerd": map[string]any{
			"error": errText(r.NativeErr), "version": r.Native.Version, "uuid": r.Native.UUID, "pid": r.Native.PID,
			"deprecations": r.Native.Deprecations, "snapshotter": r.Native.Snapshotter, "plugins": r.Native.Plugins,
		},
		"cri": map[string]any{
			"error": errText(r.CRIErr), "version": r.Version, "versionError": errText(r.VersionErr),
			"conditions": r.Status.Conditions, "info": info, "statusError": errText(r.StatusErr),
			"cgroupDriver": r.CgroupDriver, "cgroupDriverError": errText(r.CgroupErr),
			"imageFilesystems": r.FS, "imageFsError": errText(r.FSErr), "space": r.Space,
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return []string{err.Error()}
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		lines[i] = strings.NewReplacer("\t", "    ", "\x1b", "␛", "\r", "").Replace(l)
	}
	return lines
}
