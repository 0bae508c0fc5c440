package actions

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/dialog"
	"github.com/ctui/ctui/ui/jobs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/prompt"
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
		return say(string(lcVerb(msg.name))+" "+msg.t.obj.Title()+": "+msg.err.Error(), true)
	}
	t := msg.t
	if err := lcRefusal(msg.name, t); err != "" {
		return say(err, true)
	}
	ns := t.ns
	if ns == "" {
		ns = backend.CRINamespace
	}
	switch msg.name {
	case lcStop:
		return m.askStop(ns, t)
	case lcKill:
		sel := 0
		if msg.arg != "" {
			name, _, err := backend.ParseSignal(msg.arg)
			if err != nil {
				return say("kill: "+err.Error(), true)
			}
			if i := slices.Index(backend.Signals, name); i >= 0 {
				sel = i
			}
		}
		f := dialog.Form{Title: "kill " + t.name() + "?", Confirm: "Kill",
			Lines: []string{fmt.Sprintf("task %s in namespace %s, through containerd's task API (ctr tasks kill)", t.obj.ID, ns)}}
		if t.cri != nil || (t.native != nil && t.native.Kind != "") {
			f.Lines = append(f.Lines, "CRI has no kill: kubelet sees the container exit and restarts it as its policy says")
		}
		sig := f.Choice("signal", backend.Signals, sel)
		f.OnSubmit(func(a dialog.Answers) (tea.Cmd, error) {
			o := backend.KillOptions{ID: t.obj.ID}
			if i := sig.In(a); i >= 0 && i < len(backend.Signals) {
				o.Signal = backend.Signals[i]
			}
			return m.lcStart(ns, lcPending{o, t})
		})
		return m.open(f)
	case lcPause, lcPauseOnly, lcResume:
		resume := msg.name == lcResume || msg.name == lcPause && (t.status() == backend.TaskPaused || t.status() == backend.TaskPausing)
		cmd, err := m.lcStart(ns, lcPending{backend.PauseOptions{ID: t.obj.ID, Resume: resume}, t})
		if err != nil {
			return say(err.Error(), true)
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

// askStop asks before a stop, with the grace period (none for a pod).
func (m *Model) askStop(ns string, t lcTarget) tea.Cmd {
	f := dialog.Form{Title: "stop " + t.name() + "?", Confirm: "Stop"}
	var a backend.Action
	var grace dialog.Text
	switch {
	case t.viaCRI && t.pod != nil:
		a = backend.CRIStopPodOptions{ID: t.pod.ID, Name: podTitle(*t.pod)}
		f.Lines = []string{"through CRI (crictl stopp): every container of the pod is stopped, then the sandbox and its network"}
	case t.viaCRI:
		a = backend.CRIStopOptions{ID: t.cri.ID, Name: criTitle(*t.cri)}
		f.Lines = []string{"through CRI (crictl stop), so kubelet's view stays consistent: the image's stop signal, then SIGKILL after the grace period"}
	default:
		a = backend.StopOptions{ID: t.obj.ID}
		f.Lines = []string{fmt.Sprintf("in namespace %s: SIGTERM, then SIGKILL if it still runs after the grace period (ctr tasks kill)", ns)}
	}
	if _, pod := a.(backend.CRIStopPodOptions); !pod {
		grace = f.Text(prompt.Field{Label: "grace period before SIGKILL", Value: "10s", Placeholder: "10s"})
	}
	f.OnSubmit(func(ans dialog.Answers) (tea.Cmd, error) {
		g, err := parseGrace(grace.In(ans))
		if err != nil {
			return nil, err
		}
		switch o := a.(type) {
		case backend.StopOptions:
			o.Timeout = g
			a = o
		case backend.CRIStopOptions:
			o.Timeout = g
			a = o
		}
		return m.lcStart(ns, lcPending{a, t})
	})
	return m.open(f)
}

// askLCRemove asks before a remove, with the option to stop what runs
// first and its grace period.
func (m *Model) askLCRemove(ns string, t lcTarget) tea.Cmd {
	f := dialog.Form{Title: "remove " + t.name() + "?", Confirm: "Remove"}
	var a backend.Action
	var stop dialog.Toggle
	var grace dialog.Text
	withStop, withGrace := true, true
	switch {
	case t.taskPage:
		a = backend.TaskRemoveOptions{ID: t.obj.ID}
		withStop, withGrace = false, false
		f.Lines = []string{fmt.Sprintf("its exit status goes with it; container %s stays and can run again (ctr tasks rm)", t.obj.ID)}
	case t.pod != nil && t.viaCRI:
		a = backend.CRIRemovePodOptions{ID: t.pod.ID, Name: podTitle(*t.pod)}
		withGrace = false
		f.Lines = []string{"through CRI (crictl rmp): the sandbox and all its containers; kubelet recreates a pod it still wants"}
	case t.viaCRI:
		a = backend.CRIRemoveContainerOptions{ID: t.cri.ID, Name: criTitle(*t.cri)}
		f.Lines = []string{"through CRI (crictl rm), so kubelet's view stays consistent; its log files go with it"}
	default:
		a = backend.ContainerRemoveOptions{ID: t.obj.ID}
		f.Lines = []string{fmt.Sprintf("in namespace %s: its stopped task, the container and its snapshot (ctr containers rm)", ns)}
	}
	if t.live() && withStop {
		state := string(t.status())
		if t.pod != nil {
			state = string(t.pod.State)
		} else if t.viaCRI && t.cri != nil {
			state = string(t.cri.State)
		}
		f.Lines = append(f.Lines, "it is "+state+": turn on \"stop it first\" (↑ then space) to stop it before the remove")
	}
	if withStop {
		stop = f.Toggle("stop it first (it is refused while it runs)", false)
	}
	if withGrace {
		grace = f.Text(prompt.Field{Label: "grace period before SIGKILL", Value: "10s"})
	}
	f.OnSubmit(func(ans dialog.Answers) (tea.Cmd, error) {
		g, err := parseGrace(grace.In(ans))
		if err != nil {
			return nil, err
		}
		first := stop.In(ans)
		switch o := a.(type) {
		case backend.ContainerRemoveOptions:
			o.StopFirst, o.Timeout = first, g
			a = o
		case backend.CRIRemoveContainerOptions:
			o.StopFirst, o.Timeout = first, g
			a = o
		case backend.CRIRemovePodOptions:
			o.StopFirst = first
			a = o
		}
		if t.live() && !t.taskPage && !first {
			return nil, backend.Errorf(backend.ErrRunning, "%s still runs: turn on \"stop it first\", or stop it (ctrl+t) before removing it", t.name())
		}
		return m.lcStart(ns, lcPending{a, t})
	})
	return m.open(f)
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
	return m.later(spec), nil
}

// runLifecycleCommand runs `:stop`, `:kill [SIG]`, `:pause`, `:resume`,
// `:rm` and `:rmp` on the row under the cursor, asking as the key does.
func (m *Model) runLifecycleCommand(name lcName, line string, top page.Page) tea.Cmd {
	args, _ := splitArgs(line)
	return m.lifecycle(name, top, strings.Join(args, " "))
}
