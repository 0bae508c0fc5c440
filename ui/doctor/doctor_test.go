package doctor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	checks "github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

// TestPageOnRealDaemons runs the page's checks on containerd 1.6 and 2.x
// with a kubelet config that disagrees on the cgroup driver: failures
// first, enter shows the evidence and fix, esc goes back, ctrl+r runs
// again, and each run goes on to the root as a RanMsg with its badge.
func TestPageOnRealDaemons(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			root := t.TempDir()
			link := func(p string) {
				t.Helper()
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(p, filepath.Join(root, p)); err != nil {
					t.Fatal(err)
				}
			}
			link(fmt.Sprintf("/proc/%d", d.PID()))
			link(d.Dir)
			kubelet := filepath.Join(root, "var/lib/kubelet/config.yaml")
			if err := os.MkdirAll(filepath.Dir(kubelet), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(kubelet, []byte("cgroupDriver: systemd\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Namespace: "k8s.io", Timeout: 10 * time.Second}
			b := &backend.Backend{Config: cfg}
			if c, err := containerd.New(ctx, cfg); err != nil {
				t.Fatal(err)
			} else {
				b.Native = c
			}
			if c, err := cri.New(ctx, cfg); err != nil {
				t.Fatal(err)
			} else {
				b.CRI = c
			}
			defer b.Close()

			m, cmd := New(Config{ID: 7, Ctx: ctx, Source: Source{Backend: b, Options: checks.Options{Root: root}},
				Timeout: 30 * time.Second, Styles: theme.New(theme.Options{NoColor: true}), Clock: testclock.Clock()})
			p, _ := m.Update(page.SizeMsg{Width: 120, Height: 30})
			if s := ansi.Strip(p.View()); !strings.Contains(s, "running the doctor's checks") {
				t.Fatalf("before the answer:\n%s", s)
			}
			p, ran := deliver(t, p, cmd)
			s := ansi.Strip(p.View())
			lines := strings.Split(s, "\n")
			if len(lines) < 12 || !strings.HasPrefix(lines[0], "doctor ") || !strings.Contains(lines[0], "FAIL") ||
				!strings.Contains(lines[1], "STATUS") || !strings.HasPrefix(strings.TrimSpace(lines[2]), "FAIL") ||
				!listed(s, "FAIL", "cgroup-driver") || !listed(s, "OK", "cri-plugin") {
				t.Fatalf("the list, failures first:\n%s", s)
			}
			if ran.Fails() < 1 || Badge(ran) != fmt.Sprintf("doctor: %d FAIL", ran.Fails()) {
				t.Errorf("RanMsg to the root: %d fails, badge %q", ran.Fails(), Badge(ran))
			}
			// The same findings as `ctui doctor` would print.
			fs := checks.Run(checks.Gather(ctx, b, checks.Options{Root: root}), checks.Checks())
			if checks.Summary(fs) != checks.Summary(ran.Findings) {
				t.Errorf("page %s, CLI %s", checks.Summary(ran.Findings), checks.Summary(fs))
			}

			// Go to cgroup-driver and open it.
			for i := 0; i < 10 && !strings.HasPrefix(strings.TrimSpace(cursorRow(p)), "FAIL  cgroup-driver"); i++ {
				p, _ = p.Update(uitest.Press("j"))
			}
			p, _ = p.Update(uitest.Press("enter"))
			s = ansi.Strip(p.View())
			for _, want := range []string{"FAIL  cgroup-driver", "kubelet uses the systemd cgroup driver", "Evidence",
				"/var/lib/kubelet/config.yaml:1: cgroupDriver: systemd", "Fix", "SystemdCgroup = true", "systemctl restart containerd"} {
				if !strings.Contains(s, want) {
					t.Errorf("the check's detail lacks %q:\n%s", want, s)
				}
			}
			if st := p.State(); !st.Filtered || st.Info != "cgroup-driver" {
				t.Errorf("state with a check open: %+v", st)
			}
			p, _ = p.Update(uitest.Press("esc"))
			if st := p.State(); st.Filtered || !strings.HasPrefix(ansi.Strip(p.View()), "doctor ") {
				t.Errorf("esc did not go back to the list: %+v\n%s", st, ansi.Strip(p.View()))
			}

			// ctrl+r: a new run, the list stays until it answers.
			p, cmd = p.Update(uitest.Press("ctrl+r"))
			if cmd == nil || !strings.Contains(p.State().Info, "running…") || !listed(ansi.Strip(p.View()), "FAIL", "cgroup-driver") {
				t.Fatalf("ctrl+r: %+v\n%s", p.State(), ansi.Strip(p.View()))
			}
			// The kubelet now agrees: the run clears the check.
			if err := os.WriteFile(kubelet, []byte("cgroupDriver: cgroupfs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			p, _ = deliver(t, p, cmd)
			if s := ansi.Strip(p.View()); listed(s, "FAIL", "cgroup-driver") || !listed(s, "OK", "cgroup-driver") {
				t.Errorf("after ctrl+r with the kubelet fixed:\n%s", s)
			}
		})
	}
}

// deliver runs the page's command, unwraps its reply, and returns the
// RanMsg the page sends on to the root.
func deliver(t *testing.T, p page.Page, cmd tea.Cmd) (page.Page, RanMsg) {
	t.Helper()
	r, ok := cmd().(page.Reply)
	if !ok || r.Tag.Page != 7 {
		t.Fatalf("not a reply to the page: %#v", r)
	}
	p, next := p.Update(r.Msg)
	for _, msg := range uitest.Drain(next, time.Second) {
		if ran, ok := msg.(RanMsg); ok {
			return p, ran
		}
	}
	t.Fatalf("the page did not pass the run on to the root")
	return p, RanMsg{}
}

// cursorRow is the list row drawn as the cursor (reverse video is gone
// with the styles, so find it by the model).
// listed says whether the list on screen has check's row with status.
func listed(screen, status, check string) bool {
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == status && f[1] == check {
			return true
		}
	}
	return false
}

func cursorRow(p page.Page) string {
	f, ok := p.(Model).selected()
	if !ok {
		return ""
	}
	return string(f.Status) + "  " + f.Check
}

// TestRowAndBadge: a row is the verdict, the check and its finding; the
// badge only for failures.
func TestRowAndBadge(t *testing.T) {
	f := checks.Finding{Check: "cni", Status: checks.FAIL, Finding: "The CNI conf dir /etc/cni/net.d holds no network config: pods get no network."}
	if r := row(f); r.ID != "cni" || strings.Join(r.Cells, "|") != "FAIL|cni|"+f.Finding {
		t.Errorf("row %+v", r)
	}
	if b := Badge(RanMsg{Findings: []checks.Finding{f, f, {Status: checks.WARN}}}); b != "doctor: 2 FAIL" {
		t.Errorf("badge %q", b)
	}
	if b := Badge(RanMsg{Findings: []checks.Finding{{Status: checks.WARN}, {Status: checks.OK}}}); b != "" {
		t.Errorf("badge without failures %q", b)
	}
}

// TestRemoteNodeSaysWhy: on a remote node the page runs nothing and says
// why (the checks read the files of the machine ctui runs on).
func TestRemoteNodeSaysWhy(t *testing.T) {
	src := Source{Unavailable: backend.Errorf(backend.ErrUnsupported, "the doctor reads the files of the machine ctui runs on")}
	m, cmd := New(Config{ID: 1, Ctx: context.Background(), Source: src, Styles: theme.New(theme.Options{NoColor: true})})
	if cmd != nil {
		t.Errorf("a run was started for a remote node")
	}
	p, _ := m.Update(page.SizeMsg{Width: 80, Height: 5})
	if s := ansi.Strip(p.View()); !strings.Contains(s, "the doctor reads the files of the machine") {
		t.Errorf("view:\n%s", s)
	}
	if _, cmd := p.Update(uitest.Press("ctrl+r")); cmd != nil {
		t.Errorf("ctrl+r started a run")
	}
}
