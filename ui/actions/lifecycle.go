package actions

import (
	"context"
	"errors"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// The lifecycle actions at the root (lifecycle*.go): stop, kill,
// pause/resume and remove on container, task and pod rows, as ctr and
// crictl do them. A key or `:` command resolves the row first (off the
// update loop: which API manages it, whether its task runs), then asks in
// a dialog with Cancel focused, and runs the answer as a job like the image
// actions, so the outcome reaches the flash line and :log with its ctr or
// crictl command line. The pages patch their rows from the events the
// action causes.

// lcName names a lifecycle action as keys and commands ask for it.
type lcName string

const (
	lcStop      lcName = "stop"
	lcKill      lcName = "kill"
	lcPause     lcName = "pause"  // z: pause, or resume a paused task
	lcPauseOnly lcName = "pause!" // :pause
	lcResume    lcName = "resume"
	lcRemove    lcName = "rm"
	lcRemovePod lcName = "rmp"
)

// LifecycleKeyMap is the container, task and pod actions, bound at the root
// while the page on top lists containers, tasks or pods. Its letters leave
// those pages' sort keys (capitals) and the list keys alone: ctrl+k kills
// as in k9s, ctrl+d deletes as on the images page.
type LifecycleKeyMap struct {
	Stop, Kill, Pause, Remove key.Binding
}

// DefaultLifecycleKeyMap: ctrl+t stop, ctrl+k kill, z pause/resume,
// ctrl+d remove.
func DefaultLifecycleKeyMap() LifecycleKeyMap {
	return LifecycleKeyMap{
		Stop:   key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "stop: SIGTERM, then SIGKILL after the grace period (pods: crictl stopp; asks first)")),
		Kill:   key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "kill the task with a signal you choose, SIGKILL by default (asks first)")),
		Pause:  key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "pause the task; resume it when paused")),
		Remove: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "remove the container, stopped task (tasks page) or pod (asks first)")),
	}
}

// Bindings lists the actions in help order, each enabled as the backend
// and --readonly allow on the page (help leaves disabled ones out).
func (k LifecycleKeyMap) Bindings(can func(lcName) bool) []key.Binding {
	bs := []key.Binding{k.Stop, k.Kill, k.Pause, k.Remove}
	names := []lcName{lcStop, lcKill, lcPause, lcRemove}
	for i := range bs {
		bs[i].SetEnabled(can == nil || can(names[i]))
	}
	return bs
}

func (k LifecycleKeyMap) match(msg tea.KeyPressMsg) lcName {
	switch {
	case key.Matches(msg, k.Stop):
		return lcStop
	case key.Matches(msg, k.Kill):
		return lcKill
	case key.Matches(msg, k.Pause):
		return lcPause
	case key.Matches(msg, k.Remove):
		return lcRemove
	}
	return ""
}

// lcPage is the kind of row a page lists, when its rows take the lifecycle
// actions (page.CanLifecycle); taskPage is true where remove means
// `ctr tasks rm` (page.CanRemoveTask, the tasks page).
func lcPage(p page.Page) (kind page.Kind, taskPage, ok bool) {
	if p == nil {
		return "", false, false
	}
	st := p.State()
	if !st.Caps.Has(page.CanLifecycle) {
		return "", false, false
	}
	switch st.Type {
	case page.TypePods:
		kind = page.KindPod
	case page.TypePodContainers:
		kind = page.KindPodContainer
	default:
		kind = page.KindContainer
	}
	return kind, st.Caps.Has(page.CanRemoveTask), true
}

// taskOps is containerd's task API, or why there is none.
func (m Model) taskOps() (backend.TaskActions, error) {
	if m.b.Native == nil {
		return nil, backend.Errorf(backend.ErrUnsupported, "this needs containerd's task API: %s", criUnavailableNative(m.b.NativeErr))
	}
	ops, ok := m.b.Native.(backend.TaskActions)
	if !ok {
		return nil, backend.Errorf(backend.ErrUnsupported, "this backend cannot change tasks")
	}
	return ops, nil
}

func criUnavailableNative(err error) string {
	if err != nil {
		return err.Error()
	}
	return "containerd's API is not available"
}

// criOps is CRI's runtime service, or nil.
func (m Model) criOps() backend.CRIActions {
	if m.b.CRI == nil {
		return nil
	}
	ops, _ := m.b.CRI.(backend.CRIActions)
	return ops
}

// lcCan says whether action a can run on rows of kind k at all: the
// capability that decides whether its key is bound and shown.
func (m Model) lcCan(k page.Kind, taskPage bool, a lcName) bool {
	if m.b.Config.Readonly {
		return false
	}
	_, nerr := m.taskOps()
	native, cri := nerr == nil, m.criOps() != nil
	switch k {
	case page.KindPod:
		return cri && (a == lcStop || a == lcRemove || a == lcRemovePod)
	case page.KindPodContainer:
		if a == lcStop || a == lcRemove {
			return cri || native
		}
		return native
	case page.KindContainer:
		if a == lcRemovePod {
			return cri && !taskPage
		}
		return native
	}
	return false
}

// lcKeys is the lifecycle keymap; a value built on demand, as data.
func (m Model) lcKeys() LifecycleKeyMap { return DefaultLifecycleKeyMap() }

// lcTarget is a row resolved for an action: what containerd and CRI know
// of it, and which API acts on it.
type lcTarget struct {
	obj      page.Object
	taskPage bool
	ns       string             // containerd namespace of native
	native   *backend.Container // nil when containerd does not have it
	cri      *backend.PodContainer
	pod      *backend.Pod // the pod, for a pod row or a sandbox
	viaCRI   bool         // CRI manages it and is there: act through CRI
}

// name is how dialogs and sentences call the target.
func (t lcTarget) name() string {
	switch {
	case t.pod != nil:
		return "pod " + podTitle(*t.pod)
	case t.cri != nil && t.cri.Name != "":
		return "container " + criTitle(*t.cri)
	case t.taskPage:
		return "task " + t.obj.ID
	}
	return "container " + t.obj.ID
}

func podTitle(p backend.Pod) string {
	if p.Namespace == "" {
		return p.Name
	}
	return p.Namespace + "/" + p.Name
}

func criTitle(c backend.PodContainer) string {
	if c.PodName == "" {
		return c.Name
	}
	p := c.PodName
	if c.PodNamespace != "" {
		p = c.PodNamespace + "/" + p
	}
	return p + "/" + c.Name
}

// status is the task status, "" without a task.
func (t lcTarget) status() backend.TaskStatus {
	if t.native == nil {
		return ""
	}
	return t.native.Status()
}

// live reports whether something runs: a task not stopped, a Running CRI
// container, a Ready pod.
func (t lcTarget) live() bool {
	switch {
	case t.pod != nil:
		return t.pod.State == backend.PodReady
	case t.viaCRI && t.cri != nil:
		return t.cri.State == backend.ContainerRunning || t.cri.State == backend.ContainerUnknown
	}
	st := t.status()
	return st != "" && st != backend.TaskStopped && st != backend.TaskCreated
}

// lcResolvedMsg answers lcResolve.
type lcResolvedMsg struct {
	name lcName
	arg  string // a :command's argument (a signal)
	t    lcTarget
	err  error
}

func (lcResolvedMsg) actionReply() {}

// lifecycle starts action name on the row under the cursor of top.
func (m *Model) lifecycle(name lcName, top page.Page, arg string) tea.Cmd {
	kind, taskPage, ok := lcPage(top)
	if !ok {
		return say(":"+string(name)+" works on containers, tasks and pods: open :containers, :tasks or :pods first", true)
	}
	obj, has := selectedObj(top)
	if !has {
		return say(string(name)+": no row here; put the cursor on a container, task or pod", true)
	}
	if err := m.b.Config.Guard(lcPreview(name, obj, taskPage)); err != nil {
		return say(err.Error(), true)
	}
	check := name
	if name == lcPauseOnly || name == lcResume {
		check = lcPause
	}
	if !m.lcCan(kind, taskPage, check) {
		return say(m.lcWhyNot(kind, name), true)
	}
	if name == lcKill && arg != "" {
		if _, _, err := backend.ParseSignal(arg); err != nil {
			return say("kill: "+err.Error(), true)
		}
	}
	return m.lcResolve(name, obj, taskPage, arg)
}

func selectedObj(p page.Page) (page.Object, bool) {
	sel, ok := p.(page.Selector)
	if !ok {
		return page.Object{}, false
	}
	return sel.Selected()
}

// lcWhyNot says why an action has no key on a kind of row.
func (m Model) lcWhyNot(k page.Kind, name lcName) string {
	switch {
	case k == page.KindPod && (name == lcKill || name == lcPause || name == lcPauseOnly || name == lcResume):
		return string(name) + " works on one container: enter the pod and pick it (CRI has no " + string(name) + " for a pod)"
	case k == page.KindPod || k == page.KindPodContainer && (name == lcStop || name == lcRemove):
		return string(name) + " of a pod or pod container needs CRI: " + criUnavailable(m.b.CRIErr)
	case name == lcRemovePod:
		return "rmp removes pods: open :pods, or put the cursor on a pod's sandbox in k8s.io"
	}
	_, err := m.taskOps()
	if err == nil {
		err = errors.New("not available here")
	}
	return string(name) + ": " + err.Error()
}

// lcPreview is the action as far as known before the lookup, for the
// --readonly sentence.
func lcPreview(name lcName, obj page.Object, taskPage bool) backend.Action {
	id := obj.ID
	switch name {
	case lcStop:
		return backend.StopOptions{ID: id}
	case lcKill:
		return backend.KillOptions{ID: id}
	case lcPause, lcPauseOnly:
		return backend.PauseOptions{ID: id}
	case lcResume:
		return backend.PauseOptions{ID: id, Resume: true}
	case lcRemovePod:
		return backend.CRIRemovePodOptions{ID: id, Name: obj.Name}
	}
	if taskPage {
		return backend.TaskRemoveOptions{ID: id}
	}
	if obj.Kind == page.KindPod {
		return backend.CRIRemovePodOptions{ID: id, Name: obj.Name}
	}
	return backend.ContainerRemoveOptions{ID: id}
}

// lcResolve looks the row up off the update loop: containerd's record and
// task, CRI's container or pod, and so which API acts.
func (m *Model) lcResolve(name lcName, obj page.Object, taskPage bool, arg string) tea.Cmd {
	parent, timeout := m.ctx, m.timeout
	getter, _ := m.b.Native.(backend.ContainerGetter)
	if m.b.Native == nil {
		getter = nil
	}
	rt, cri := m.b.CRI, m.criOps() != nil
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		t, err := resolveLC(ctx, getter, rt, cri, obj, taskPage)
		return lcResolvedMsg{name: name, arg: arg, t: t, err: err}
	}
}

func resolveLC(ctx context.Context, getter backend.ContainerGetter, rt backend.Runtime, cri bool, obj page.Object, taskPage bool) (lcTarget, error) {
	t := lcTarget{obj: obj, taskPage: taskPage}
	findPod := func(id string) error {
		if rt == nil {
			return nil
		}
		pods, err := rt.Pods(ctx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(pods, func(p backend.Pod) bool { return p.ID == id }); i >= 0 {
			t.pod = &pods[i]
			return nil
		}
		return backend.Errorf(backend.ErrNotFound, "pod %s is gone: CRI no longer lists it", obj.Title())
	}
	switch obj.Kind {
	case page.KindContainer:
		if getter == nil {
			return t, backend.Errorf(backend.ErrUnsupported, "containerd's API is not available")
		}
		c, err := getter.Container(ctx, obj.Namespace, obj.ID)
		if err != nil {
			return t, err
		}
		t.native, t.ns = &c, obj.Namespace
		if obj.Namespace == backend.CRINamespace && c.Kind != "" && cri && !taskPage {
			t.viaCRI = true
			if c.Kind == "sandbox" {
				if err := findPod(obj.ID); err != nil {
					return t, err
				}
			} else {
				t.cri = &backend.PodContainer{ID: c.ID, Name: c.ContainerName, PodName: c.PodName, PodNamespace: c.PodNamespace, State: criState(c)}
			}
		}
	case page.KindPodContainer:
		if rt == nil {
			return t, backend.Errorf(backend.ErrCRIUnavailable, "CRI is not available")
		}
		pcs, err := rt.PodContainers(ctx)
		if err != nil {
			return t, err
		}
		i := slices.IndexFunc(pcs, func(c backend.PodContainer) bool { return c.ID == obj.ID })
		if i < 0 {
			return t, backend.Errorf(backend.ErrNotFound, "container %s is gone: CRI no longer lists it", short(obj.ID))
		}
		t.cri, t.viaCRI = &pcs[i], cri
		if getter != nil {
			if c, err := getter.Container(ctx, backend.CRINamespace, obj.ID); err == nil {
				t.native, t.ns = &c, backend.CRINamespace
			}
		}
	case page.KindPod:
		t.viaCRI = cri
		if err := findPod(obj.ID); err != nil {
			return t, err
		}
	}
	return t, nil
}

// criState is a CRI-managed container's state from its containerd task.
func criState(c backend.Container) backend.ContainerState {
	switch c.Status() {
	case backend.TaskRunning, backend.TaskPaused, backend.TaskPausing:
		return backend.ContainerRunning
	case backend.TaskStopped:
		return backend.ContainerExited
	case "", backend.TaskCreated:
		return backend.ContainerCreated
	}
	return backend.ContainerUnknown
}
