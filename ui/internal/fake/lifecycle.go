package fake

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ctui/ctui/backend"
)

// Tasks is a fake containerd with the task API of the lifecycle actions:
// it changes the task statuses in Native's containers as containerd would
// and records each call as "stop default/web 10s", "kill default/web
// SIGKILL", "pause ...", "resume ...", "rmtask ...", "rm ...".
type Tasks struct {
	*Native
	mu    sync.Mutex
	calls []string
}

var _ backend.TaskActions = (*Tasks)(nil)

// CRITasks is a fake CRI runtime with the lifecycle calls, recorded as
// "crictl stop ID", "crictl rm ID", "crictl stopp ID", "crictl rmp ID".
type CRITasks struct {
	*Runtime
	mu    sync.Mutex
	calls []string
}

var _ backend.CRIActions = (*CRITasks)(nil)

// Calls lists the calls made so far.
func (t *Tasks) Calls() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.calls)
}

func (t *Tasks) record(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls = append(t.calls, s)
}

// update applies f to the task of container id in ns.
func (t *Tasks) update(ns, id string, f func(c *backend.Container) error) error {
	t.Native.mu.Lock()
	defer t.Native.mu.Unlock()
	ctrs := t.Native.Ctrs[ns]
	i := slices.IndexFunc(ctrs, func(c backend.Container) bool { return c.ID == id })
	if i < 0 {
		return backend.Errorf(backend.ErrNotFound, "container %s does not exist in namespace %s", id, ns)
	}
	c := ctrs[i]
	if c.Task != nil {
		task := *c.Task
		c.Task = &task
	}
	if err := f(&c); err != nil {
		return err
	}
	ctrs = slices.Clone(ctrs)
	if c.ID == "" {
		ctrs = slices.Delete(ctrs, i, i+1)
	} else {
		ctrs[i] = c
	}
	t.Native.Ctrs[ns] = ctrs
	return nil
}

func running(c *backend.Container) error {
	if c.Task == nil {
		return backend.Errorf(backend.ErrNotRunning, "container %s has no task", c.ID)
	}
	if c.Task.Status == backend.TaskStopped {
		return backend.Errorf(backend.ErrNotRunning, "task %s already stopped", c.ID)
	}
	return nil
}

// StopTask implements backend.TaskActions: the task stops with 143.
func (t *Tasks) StopTask(ctx context.Context, ns string, o backend.StopOptions) (backend.StopResult, error) {
	t.record(fmt.Sprintf("stop %s/%s %s", ns, o.ID, backend.StopTimeout(o.Timeout)))
	err := t.update(ns, o.ID, func(c *backend.Container) error {
		if err := running(c); err != nil {
			return err
		}
		c.Task.Status, c.Task.ExitStatus = backend.TaskStopped, 143
		return nil
	})
	return backend.StopResult{Exit: 143}, err
}

// KillTask implements backend.TaskActions: the task exits 128+signal.
func (t *Tasks) KillTask(ctx context.Context, ns string, o backend.KillOptions) (backend.KillResult, error) {
	name, sig, err := backend.ParseSignal(o.Signal)
	if err != nil {
		return backend.KillResult{}, err
	}
	t.record(fmt.Sprintf("kill %s/%s %s", ns, o.ID, name))
	err = t.update(ns, o.ID, func(c *backend.Container) error {
		if err := running(c); err != nil {
			return err
		}
		c.Task.Status, c.Task.ExitStatus = backend.TaskStopped, 128+uint32(sig)
		return nil
	})
	return backend.KillResult{Signal: name, Exited: true, Exit: 128 + uint32(sig)}, err
}

// PauseTask implements backend.TaskActions.
func (t *Tasks) PauseTask(ctx context.Context, ns string, o backend.PauseOptions) error {
	t.record(fmt.Sprintf("%s %s/%s", o.Kind(), ns, o.ID))
	return t.update(ns, o.ID, func(c *backend.Container) error {
		if err := running(c); err != nil {
			return err
		}
		c.Task.Status = backend.TaskPaused
		if o.Resume {
			c.Task.Status = backend.TaskRunning
		}
		return nil
	})
}

// RemoveTask implements backend.TaskActions.
func (t *Tasks) RemoveTask(ctx context.Context, ns string, o backend.TaskRemoveOptions) (uint32, error) {
	t.record(fmt.Sprintf("rmtask %s/%s", ns, o.ID))
	var exit uint32
	err := t.update(ns, o.ID, func(c *backend.Container) error {
		if c.Task == nil || c.Task.Status != backend.TaskStopped {
			return backend.Errorf(backend.ErrRunning, "task %s is not stopped", c.ID)
		}
		exit, c.Task = c.Task.ExitStatus, nil
		return nil
	})
	return exit, err
}

// RemoveContainer implements backend.TaskActions.
func (t *Tasks) RemoveContainer(ctx context.Context, ns string, o backend.ContainerRemoveOptions) (backend.ContainerRemoved, error) {
	t.record(fmt.Sprintf("rm %s/%s stopFirst=%v", ns, o.ID, o.StopFirst))
	var out backend.ContainerRemoved
	err := t.update(ns, o.ID, func(c *backend.Container) error {
		if c.Task != nil && c.Task.Status != backend.TaskStopped && !o.StopFirst {
			return backend.Errorf(backend.ErrRunning, "its task is %s", c.Task.Status)
		}
		out.Snapshot = c.ID
		*c = backend.Container{}
		return nil
	})
	return out, err
}

// Calls lists the CRI lifecycle calls made so far.
func (r *CRITasks) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func (r *CRITasks) record(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

// StopContainer implements backend.CRIActions.
func (r *CRITasks) StopContainer(ctx context.Context, o backend.CRIStopOptions) error {
	r.record("crictl stop " + o.ID)
	r.Runtime.mu.Lock()
	defer r.Runtime.mu.Unlock()
	for i := range r.PodCtrs {
		if r.PodCtrs[i].ID == o.ID {
			r.PodCtrs[i].State = backend.ContainerExited
			return nil
		}
	}
	return backend.Errorf(backend.ErrNotFound, "CRI knows no container %s", o.ID)
}

// RemoveContainer implements backend.CRIActions.
func (r *CRITasks) RemoveContainer(ctx context.Context, o backend.CRIRemoveContainerOptions) error {
	r.record(fmt.Sprintf("crictl rm %s stopFirst=%v", o.ID, o.StopFirst))
	r.Runtime.mu.Lock()
	defer r.Runtime.mu.Unlock()
	r.PodCtrs = slices.DeleteFunc(slices.Clone(r.PodCtrs), func(c backend.PodContainer) bool { return c.ID == o.ID })
	return nil
}

// StopPod implements backend.CRIActions.
func (r *CRITasks) StopPod(ctx context.Context, o backend.CRIStopPodOptions) error {
	r.record("crictl stopp " + o.ID)
	r.Runtime.mu.Lock()
	defer r.Runtime.mu.Unlock()
	for i := range r.PodList {
		if r.PodList[i].ID == o.ID {
			r.PodList[i].State = backend.PodNotReady
		}
	}
	return nil
}

// RemovePod implements backend.CRIActions.
func (r *CRITasks) RemovePod(ctx context.Context, o backend.CRIRemovePodOptions) error {
	r.record(fmt.Sprintf("crictl rmp %s stopFirst=%v", o.ID, o.StopFirst))
	r.Runtime.mu.Lock()
	defer r.Runtime.mu.Unlock()
	r.PodList = slices.DeleteFunc(slices.Clone(r.PodList), func(p backend.Pod) bool { return p.ID == o.ID })
	return nil
}
