package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/exec"
	"github.com/ctui/ctui/ui/execcmd"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/logs"
	"github.com/ctui/ctui/ui/shell"
)

// execNode is the fake node with a running native container "web" that can
// exec (it has /bin/sh, not bash, and echo) and writes a file:// log.
func execNode(t *testing.T) (node, *fake.Execer) {
	t.Helper()
	n := newNode(1)
	logPath := filepath.Join(t.TempDir(), "web.log")
	if err := os.WriteFile(logPath, []byte("GET / 200\nGET /favicon.ico 404\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n.native.Ctrs["default"] = []backend.Container{
		{ID: "web", Image: "docker.io/library/nginx:1", Task: &backend.Task{ID: "web", PID: 99, Status: backend.TaskRunning, Stdout: "file://" + logPath}},
		{ID: "frozen", Image: "docker.io/library/nginx:1", Task: &backend.Task{ID: "frozen", PID: 98, Status: backend.TaskPaused}},
	}
	ex := &fake.Execer{Sync: map[string]backend.ExecOutput{
		"/bin/sh -c exit 0": {},
		"echo hi":           {Stdout: []byte("hi\n")},
		"ls /nope":          {Stderr: []byte("ls: /nope: No such file or directory\n"), ExitCode: 1},
	}}
	n.b.Native = fake.NativeExecer{Native: n.native, Execer: ex}
	return n, ex
}

// onContainer opens the containers page with the cursor on id.
func onContainer(t *testing.T, n node, id string) Model {
	t.Helper()
	m := start(t, n, 120, 20)
	m = keys(t, m, ":")
	m = typed(t, m, "c")
	m = keys(t, m, "enter", "/")
	m = typed(t, m, id)
	return keys(t, m, "enter")
}

func TestLogsKeyOpensTheLogOfTheRow(t *testing.T) {
	n, _ := execNode(t)
	m := onContainer(t, n, "web")
	m = keys(t, m, "l")
	s := screen(m)
	if !strings.Contains(s, "logs task web") || !strings.Contains(s, "GET /favicon.ico 404") {
		t.Fatalf("l opens the task's file:// log:\n%s", s)
	}
	if _, ok := m.top().(logs.Model); !ok {
		t.Fatalf("top is %T", m.top())
	}
	// On the log page s is autoscroll, not a shell: the page is no Selector.
	m = keys(t, m, "s")
	if strings.Contains(screen(m), "following") {
		t.Errorf("s holds the view on the log page:\n%s", screen(m))
	}
	m = keys(t, m, "esc")
	if _, still := m.top().(logs.Model); still {
		t.Fatal("esc leaves the log page")
	}
}

func TestShellFindsAShellThenReportsTheExitCode(t *testing.T) {
	n, ex := execNode(t)
	m := onContainer(t, n, "web")
	tm, cmd := m.Update(uitest.Press("s"))
	m = tm.(Model)
	msgs := uitest.Drain(cmd, wait)
	if len(msgs) != 1 {
		t.Fatalf("s yields %v", msgs)
	}
	ready, ok := msgs[0].(shell.ReadyMsg)
	if !ok || ready.Err != nil || strings.Join(ready.Args, " ") != "/bin/sh" || ready.Target.Via != "containerd" || ready.Target.Namespace != "default" {
		t.Fatalf("s finds /bin/sh after /bin/bash, natively: %+v", msgs[0])
	}
	sync, _ := ex.Calls()
	if strings.Join(sync, ";") != "default/web: /bin/bash -c exit 0;default/web: /bin/sh -c exit 0" {
		t.Errorf("probes: %q", sync)
	}
	if _, cmd := m.Update(ready); cmd == nil {
		t.Fatal("a ready shell hands the terminal over (tea.Exec)")
	}
	m = feed(t, m, shell.DoneMsg{Target: ready.Target, Args: ready.Args, Res: execcmd.Result{ExitCode: 3}})
	if s := screen(m); !strings.Contains(s, "/bin/sh in web exited with code 3") || m.top().State().Title != "containers" || !strings.Contains(s, " web ") {
		t.Errorf("back on the containers page with the exit code:\n%s", s)
	}
}

func TestShellRefusesAPausedTaskAtOnce(t *testing.T) {
	n, ex := execNode(t)
	m := onContainer(t, n, "frozen")
	m = keys(t, m, "s")
	if s := screen(m); !strings.Contains(s, "container frozen is paused; resume it first (ctr -n default tasks resume frozen)") {
		t.Errorf("paused:\n%s", s)
	}
	if sync, _ := ex.Calls(); len(sync) != 0 {
		t.Errorf("nothing is run in a paused task: %q", sync)
	}
}

func TestNoShellAsksForACommand(t *testing.T) {
	n, ex := execNode(t)
	delete(ex.Sync, "/bin/sh -c exit 0")
	m := onContainer(t, n, "web")
	m = keys(t, m, "s")
	if s := screen(m); !m.cmdline.Active || !strings.Contains(s, "no shell in container web (tried /bin/bash, /bin/sh)") {
		t.Fatalf("no shell: the command line asks:\n%s", s)
	}
	m = typed(t, m, "/busybox ls")
	tm, cmd := m.Update(uitest.Press("enter"))
	m = tm.(Model)
	msgs := uitest.Drain(cmd, wait)
	if len(msgs) != 1 {
		t.Fatalf("enter yields %v", msgs)
	}
	if r, ok := msgs[0].(shell.ReadyMsg); !ok || strings.Join(r.Args, " ") != "/busybox ls" || r.Target.ContainerID != "web" {
		t.Errorf("the typed command runs on the terminal: %+v", msgs[0])
	}
	if m.cmdline.Active || m.cmdline.Input.Input().Prompt != ":" {
		t.Error("the command line is itself again")
	}
}

func TestExecCommandShowsOutputAndExitCode(t *testing.T) {
	n, _ := execNode(t)
	m := onContainer(t, n, "web")
	m = keys(t, m, ":")
	m = typed(t, m, "exec echo hi")
	m = keys(t, m, "enter")
	s := screen(m)
	if _, ok := m.top().(exec.Model); !ok || !strings.Contains(s, "$ echo hi  in web via containerd") || !strings.Contains(s, "\nhi") || !strings.Contains(s, "exit code 0") {
		t.Fatalf(":exec echo hi:\n%s", s)
	}
	m = keys(t, m, "esc", ":")
	m = typed(t, m, "exec ls /nope")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "No such file or directory") || !strings.Contains(s, "exit code 1") {
		t.Errorf("stderr and a failing exit code:\n%s", s)
	}
	m = keys(t, m, "esc", ":")
	m = typed(t, m, "exec nosuch")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "nosuch: no such command in container web") {
		t.Errorf("a missing command:\n%s", s)
	}
}

func TestExecNeedsARowAndWritableMode(t *testing.T) {
	n, ex := execNode(t)
	m := start(t, n, 120, 20) // images: no container under the cursor
	m = keys(t, m, ":")
	m = typed(t, m, "exec echo hi")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "is not a container") {
		t.Errorf(":exec on an image:\n%s", s)
	}
	m = keys(t, m, "l")
	if s := screen(m); !strings.Contains(s, "is not a container: l shows logs") || m.top().State().Title != "images" {
		t.Errorf("l on an image says so and stays:\n%s", s)
	}

	n.b.Config.Readonly = true
	m = onContainer(t, n, "web")
	m = keys(t, m, "s")
	m = keys(t, m, ":")
	m = typed(t, m, "exec echo hi")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "read-only mode: exec is refused") {
		t.Errorf(":exec under --readonly:\n%s", s)
	}
	// Read-only by a context: the sentence names it instead of the flag.
	n.b.Config.ReadonlyContext = "p of /c.yaml"
	m = onContainer(t, n, "web")
	m = keys(t, m, ":")
	m = typed(t, m, "exec echo hi")
	m = keys(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "it (context p of /c.yaml is read-only") || strings.Contains(s, "--readonly") {
		t.Errorf(":exec in a read-only context:\n%s", s)
	}
	if _, execs := ex.Calls(); len(execs) != 0 {
		t.Errorf("nothing ran: %q", execs)
	}
	if sync, _ := ex.Calls(); len(sync) != 0 {
		t.Errorf("nothing probed: %q", sync)
	}
}
