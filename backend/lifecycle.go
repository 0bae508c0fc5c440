package backend

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The lifecycle actions: what ctr does to tasks and containers (tasks kill,
// pause, resume, rm; containers rm) and crictl to pod containers and pod
// sandboxes (stop, rm, stopp, rmp). Each option struct below is an Action,
// so the UI runs, guards and logs them as it does the image actions.

// The kinds of the lifecycle actions. Removal of a container, task or pod
// shares ActionRemove with images: the subject says which.
const (
	ActionStop   ActionKind = "stop"
	ActionKill   ActionKind = "kill"
	ActionPause  ActionKind = "pause"
	ActionResume ActionKind = "resume"
)

// DefaultStopTimeout is how long a stop waits after SIGTERM before it sends
// SIGKILL: kubelet's and docker's default grace period.
const DefaultStopTimeout = 10 * time.Second

// ErrRunning is the kind of a refusal to remove what still runs: a
// container with a live task, a task that has not exited, a Ready pod.
var ErrRunning = errors.New("still running")

// Signals are the signals the kill dialog offers, SIGKILL first (ctr's
// default is SIGTERM; the dialog's is the signal that always works).
var Signals = []string{"SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"}

var signalNumbers = map[string]syscall.Signal{
	"SIGHUP": syscall.SIGHUP, "SIGINT": syscall.SIGINT, "SIGQUIT": syscall.SIGQUIT, "SIGKILL": syscall.SIGKILL,
	"SIGUSR1": syscall.SIGUSR1, "SIGUSR2": syscall.SIGUSR2, "SIGTERM": syscall.SIGTERM, "SIGSTOP": syscall.SIGSTOP,
	"SIGCONT": syscall.SIGCONT, "SIGWINCH": syscall.SIGWINCH, "SIGALRM": syscall.SIGALRM, "SIGPIPE": syscall.SIGPIPE,
}

// ParseSignal reads a signal as ctr's --signal takes it: SIGTERM, TERM,
// term or 15. It returns the canonical name (SIGTERM, or the number for
// one without a name here) and the number.
func ParseSignal(s string) (string, syscall.Signal, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "SIGKILL", syscall.SIGKILL, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return "", 0, Errorf(ErrInvalid, "signal %d: give a number from 1 to 64, or a name such as SIGTERM", n)
		}
		sig := syscall.Signal(n)
		for name, v := range signalNumbers {
			if v == sig {
				return name, sig, nil
			}
		}
		return s, sig, nil
	}
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	if sig, ok := signalNumbers[s]; ok {
		return s, sig, nil
	}
	names := make([]string, 0, len(signalNumbers))
	for n := range signalNumbers {
		names = append(names, n)
	}
	sort.Strings(names)
	return "", 0, Errorf(ErrInvalid, "unknown signal %q; use one of %s, or a number", s, strings.Join(names, ", "))
}

// StopOptions describe stopping a task as ctr and docker do: SIGTERM, up to
// Timeout for it to exit, then SIGKILL.
type StopOptions struct {
	ID      string
	Timeout time.Duration // DefaultStopTimeout when zero
}

// Kind is ActionStop.
func (o StopOptions) Kind() ActionKind { return ActionStop }

// Subject names the task.
func (o StopOptions) Subject() string { return "task " + o.ID }

// CommandLine renders `ctr tasks kill -s SIGTERM`; ctr has no stop, so the
// grace period and the SIGKILL after it are said in a comment.
func (o StopOptions) CommandLine(cfg Config, ns string) string {
	return shellJoin(append(ctrBase(cfg, ns), "tasks", "kill", "--signal", "SIGTERM", o.ID)) +
		fmt.Sprintf("  # then SIGKILL (ctr tasks kill --signal SIGKILL %s) if it still runs after %s", o.ID, StopTimeout(o.Timeout))
}

// StopTimeout is t, or DefaultStopTimeout when t is not positive.
func StopTimeout(t time.Duration) time.Duration {
	if t <= 0 {
		return DefaultStopTimeout
	}
	return t
}

// KillOptions describe `ctr tasks kill --signal SIG ID`.
type KillOptions struct {
	ID     string
	Signal string // a name ParseSignal takes; SIGKILL when empty
}

// Kind is ActionKill.
func (o KillOptions) Kind() ActionKind { return ActionKill }

// Subject names the task and the signal.
func (o KillOptions) Subject() string { return "task " + o.ID + " with " + o.signal() }

func (o KillOptions) signal() string {
	if name, _, err := ParseSignal(o.Signal); err == nil {
		return name
	}
	return o.Signal
}

// CommandLine renders `ctr tasks kill --signal SIG`.
func (o KillOptions) CommandLine(cfg Config, ns string) string {
	return shellJoin(append(ctrBase(cfg, ns), "tasks", "kill", "--signal", o.signal(), o.ID))
}

// PauseOptions describe `ctr tasks pause ID`, or resume with Resume.
type PauseOptions struct {
	ID     string
	Resume bool
}

// Kind is ActionPause or ActionResume.
func (o PauseOptions) Kind() ActionKind {
	if o.Resume {
		return ActionResume
	}
	return ActionPause
}

// Subject names the task.
func (o PauseOptions) Subject() string { return "task " + o.ID }

// CommandLine renders `ctr tasks pause` or `ctr tasks resume`.
func (o PauseOptions) CommandLine(cfg Config, ns string) string {
	return shellJoin(append(ctrBase(cfg, ns), "tasks", string(o.Kind()), o.ID))
}

// TaskRemoveOptions describe `ctr tasks rm ID`: the stopped task goes, the
// container stays (it can be started again).
type TaskRemoveOptions struct {
	ID string
}

// Kind is ActionRemove.
func (o TaskRemoveOptions) Kind() ActionKind { return ActionRemove }

// Subject names the task.
func (o TaskRemoveOptions) Subject() string { return "task " + o.ID }

// CommandLine renders `ctr tasks rm`.
func (o TaskRemoveOptions) CommandLine(cfg Config, ns string) string {
	return shellJoin(append(ctrBase(cfg, ns), "tasks", "rm", o.ID))
}

// ContainerRemoveOptions describe `ctr containers rm ID`: its stopped task,
// the container record and its snapshot. A live task is refused unless
// StopFirst, which stops it first as StopOptions do.
type ContainerRemoveOptions struct {
	ID        string
	StopFirst bool
	Timeout   time.Duration // the stop's grace period
}

// Kind is ActionRemove.
func (o ContainerRemoveOptions) Kind() ActionKind { return ActionRemove }

// Subject names the container.
func (o ContainerRemoveOptions) Subject() string { return "container " + o.ID }

// CommandLine renders `ctr containers rm`, after the stop when StopFirst.
func (o ContainerRemoveOptions) CommandLine(cfg Config, ns string) string {
	rm := shellJoin(append(ctrBase(cfg, ns), "containers", "rm", o.ID))
	if !o.StopFirst {
		return rm
	}
	return shellJoin(append(ctrBase(cfg, ns), "tasks", "kill", "--signal", "SIGTERM", o.ID)) + "; sleep " +
		strconv.Itoa(int(StopTimeout(o.Timeout).Seconds())) + "; " +
		shellJoin(append(ctrBase(cfg, ns), "tasks", "rm", "--force", o.ID)) + " && " + rm
}

// CRIStopOptions describe `crictl stop --timeout N ID`: CRI sends the
// image's stop signal (SIGTERM by default), then SIGKILL after Timeout.
type CRIStopOptions struct {
	ID      string
	Name    string // namespace/pod/container, for the subject; ID when empty
	Timeout time.Duration
}

// Kind is ActionStop.
func (o CRIStopOptions) Kind() ActionKind { return ActionStop }

// Subject names the container.
func (o CRIStopOptions) Subject() string { return "container " + orID(o.Name, o.ID) }

// CommandLine renders `crictl stop`.
func (o CRIStopOptions) CommandLine(cfg Config, _ string) string {
	return shellJoin(append(crictlRuntimeBase(cfg), "stop", "--timeout", secs(o.Timeout), o.ID))
}

// CRIRemoveContainerOptions describe `crictl rm ID`; with StopFirst a running
// container is stopped first (crictl stop, then rm).
type CRIRemoveContainerOptions struct {
	ID        string
	Name      string
	StopFirst bool
	Timeout   time.Duration
}

// Kind is ActionRemove.
func (o CRIRemoveContainerOptions) Kind() ActionKind { return ActionRemove }

// Subject names the container.
func (o CRIRemoveContainerOptions) Subject() string { return "container " + orID(o.Name, o.ID) }

// CommandLine renders `crictl rm`, after `crictl stop` when StopFirst.
func (o CRIRemoveContainerOptions) CommandLine(cfg Config, _ string) string {
	rm := shellJoin(append(crictlRuntimeBase(cfg), "rm", o.ID))
	if !o.StopFirst {
		return rm
	}
	return shellJoin(append(crictlRuntimeBase(cfg), "stop", "--timeout", secs(o.Timeout), o.ID)) + " && " + rm
}

// CRIStopPodOptions describe `crictl stopp ID`: every container of the pod
// is stopped, then the sandbox, and its network is torn down.
type CRIStopPodOptions struct {
	ID   string
	Name string // namespace/name
}

// Kind is ActionStop.
func (o CRIStopPodOptions) Kind() ActionKind { return ActionStop }

// Subject names the pod.
func (o CRIStopPodOptions) Subject() string { return "pod " + orID(o.Name, o.ID) }

// CommandLine renders `crictl stopp`.
func (o CRIStopPodOptions) CommandLine(cfg Config, _ string) string {
	return shellJoin(append(crictlRuntimeBase(cfg), "stopp", o.ID))
}

// CRIRemovePodOptions describe `crictl rmp ID`: the sandbox and all its
// containers. A Ready pod is refused unless StopFirst.
type CRIRemovePodOptions struct {
	ID        string
	Name      string
	StopFirst bool
}

// Kind is ActionRemove.
func (o CRIRemovePodOptions) Kind() ActionKind { return ActionRemove }

// Subject names the pod.
func (o CRIRemovePodOptions) Subject() string { return "pod " + orID(o.Name, o.ID) }

// CommandLine renders `crictl rmp`, after `crictl stopp` when StopFirst.
func (o CRIRemovePodOptions) CommandLine(cfg Config, _ string) string {
	rm := shellJoin(append(crictlRuntimeBase(cfg), "rmp", o.ID))
	if !o.StopFirst {
		return rm
	}
	return shellJoin(append(crictlRuntimeBase(cfg), "stopp", o.ID)) + " && " + rm
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func secs(t time.Duration) string {
	return strconv.Itoa(int(StopTimeout(t).Round(time.Second).Seconds()))
}

// crictlRuntimeBase is crictl with the runtime endpoint the actions use.
func crictlRuntimeBase(cfg Config) []string {
	args := []string{"crictl"}
	if cfg.RuntimeEndpoint != "" {
		args = append(args, "--runtime-endpoint", cfg.RuntimeEndpoint)
	}
	return args
}

// StopResult says how a stop went: which signal ended the task and its
// exit status.
type StopResult struct {
	Exit uint32
	// Killed is true when the task outlived the grace period and SIGKILL
	// ended it.
	Killed  bool
	Waited  time.Duration
	Resumed bool // the task was paused and was resumed so the signal could land
}

// String is the outcome as the flash line says it.
func (r StopResult) String() string {
	s := fmt.Sprintf("exited %d after SIGTERM", r.Exit)
	if r.Killed {
		s = fmt.Sprintf("ignored SIGTERM for %s; SIGKILL ended it (exit %d)", r.Waited.Round(100*time.Millisecond), r.Exit)
	}
	if r.Resumed {
		s += "; it was paused and was resumed to take the signal"
	}
	return s
}

// KillResult says what a signal did within a short wait.
type KillResult struct {
	Signal string
	Exited bool   // the task exited within the wait
	Exit   uint32 // its exit status then
}

// String is the outcome as the flash line says it.
func (r KillResult) String() string {
	if r.Exited {
		return fmt.Sprintf("sent %s; the task exited %d", r.Signal, r.Exit)
	}
	return fmt.Sprintf("sent %s; the task still runs (it handles or ignores the signal)", r.Signal)
}

// TaskActions is what the lifecycle keys need of containerd's task API;
// backend/containerd's Client has it. ns is the containerd namespace.
// Every error is an *Error sentence: ErrNotRunning for a task that has
// already stopped or a container without one, ErrRunning for a remove of
// something live, ErrPaused, ErrNotFound, ErrPermission.
type TaskActions interface {
	StopTask(ctx context.Context, ns string, o StopOptions) (StopResult, error)
	KillTask(ctx context.Context, ns string, o KillOptions) (KillResult, error)
	PauseTask(ctx context.Context, ns string, o PauseOptions) error
	RemoveTask(ctx context.Context, ns string, o TaskRemoveOptions) (uint32, error)
	RemoveContainer(ctx context.Context, ns string, o ContainerRemoveOptions) (ContainerRemoved, error)
}

// ContainerRemoved says what a container remove took with it.
type ContainerRemoved struct {
	Stopped  *StopResult // the stop before, when StopFirst found it running
	TaskExit *uint32     // the exit status of the stopped task that went with it
	Snapshot string      // the snapshot removed, "" when it had none
}

// String is the outcome as the flash line says it.
func (r ContainerRemoved) String() string {
	var parts []string
	if r.Stopped != nil {
		parts = append(parts, "stopped first: "+r.Stopped.String())
	} else if r.TaskExit != nil {
		parts = append(parts, fmt.Sprintf("its stopped task (exit %d) went with it", *r.TaskExit))
	}
	if r.Snapshot != "" {
		parts = append(parts, "snapshot "+r.Snapshot+" removed")
	}
	return strings.Join(parts, "; ")
}

// CRIActions is what the lifecycle keys need of CRI's runtime service, as
// crictl calls it; backend/cri's Client has it.
type CRIActions interface {
	StopContainer(ctx context.Context, o CRIStopOptions) error
	RemoveContainer(ctx context.Context, o CRIRemoveContainerOptions) error
	StopPod(ctx context.Context, o CRIStopPodOptions) error
	RemovePod(ctx context.Context, o CRIRemovePodOptions) error
}
