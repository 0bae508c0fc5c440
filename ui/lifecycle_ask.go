package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/prompt"
)

// The dialogs of the lifecycle actions, asked once the row is resolved.
const (
	askStop    ask = iota + 100 // question; field: grace period (none for a pod)
	askKill                     // question; field: signal
	askRemove2                  // question; fields: stop it first, grace period (none for a task)
)

// Field indexes of the lifecycle dialogs.
const (
	fStopGrace             = 0
	fKillSignal            = 0
	fRmStopFirst, fRmGrace = 0, 1
)

// lcPending is what a lifecycle dialog is about: the option struct its
// answer completes, and the row as resolved.
type lcPending struct {
	backend.Action
	t lcTarget
}

// lcResolved goes on once the row is known: a sentence when there is
// nothing to do, else the dialog (or, for pause and resume, the action).
func (m *Model) lcResolved(msg lcResolvedMsg) tea.Cmd {
	if msg.err != nil {
		return m.flash.set(string(lcVerb(msg.name))+" "+msg.t.obj.Title()+": "+msg.err.Error(), true)
	}
	t := msg.t
	if err := lcRefusal(msg.name, t); err != "" {
		return m.flash.set(err, true)
	}
	ns := t.ns
	if ns == "" {
		ns = backend.CRINamespace
	}
	grace := prompt.Field{Kind: prompt.Text, Label: "grace period before SIGKILL", Value: "10s", Placeholder: "10s"}
	switch msg.name {
	case lcStop:
		var a backend.Action
		lines := []string{}
		fields := []prompt.Field{grace}
		switch {
		case t.viaCRI && t.pod != nil:
			a = backend.CRIStopPodOptions{ID: t.pod.ID, Name: podTitle(*t.pod)}
			fields = nil
			lines = append(lines, "through CRI (crictl stopp): every container of the pod is stopped, then the sandbox and its network")
		case t.viaCRI:
			a = backend.CRIStopOptions{ID: t.cri.ID, Name: criTitle(*t.cri)}
			lines = append(lines, "through CRI (crictl stop), so kubelet's view stays consistent: the image's stop signal, then SIGKILL after the grace period")
		default:
			a = backend.StopOptions{ID: t.obj.ID}
			lines = append(lines, fmt.Sprintf("in namespace %s: SIGTERM, then SIGKILL if it still runs after the grace period (ctr tasks kill)", ns))
		}
		return m.openDialog(dialog{ask: askStop, ns: ns, act: lcPending{a, t}}, prompt.Spec{
			Title: "stop " + t.name() + "?", Confirm: "Stop", Lines: lines, Fields: fields})
	case lcKill:
		sel := 0
		if msg.arg != "" {
			name, _, err := backend.ParseSignal(msg.arg)
			if err != nil {
				return m.flash.set("kill: "+err.Error(), true)
			}
			if i := slices.Index(backend.Signals, name); i >= 0 {
				sel = i
			}
		}
		lines := []string{fmt.Sprintf("task %s in namespace %s, through containerd's task API (ctr tasks kill)", t.obj.ID, ns)}
		if t.cri != nil || (t.native != nil && t.native.Kind != "") {
			lines = append(lines, "CRI has no kill: kubelet sees the container exit and restarts it as its policy says")
		}
		return m.openDialog(dialog{ask: askKill, ns: ns, act: lcPending{backend.KillOptions{ID: t.obj.ID}, t}}, prompt.Spec{
			Title: "kill " + t.name() + "?", Confirm: "Kill", Lines: lines,
			Fields: []prompt.Field{{Kind: prompt.Choice, Label: "signal", Options: backend.Signals, Selected: sel}}})
	case lcPause, lcPauseOnly, lcResume:
		resume := msg.name == lcResume || msg.name == lcPause && (t.status() == backend.TaskPaused || t.status() == backend.TaskPausing)
		cmd, err := m.lcStart(ns, lcPending{backend.PauseOptions{ID: t.obj.ID, Resume: resume}, t})
		if err != nil {
			return m.flash.set(err.Error(), true)
		}
		return cmd
	case lcRemove, lcRemovePod:
		return m.askLCRemove(ns, t)
	}
	return nil
}

// lcVerb is the action's word in sentences.
func lcVerb(n lcName) string {
	switch n {
	case lcPauseOnly:
		return "pause"
	case lcRemove, lcRemovePod:
		return "remove"
	}
	return string(n)
}

// lcRefusal is the sentence for an action that has nothing to act on; ""
// when it can go on.
func lcRefusal(name lcName, t lcTarget) string {
	verb := lcVerb(name)
	st := t.status()
	noTask := func() string {
		return fmt.Sprintf("%s: container %s has no task; nothing runs in it", verb, t.obj.ID)
	}
	stopped := func() string {
		return fmt.Sprintf("%s: task %s already stopped (exit %d); ctrl+d removes it", verb, t.obj.ID, t.native.Task.ExitStatus)
	}
	nativeOnly := func() string {
		if t.native == nil {
			return fmt.Sprintf("%s: containerd does not have %s, and CRI has no %s; ctrl+t stops it through CRI", verb, t.name(), verb)
		}
		if st == "" {
			return noTask()
		}
		if st == backend.TaskStopped {
			return stopped()
		}
		return ""
	}
	switch name {
	case lcStop:
		switch {
		case t.pod != nil && t.pod.State != backend.PodReady:
			return fmt.Sprintf("stop: %s is already stopped (NotReady); ctrl+d removes it", t.name())
		case t.viaCRI && t.cri != nil && t.cri.State == backend.ContainerExited:
			return fmt.Sprintf("stop: %s already exited (exit %d); ctrl+d removes it", t.name(), t.cri.ExitCode)
		case !t.viaCRI:
			return nativeOnly()
		}
	case lcKill:
		return nativeOnly()
	case lcPause, lcPauseOnly, lcResume:
		if s := nativeOnly(); s != "" {
			return s
		}
		paused := st == backend.TaskPaused || st == backend.TaskPausing
		switch {
		case name == lcPauseOnly && paused:
			return fmt.Sprintf("pause: task %s is already paused; :resume (or z) resumes it", t.obj.ID)
		case name == lcResume && !paused:
			return fmt.Sprintf("resume: task %s is not paused (it is %s)", t.obj.ID, st)
		case !paused && st == backend.TaskCreated:
			return fmt.Sprintf("%s: task %s was created but never started", verb, t.obj.ID)
		}
	case lcRemovePod:
		if t.pod == nil {
			return fmt.Sprintf("rmp: %s is not a pod; rmp removes pods (:pods, or a sandbox row in k8s.io)", t.name())
		}
	case lcRemove:
		if t.taskPage {
			switch {
			case st == "":
				return noTask()
			case t.live():
				return fmt.Sprintf("remove: task %s is %s; stop it (ctrl+t) or kill it (ctrl+k) first, then remove it", t.obj.ID, st)
			}
		}
	}
	return ""
}

// askLCRemove asks before a remove, with the option to stop what runs.
func (m *Model) askLCRemove(ns string, t lcTarget) tea.Cmd {
	var a backend.Action
	var lines []string
	stopFirst := prompt.Field{Kind: prompt.Toggle, Label: "stop it first (it is refused while it runs)", On: false}
	grace := prompt.Field{Kind: prompt.Text, Label: "grace period before SIGKILL", Value: "10s"}
	fields := []prompt.Field{stopFirst, grace}
	switch {
	case t.taskPage:
		a = backend.TaskRemoveOptions{ID: t.obj.ID}
		fields = nil
		lines = []string{fmt.Sprintf("its exit status goes with it; container %s stays and can run again (ctr tasks rm)", t.obj.ID)}
	case t.pod != nil && t.viaCRI:
		a = backend.CRIRemovePodOptions{ID: t.pod.ID, Name: podTitle(*t.pod)}
		fields = fields[:1]
		lines = []string{"through CRI (crictl rmp): the sandbox and all its containers; kubelet recreates a pod it still wants"}
	case t.viaCRI:
		a = backend.CRIRemoveContainerOptions{ID: t.cri.ID, Name: criTitle(*t.cri)}
		lines = []string{"through CRI (crictl rm), so kubelet's view stays consistent; its log files go with it"}
	default:
		a = backend.ContainerRemoveOptions{ID: t.obj.ID}
		lines = []string{fmt.Sprintf("in namespace %s: its stopped task, the container and its snapshot (ctr containers rm)", ns)}
	}
	if t.live() && len(fields) > 0 {
		state := string(t.status())
		if t.pod != nil {
			state = string(t.pod.State)
		} else if t.viaCRI && t.cri != nil {
			state = string(t.cri.State)
		}
		lines = append(lines, "it is "+state+": turn on \"stop it first\" (↑ then space) to stop it before the remove")
	}
	return m.openDialog(dialog{ask: askRemove2, ns: ns, act: lcPending{a, t}}, prompt.Spec{
		Title: "remove " + t.name() + "?", Confirm: "Remove", Lines: lines, Fields: fields})
}

// answerLifecycle runs what a submitted lifecycle dialog asked for; an
// error keeps the dialog open with the sentence.
func (m *Model) answerLifecycle(d dialog) (tea.Cmd, error) {
	p, ok := d.act.(lcPending)
	if !ok {
		return nil, nil
	}
	v := d.m
	switch o := p.Action.(type) {
	case backend.StopOptions:
		g, err := parseGrace(v.Value(fStopGrace))
		if err != nil {
			return nil, err
		}
		o.Timeout = g
		p.Action = o
	case backend.CRIStopOptions:
		g, err := parseGrace(v.Value(fStopGrace))
		if err != nil {
			return nil, err
		}
		o.Timeout = g
		p.Action = o
	case backend.KillOptions:
		if i := v.Choice(fKillSignal); i >= 0 && i < len(backend.Signals) {
			o.Signal = backend.Signals[i]
		}
		p.Action = o
	case backend.ContainerRemoveOptions:
		o.StopFirst = v.On(fRmStopFirst)
		g, err := parseGrace(v.Value(fRmGrace))
		if err != nil {
			return nil, err
		}
		o.Timeout = g
		p.Action = o
	case backend.CRIRemoveContainerOptions:
		o.StopFirst = v.On(fRmStopFirst)
		g, err := parseGrace(v.Value(fRmGrace))
		if err != nil {
			return nil, err
		}
		o.Timeout = g
		p.Action = o
	case backend.CRIRemovePodOptions:
		o.StopFirst = v.On(fRmStopFirst)
		p.Action = o
	}
	if d.ask == askRemove2 && p.t.live() && !p.t.taskPage && !stopFirst(p.Action) {
		return nil, backend.Errorf(backend.ErrRunning, "%s still runs: turn on \"stop it first\", or stop it (ctrl+t) before removing it", p.t.name())
	}
	return m.lcStart(d.ns, p)
}

func stopFirst(a backend.Action) bool {
	switch o := a.(type) {
	case backend.ContainerRemoveOptions:
		return o.StopFirst
	case backend.CRIRemoveContainerOptions:
		return o.StopFirst
	case backend.CRIRemovePodOptions:
		return o.StopFirst
	}
	return false
}

// parseGrace reads a grace period: seconds (10) or a duration (10s, 1m).
func parseGrace(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return backend.DefaultStopTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if n, aerr := strconv.Atoi(s); aerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d <= 0 || d > time.Hour {
		return 0, backend.Errorf(backend.ErrInvalid, "grace period %q: give seconds (10) or a duration (500ms, 10s, 1m), at most an hour", s)
	}
	return d, nil
}

// lcStart runs a lifecycle action as a job (not in the background: it is
// short, and its outcome goes to the flash line and :log).
func (m *Model) lcStart(ns string, p lcPending) (tea.Cmd, error) {
	if err := m.b.Config.Guard(p.Action); err != nil {
		return nil, err
	}
	spec := jobs.Spec{Action: p.Action, Namespace: ns, Via: "containerd"}
	viaNote := "via containerd's task API"
	if p.t.native != nil && p.t.native.Kind != "" {
		switch p.Action.(type) {
		case backend.KillOptions, backend.PauseOptions:
			viaNote = "via containerd's task API (CRI has none; kubelet sees the change)"
		default:
			if m.criOps() == nil {
				viaNote = "via containerd's task API (CRI is not available: " + criUnavailable(m.b.CRIErr) + ")"
			}
		}
	}
	switch o := p.Action.(type) {
	case backend.CRIStopOptions, backend.CRIRemoveContainerOptions, backend.CRIStopPodOptions, backend.CRIRemovePodOptions:
		cri := m.criOps()
		if cri == nil {
			return nil, backend.Errorf(backend.ErrCRIUnavailable, "CRI: %s", criUnavailable(m.b.CRIErr))
		}
		spec.Via = "CRI"
		spec.Run = func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			var err error
			note := "kubelet sees it as if it had done it"
			switch o := o.(type) {
			case backend.CRIStopOptions:
				err = cri.StopContainer(ctx, o)
				note = "stopped (SIGKILL after " + backend.StopTimeout(o.Timeout).String() + " at the latest)"
			case backend.CRIRemoveContainerOptions:
				err = cri.RemoveContainer(ctx, o)
				note = "removed"
			case backend.CRIStopPodOptions:
				err = cri.StopPod(ctx, o)
				note = "its containers stopped, sandbox and network down"
			case backend.CRIRemovePodOptions:
				err = cri.RemovePod(ctx, o)
				note = "the pod and its containers removed"
			}
			return note, err
		}
	default:
		ops, err := m.taskOps()
		if err != nil {
			return nil, err
		}
		spec.Run = func(ctx context.Context, _ backend.ProgressFunc) (string, error) {
			var out string
			var err error
			switch o := o.(type) {
			case backend.StopOptions:
				var r backend.StopResult
				r, err = ops.StopTask(ctx, ns, o)
				out = r.String()
			case backend.KillOptions:
				var r backend.KillResult
				r, err = ops.KillTask(ctx, ns, o)
				out = r.String()
			case backend.PauseOptions:
				err = ops.PauseTask(ctx, ns, o)
				out = map[bool]string{false: "PAUSED", true: "RUNNING"}[o.Resume]
			case backend.TaskRemoveOptions:
				var exit uint32
				exit, err = ops.RemoveTask(ctx, ns, o)
				out = fmt.Sprintf("exit status %d dropped; the container stays", exit)
			case backend.ContainerRemoveOptions:
				var r backend.ContainerRemoved
				r, err = ops.RemoveContainer(ctx, ns, o)
				out = r.String()
			}
			if out == "" {
				return viaNote, err
			}
			return out + " (" + viaNote + ")", err
		}
	}
	return m.start(spec), nil
}

// runLifecycleCommand runs `:stop`, `:kill [SIG]`, `:pause`, `:resume`,
// `:rm` and `:rmp` on the row under the cursor, asking as the key does.
func (m *Model) runLifecycleCommand(name lcName, line string) tea.Cmd {
	args, _ := splitArgs(line)
	return m.lifecycle(name, m.top(), strings.Join(args, " "))
}
