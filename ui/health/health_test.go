package health

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

// cfg16 and cfg2 are CRI config documents cut down from what containerd
// 1.6 and 2.x send in Status' verbose info.
const (
	cfg16 = `{"containerd":{"snapshotter":"overlayfs","defaultRuntimeName":"runc","runtimes":{"runc":{"runtimeType":"io.containerd.runc.v2","options":{"SystemdCgroup":true}}}},` +
		`"cni":{"binDir":"/opt/cni/bin","confDir":"/etc/cni/net.d"},"registry":{"configPath":"/etc/containerd/certs.d"},` +
		`"sandboxImage":"registry.k8s.io/pause:3.6","streamServerAddress":"127.0.0.1","streamServerPort":"0"}`
	cfg2 = `{"containerd":{"defaultRuntimeName":"runc","runtimes":{"runc":{"runtimeType":"io.containerd.runc.v2","options":{"SystemdCgroup":false}}}},` +
		`"cni":{"binDirs":["/opt/cni/bin"],"confDir":"/etc/cni/net.d"}}`
)

func plugins(failed ...string) []backend.Plugin {
	ps := []backend.Plugin{
		{Type: "io.containerd.snapshotter.v1", ID: "overlayfs", State: backend.PluginOK, Platforms: []string{"linux/amd64"}},
		{Type: "io.containerd.snapshotter.v1", ID: "zfs", State: backend.PluginSkip, InitErr: "path /var/lib/containerd/io.containerd.snapshotter.v1.zfs must be a zfs filesystem to be used with the zfs snapshotter: skip plugin"},
		{Type: "io.containerd.cri.v1", ID: "images", State: backend.PluginOK, Exports: map[string]string{"RegistryConfigPath": "/etc/containerd/certs.d:/etc/docker/certs.d"}},
	}
	for _, f := range failed {
		typ, id, _ := strings.Cut(f, "/")
		ps = append(ps, backend.Plugin{Type: typ, ID: id, State: backend.PluginError, InitErr: id + " broke"})
	}
	return ps
}

// healthy is a 2.x node with nothing wrong.
func healthy() report {
	return report{
		Native: backend.DaemonHealth{
			Version: backend.ServerVersion{Version: "v2.1.0", Revision: "abc"}, UUID: "u-1", PID: 42, ServerDetails: true,
			Plugins: plugins(), Snapshotter: "overlayfs", SnapshotterSource: "containerd's default",
		},
		Version: backend.RuntimeVersion{RuntimeName: "containerd", RuntimeVersion: "v2.1.0", RuntimeAPIVersion: "v1", Version: "0.1.0"},
		Status: backend.RuntimeStatus{
			Conditions: []backend.Condition{
				{Type: backend.ConditionRuntimeReady, Status: true}, {Type: backend.ConditionNetworkReady, Status: true},
				{Type: backend.ConditionNoDeprecationWarnings, Status: true},
			},
			Info: map[string]string{"config": cfg2, "lastCNILoadStatus": "OK"},
		},
		CgroupDriver: "cgroupfs",
		FS:           []backend.FilesystemUsage{{Mountpoint: "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs", UsedBytes: 3 << 30, InodesUsed: 1200}},
		Space:        []*backend.DiskSpace{{Total: 100 << 30, Used: 40 << 30, Avail: 60 << 30, Inodes: 1000, InodesFree: 900}},
	}
}

func TestAssess(t *testing.T) {
	tests := []struct {
		name   string
		change func(*report)
		level  Level
		want   []string
	}{
		{"healthy", func(*report) {}, LevelOK, nil},
		{"network not ready", func(r *report) {
			r.Status.Conditions[1] = backend.Condition{Type: backend.ConditionNetworkReady, Reason: "NetworkPluginNotReady", Message: "Network plugin returns error: cni plugin not initialized"}
		}, LevelError, []string{"NetworkReady=false: NetworkPluginNotReady: Network plugin returns error: cni plugin not initialized"}},
		{"plugins failed", func(r *report) {
			r.Native.Plugins = plugins("io.containerd.snapshotter.v1/devmapper", "io.containerd.snapshotter.v1/erofs", "io.containerd.nri.v1/nri")
		}, LevelWarn, []string{"3 plugins failed to load: io.containerd.snapshotter.v1.devmapper, io.containerd.snapshotter.v1.erofs, io.containerd.nri.v1.nri"}},
		{"CRI plugin failed", func(r *report) { r.Native.Plugins = plugins("io.containerd.grpc.v1/cri") }, LevelError,
			[]string{"1 plugin failed to load: io.containerd.grpc.v1.cri"}},
		{"deprecations said once", func(r *report) {
			r.Native.Deprecations = []backend.Deprecation{{ID: "io.containerd.deprecation/cgroup-v1", Message: "cgroup v1 is deprecated"}}
			r.Status.Conditions[2] = backend.Condition{Type: backend.ConditionNoDeprecationWarnings, Reason: "ContainerdHasDeprecationWarnings"}
		}, LevelWarn, []string{"containerd reports 1 deprecation warning: cgroup-v1"}},
		{"disk nearly full", func(r *report) { r.Space[0] = &backend.DiskSpace{Total: 100, Used: 90, Avail: 10} }, LevelWarn,
			[]string{"image filesystem 90% full (10.0 B free on /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs)"}},
		{"no CRI", func(r *report) {
			*r = report{Native: r.Native, CRIErr: backend.Errorf(backend.ErrCRIUnavailable, "the CRI plugin is disabled")}
		}, LevelWarn, []string{"CRI: the CRI plugin is disabled"}},
		{"errors before warnings", func(r *report) {
			r.Native.Plugins = plugins("io.containerd.nri.v1/nri")
			r.Status.Conditions[0] = backend.Condition{Type: backend.ConditionRuntimeReady}
		}, LevelError, []string{"RuntimeReady=false", "1 plugin failed to load: io.containerd.nri.v1.nri"}},
	}
	for _, tt := range tests {
		r := healthy()
		tt.change(&r)
		level, got := Assess(r)
		if level != tt.level || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %v %q, want %v %q", tt.name, level, got, tt.level, tt.want)
		}
	}
}

func plain(lines []string) string { return ansi.Strip(strings.Join(lines, "\n")) }

func TestRenderSaysWhereTwoXMovedSettings(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	s := plain(Render(st, healthy(), "k8s.io", 200))
	for _, want := range []string{
		"version               v2.1.0 (revision abc)",
		"server                uuid u-1  pid 42",
		"deprecations          none",
		"snapshotter           overlayfs  (for namespace k8s.io, from containerd's default)",
		"plugins               2 ok, 1 skipped, 0 failed",
		"runtime               containerd v2.1.0  (runtime API v1, CRI 0.1.0)",
		"NetworkReady          ✓ true",
		"ContainerdHasNoDeprecationWarnings",
		"sandbox image         not in CRI status on 2.x: moved to io.containerd.cri.v1.images",
		"snapshotter           overlayfs  (from the image filesystem; the setting moved to io.containerd.cri.v1.images in 2.x)",
		"cgroup driver         cgroupfs  (CRI RuntimeConfig; containerd.runtimes.runc.options.SystemdCgroup=false)",
		"registry config_path  /etc/containerd/certs.d:/etc/docker/certs.d  (from introspection of io.containerd.cri.v1.images",
		"stream server         not in CRI status on 2.x: moved to io.containerd.grpc.v1.cri",
		"used by images        3.0 GiB, 1200 inodes",
		"filesystem            40% used, 60.0 GiB free of 100.0 GiB",
		"io.containerd.snapshotter.v1  zfs        skip   -",
		"must be a zfs filesystem",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
}

func TestRenderOneSixFacts(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	r := healthy()
	r.Native.ServerDetails, r.Native.PID = false, 0
	r.Native.Plugins = plugins("io.containerd.snapshotter.v1/devmapper")
	r.Status.Info = map[string]string{"config": cfg16, "lastCNILoadStatus": "cni config load failed: no network config found in /etc/cni/net.d"}
	r.Status.Conditions = r.Status.Conditions[:2]
	r.CgroupDriver, r.CgroupErr = "", backend.Errorf(backend.ErrUnsupported, "no RuntimeConfig")
	s := plain(Render(st, r, "default", 200))
	for _, want := range []string{
		"1 finding",
		"• 1 plugin failed to load: io.containerd.snapshotter.v1.devmapper",
		"deprecations          not reported by this containerd",
		"failed plugins:",
		"✗ io.containerd.snapshotter.v1  devmapper",
		"sandbox image         registry.k8s.io/pause:3.6",
		"snapshotter           overlayfs\n",
		"cgroup driver         systemd  (containerd.runtimes.runc.options.SystemdCgroup=true)",
		"CNI bin dir           /opt/cni/bin",
		"last CNI load         cni config load failed",
		"stream server         127.0.0.1:0",
		"registry config_path  /etc/containerd/certs.d\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
	// Failures lead the plugin table.
	if e, o := strings.Index(s, "devmapper  error"), strings.Index(s, "overlayfs  ok"); e < 0 || o < 0 || e > o {
		t.Errorf("failed plugin not first:\n%s", s)
	}
}

func TestRenderWithoutSides(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	r := report{
		NativeErr: backend.Errorf(backend.ErrUnavailable, "containerd at /run/containerd/containerd.sock is not answering"),
		CRIErr:    backend.Errorf(backend.ErrCRIUnavailable, "the CRI plugin is disabled in containerd's config"),
	}
	s := plain(Render(st, r, "default", 80))
	for _, want := range []string{"CONTAINERD\nstatus                containerd at", "CRI\nstatus                the CRI plugin is disabled", "needs CRI (ImageFsInfo)"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
	if strings.Contains(s, "PLUGINS") {
		t.Errorf("plugin table without containerd:\n%s", s)
	}
}

func TestRenderFitsNarrowScreens(t *testing.T) {
	st := theme.New(theme.Options{})
	r := healthy()
	r.Native.Deprecations = []backend.Deprecation{{ID: "io.containerd.deprecation/cgroup-v1", Message: strings.Repeat("very long message ", 20)}}
	r.Status.Conditions[1] = backend.Condition{Type: backend.ConditionNetworkReady, Reason: "NetworkPluginNotReady", Message: strings.Repeat("cni ", 50)}
	for _, w := range []int{24, 30, 40, 80, 120} {
		lines := Render(st, r, "k8s.io", w)
		for _, l := range lines {
			// The plugin table is cut by the view; everything else wraps.
			if ansi.StringWidth(l) > w && !strings.Contains(l, "io.containerd.") {
				t.Errorf("width %d: %q is %d wide", w, ansi.Strip(l), ansi.StringWidth(l))
			}
		}
	}
}

// introspecting is the fake containerd with introspection.
type introspecting struct {
	*fake.Native
	h     backend.DaemonHealth
	calls []string
}

func (n *introspecting) Health(ctx context.Context, ns string) (backend.DaemonHealth, error) {
	n.calls = append(n.calls, ns)
	if err := n.Native.Err; err != nil {
		return backend.DaemonHealth{}, err
	}
	return n.h, nil
}

func open(t *testing.T, cfg Config, w, h int) page.Page {
	t.Helper()
	cfg.ID, cfg.Ctx, cfg.Timeout, cfg.Styles = 9, context.Background(), time.Second, theme.New(theme.Options{NoColor: true})
	m, cmd := New(cfg)
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: w, Height: h})
	if w >= 40 && h > 0 && !strings.Contains(screen(p), "asking containerd and CRI") {
		t.Errorf("before the answer: %q", screen(p))
	}
	p, _ = uitest.Pump(t, p, cmd, 9)
	return p
}

func screen(p page.Page) string { return ansi.Strip(p.View()) }

func press(t *testing.T, p page.Page, ks ...string) page.Page {
	t.Helper()
	for _, k := range ks {
		var cmd tea.Cmd
		p, cmd = p.Update(uitest.Press(k))
		p, _ = uitest.Pump(t, p, cmd, 9)
	}
	return p
}

func fakes() (*introspecting, *fake.Runtime) {
	r := healthy()
	n := &introspecting{Native: &fake.Native{Ver: r.Native.Version}, h: r.Native}
	rt := &fake.Runtime{Ver: r.Version, Stat: r.Status}
	rt.Stat.Conditions = []backend.Condition{
		{Type: backend.ConditionRuntimeReady, Status: true},
		{Type: backend.ConditionNetworkReady, Reason: "NetworkPluginNotReady", Message: "Network plugin returns error: cni plugin not initialized"},
	}
	return n, rt
}

func TestPageAt80x24(t *testing.T) {
	n, rt := fakes()
	p := open(t, Config{Namespace: "k8s.io", Native: n, CRI: rt}, 80, 24)
	s := screen(p)
	lines := strings.Split(s, "\n")
	if len(lines) != 24 || !strings.HasPrefix(lines[0], "ERROR  NetworkReady=false: NetworkPluginNotReady: Network plugin") || !strings.HasSuffix(lines[0], "…") {
		t.Fatalf("first screen (%d lines):\n%s", len(lines), s)
	}
	for _, l := range strings.Split(p.View(), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("%q is wider than 80", ansi.Strip(l))
		}
	}
	if !strings.Contains(s, "CONTAINERD") || !strings.Contains(s, "pid 42") || n.calls[0] != "k8s.io" {
		t.Errorf("containerd section:\n%s", s)
	}
	st := p.State()
	if st.Title != "health" || !strings.HasPrefix(st.Info, "ERROR 1-23/") {
		t.Errorf("state %+v", st)
	}
	p = press(t, p, "G")
	if s := screen(p); !strings.Contains(s, "io.containerd.snapshotter.v1") || !strings.HasPrefix(s, "ERROR") {
		t.Errorf("bottom keeps the summary and shows the plugins:\n%s", s)
	}
	p = press(t, p, "d")
	if s := screen(p); !strings.Contains(s, `"containerd": {`) && !strings.Contains(s, `"cri": {`) || !strings.Contains(p.State().Info, "raw") {
		t.Errorf("d shows the raw answers:\n%s", s)
	}
	p = press(t, p, "d", "g")
	if !strings.Contains(screen(p), "CONTAINERD") {
		t.Errorf("d again goes back")
	}
}

func TestPageRefreshesAndDropsStaleAnswers(t *testing.T) {
	n, rt := fakes()
	p := open(t, Config{Namespace: "default", Native: n, CRI: rt}, 100, 30)
	var first tea.Cmd
	p, first = p.Update(uitest.Press("ctrl+r"))
	if !strings.Contains(p.State().Info, "asking") {
		t.Errorf("refresh not shown: %q", p.State().Info)
	}
	stale := uitest.Drain(first, time.Second)
	var second tea.Cmd
	p, second = p.Update(uitest.Press("ctrl+r"))
	rt.Stat.Conditions[1] = backend.Condition{Type: backend.ConditionNetworkReady, Status: true}
	p, _ = p.Update(stale[0].(page.Reply).Msg) // older: dropped
	if !strings.HasPrefix(screen(p), "ERROR") {
		t.Errorf("stale answer applied")
	}
	p, _ = uitest.Pump(t, p, second, 9)
	if s := screen(p); !strings.HasPrefix(s, "OK  containerd and CRI report no problem") {
		t.Errorf("after the fix:\n%s", s)
	}
	// The root's reconnect, its safety re-list and a label on the
	// namespace each ask again.
	for _, msg := range []tea.Msg{page.ReconnectedMsg{}, page.ResyncMsg{},
		page.EventsMsg{Events: []backend.Event{{Topic: backend.TopicNamespaceUpdate, ID: "default", Namespace: "default"}}}} {
		before := len(n.calls)
		var cmd tea.Cmd
		p, cmd = p.Update(msg)
		p, _ = uitest.Pump(t, p, cmd, 9)
		if len(n.calls) != before+1 {
			t.Errorf("%T did not refresh", msg)
		}
	}
	if _, cmd := p.Update(page.EventsMsg{Events: []backend.Event{{Topic: backend.TopicTaskStart, ID: "x"}}}); cmd != nil {
		t.Error("a task event refreshes the health page")
	}
	p, cmd := p.Update(page.NamespaceMsg{Namespace: "k8s.io"})
	uitest.Pump(t, p, cmd, 9)
	if n.calls[len(n.calls)-1] != "k8s.io" {
		t.Errorf("namespace switch: %q", n.calls)
	}
}

func TestPageReportsLostConnectionAndSaysWhyCRIIsMissing(t *testing.T) {
	n, _ := fakes()
	n.Native.Err = backend.Errorf(backend.ErrUnavailable, "containerd went away")
	cfg := Config{Native: n, CRIErr: backend.Errorf(backend.ErrCRIUnavailable, "this containerd serves no CRI")}
	cfg.ID, cfg.Ctx, cfg.Timeout, cfg.Styles = 9, context.Background(), time.Second, theme.New(theme.Options{NoColor: true})
	m, cmd := New(cfg)
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 80, Height: 24})
	p, other := uitest.Pump(t, p, cmd, 9)
	if len(other) != 1 || !errors.Is(other[0].(page.ErrMsg).Err, backend.ErrUnavailable) {
		t.Errorf("lost connection not reported: %v", other)
	}
	s := screen(p)
	if !strings.HasPrefix(s, "ERROR  containerd: containerd went away; CRI: this containerd serves no CRI") ||
		!strings.Contains(s, "CRI\nstatus                this containerd serves no CRI") {
		t.Errorf("screen:\n%s", s)
	}
}

func TestViewFitsEverySize(t *testing.T) {
	n, rt := fakes()
	for _, w := range []int{0, 1, 5, 40, 80} {
		for _, h := range []int{0, 1, 2, 24} {
			p := open(t, Config{Native: n, CRI: rt}, w, h)
			for _, k := range []string{"", "G", "pgup", "d", "G"} {
				if k != "" {
					p = press(t, p, k)
				}
				v := p.View()
				if lines := strings.Split(v, "\n"); v != "" && len(lines) > h {
					t.Fatalf("%dx%d after %q: %d lines", w, h, k, len(lines))
				}
				for _, l := range strings.Split(v, "\n") {
					if ansi.StringWidth(l) > w {
						t.Fatalf("%dx%d after %q: %q", w, h, k, ansi.Strip(l))
					}
				}
			}
		}
	}
}
