package exec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/target"
	"github.com/ctui/ctui/ui/theme"
)

func TestChoose(t *testing.T) {
	native, cri := &fake.Execer{}, &fake.Execer{}
	both := Execers{Native: native, CRI: cri}
	running := &backend.Container{ID: "c", Task: &backend.Task{Status: backend.TaskRunning}}
	podRunning := &backend.PodContainer{ID: "c", State: backend.ContainerRunning}
	tests := []struct {
		name string
		c    target.Container
		ex   Execers
		via  string
		err  error
	}{
		{"native preferred", target.Container{ID: "c", Namespace: "k8s.io", Native: running, CRI: podRunning}, both, "containerd", nil},
		{"CRI only (CRI-O)", target.Container{ID: "c", CRI: podRunning}, both, "CRI", nil},
		{"no containerd connection", target.Container{ID: "c", Native: running, CRI: podRunning}, Execers{CRI: cri}, "CRI", nil},
		{"paused", target.Container{ID: "c", Namespace: "default", Native: &backend.Container{Task: &backend.Task{Status: backend.TaskPaused}}}, both, "", backend.ErrPaused},
		{"stopped", target.Container{ID: "c", Native: &backend.Container{Task: &backend.Task{Status: backend.TaskStopped}}}, both, "", backend.ErrNotRunning},
		{"no task", target.Container{ID: "c", Native: &backend.Container{}}, both, "", backend.ErrNotRunning},
		{"CRI exited", target.Container{ID: "c", CRI: &backend.PodContainer{State: backend.ContainerExited}}, both, "", backend.ErrNotRunning},
		{"nothing can exec", target.Container{ID: "c", Native: running}, Execers{CRI: cri}, "", backend.ErrUnsupported},
	}
	for _, tt := range tests {
		got, err := Choose(tt.c, tt.ex)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) || got.Via != tt.via {
			t.Errorf("%s: via %q, %v; want %q, %v", tt.name, got.Via, err, tt.via, tt.err)
		}
	}
}

func TestFindShell(t *testing.T) {
	ex := &fake.Execer{Sync: map[string]backend.ExecOutput{"/bin/sh -c exit 0": {}}}
	tg := Target{Execer: ex, ContainerID: "c", Name: "web"}
	if sh, err := FindShell(context.Background(), tg); sh != "/bin/sh" || err != nil {
		t.Errorf("%q %v", sh, err)
	}
	ex.Sync = nil
	if _, err := FindShell(context.Background(), tg); !errors.Is(err, backend.ErrNoShell) || !strings.Contains(err.Error(), "tried /bin/bash, /bin/sh") {
		t.Errorf("no shell: %v", err)
	}
	ex.Err = backend.PausedError("c", "default")
	if _, err := FindShell(context.Background(), tg); !errors.Is(err, backend.ErrPaused) {
		t.Errorf("paused answers at once: %v", err)
	}
}

func TestRender(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	out := backend.ExecOutput{Stdout: []byte("one\ntwo\tcols\x1b[31m\n"), Stderr: []byte("warn\n"), ExitCode: 2, Truncated: true}
	f := frame{cmd: []string{"sh", "-c", "x"}, target: Target{Name: "web", Via: "CRI"}, out: out, lines: outputLines(out), width: 30, height: 8, st: st}
	got := render(f)
	plain := ansi.Strip(strings.Join(got, "\n"))
	for _, want := range []string{"$ sh -c x  in web via CRI", "one", "two    cols", "warn", "exit code 2  output cut at 16…"} {
		if !strings.Contains(plain, want) {
			t.Errorf("lacks %q:\n%s", want, plain)
		}
	}
	for _, size := range [][2]int{{0, 0}, {1, 1}, {5, 2}, {30, 3}, {80, 24}} {
		f.width, f.height = size[0], size[1]
		lines := render(f)
		if len(lines) > size[1] {
			t.Errorf("%v: %d lines", size, len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("%v: %q is %d wide", size, l, w)
			}
		}
	}
	f.width, f.height, f.out, f.lines, f.err = 30, 6, backend.ExecOutput{}, nil, backend.NotRunningError("web", "STOPPED")
	if s := ansi.Strip(strings.Join(render(f), "\n")); !strings.Contains(s, "container web is not") || strings.Contains(s, "exit code") {
		t.Errorf("an error instead of output:\n%s", s)
	}
}
