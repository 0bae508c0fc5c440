package containerd

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"

	"github.com/ctui/ctui/backend"
)

var _ backend.TaskActions = (*Client)(nil)

// signalWait is how long a kill waits to report whether the task exited: a
// SIGKILL ends it at once, a handled signal may not end it at all.
const signalWait = 2 * time.Second

// loadTask loads container id of ns and its task, wording the errors as the
// operator meets them: no such container, no task, a task that has exited.
// ctx must already be namespaced.
func (c *Client) loadTask(ctx context.Context, ns, id, what string) (client.Container, client.Task, client.Status, error) {
	ctr, err := c.c.LoadContainer(ctx, id)
	if errdefs.IsNotFound(err) {
		return nil, nil, client.Status{}, backend.Errorf(backend.ErrNotFound, "%s: container %s does not exist in namespace %s (removed meanwhile?)", what, id, ns)
	}
	if err != nil {
		return nil, nil, client.Status{}, c.translate(err, what)
	}
	task, err := ctr.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return ctr, nil, client.Status{}, backend.Errorf(backend.ErrNotRunning, "%s: container %s has no task; nothing runs in it", what, id)
	}
	if err != nil {
		return ctr, nil, client.Status{}, c.translate(err, what)
	}
	st, err := task.Status(ctx)
	if err != nil {
		return ctr, task, st, c.translate(err, what)
	}
	return ctr, task, st, nil
}

// lifecycleCtx is ctx in namespace ns with a deadline: the client's timeout
// plus extra, for the waits a stop or kill makes.
func (c *Client) lifecycleCtx(ctx context.Context, ns string, extra time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(opsContext(ctx, ns), c.timeout+extra)
}

func alreadyStopped(what, id string, st client.Status) error {
	return backend.Errorf(backend.ErrNotRunning, "%s: task %s already stopped (exit %d); ctrl+d removes it", what, id, st.ExitStatus)
}

// StopTask stops a task as docker stop does over ctr's calls: wait for the
// exit, SIGTERM, and SIGKILL once o.Timeout passed. A paused task is resumed
// after the signal, or it could not act on it.
func (c *Client) StopTask(ctx context.Context, ns string, o backend.StopOptions) (backend.StopResult, error) {
	grace := backend.StopTimeout(o.Timeout)
	what := "stop task " + o.ID
	ctx, cancel := c.lifecycleCtx(ctx, ns, grace+c.timeout)
	defer cancel()
	_, task, st, err := c.loadTask(ctx, ns, o.ID, what)
	if err != nil {
		return backend.StopResult{}, err
	}
	if st.Status == client.Stopped {
		return backend.StopResult{}, alreadyStopped(what, o.ID, st)
	}
	return c.stop(ctx, task, st, grace, what)
}

// stop signals a loaded task and waits for it, as StopTask says.
func (c *Client) stop(ctx context.Context, task client.Task, st client.Status, grace time.Duration, what string) (backend.StopResult, error) {
	var res backend.StopResult
	if st.Status == client.Created {
		// Never started: nothing to signal, the task only needs deleting.
		return res, nil
	}
	exitC, err := task.Wait(ctx)
	if err != nil {
		return res, c.translate(err, what)
	}
	start := time.Now()
	if err := task.Kill(ctx, syscall.SIGTERM); err != nil {
		if errdefs.IsNotFound(err) {
			return res, c.waited(ctx, exitC, &res, start, what)
		}
		return res, c.taskError(err, what, task.ID())
	}
	if st.Status == client.Paused || st.Status == client.Pausing {
		if err := task.Resume(ctx); err == nil {
			res.Resumed = true
		}
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case s := <-exitC:
		res.Exit, res.Waited = s.ExitCode(), time.Since(start)
		return res, nil
	case <-timer.C:
	case <-ctx.Done():
		return res, c.translate(ctx.Err(), what)
	}
	res.Killed = true
	if err := task.Kill(ctx, syscall.SIGKILL); err != nil && !errdefs.IsNotFound(err) {
		return res, c.taskError(err, what+": SIGKILL after "+grace.String(), task.ID())
	}
	return res, c.waited(ctx, exitC, &res, start, what)
}

func (c *Client) waited(ctx context.Context, exitC <-chan client.ExitStatus, res *backend.StopResult, start time.Time, what string) error {
	select {
	case s := <-exitC:
		res.Exit, res.Waited = s.ExitCode(), time.Since(start)
		return nil
	case <-ctx.Done():
		return c.translate(ctx.Err(), what+": waiting for the task to exit")
	}
}

// taskError words a refused signal, pause or delete.
func (c *Client) taskError(err error, what, id string) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "process already finished"), strings.Contains(msg, "not running"):
		return backend.Errorf(backend.ErrNotRunning, "%s: task %s already stopped", what, id)
	}
	return c.translate(err, what)
}

// KillTask sends a signal as `ctr tasks kill --signal` does, then waits a
// moment to say whether the task exited.
func (c *Client) KillTask(ctx context.Context, ns string, o backend.KillOptions) (backend.KillResult, error) {
	name, sig, err := backend.ParseSignal(o.Signal)
	if err != nil {
		return backend.KillResult{}, err
	}
	what := "kill task " + o.ID + " with " + name
	ctx, cancel := c.lifecycleCtx(ctx, ns, signalWait)
	defer cancel()
	_, task, st, err := c.loadTask(ctx, ns, o.ID, what)
	if err != nil {
		return backend.KillResult{}, err
	}
	if st.Status == client.Stopped {
		return backend.KillResult{}, alreadyStopped(what, o.ID, st)
	}
	exitC, err := task.Wait(ctx)
	if err != nil {
		return backend.KillResult{}, c.translate(err, what)
	}
	if err := task.Kill(ctx, sig); err != nil {
		return backend.KillResult{}, c.taskError(err, what, o.ID)
	}
	res := backend.KillResult{Signal: name}
	if st.Status == client.Paused || st.Status == client.Pausing {
		return res, nil // frozen: the signal lands on resume
	}
	select {
	case s := <-exitC:
		res.Exited, res.Exit = true, s.ExitCode()
	case <-time.After(signalWait):
	}
	return res, nil
}

// PauseTask freezes or thaws a task (ctr tasks pause / resume).
func (c *Client) PauseTask(ctx context.Context, ns string, o backend.PauseOptions) error {
	what := string(o.Kind()) + " task " + o.ID
	ctx, cancel := c.lifecycleCtx(ctx, ns, 0)
	defer cancel()
	_, task, st, err := c.loadTask(ctx, ns, o.ID, what)
	if err != nil {
		return err
	}
	switch {
	case st.Status == client.Stopped:
		return alreadyStopped(what, o.ID, st)
	case o.Resume && st.Status != client.Paused && st.Status != client.Pausing:
		return backend.Errorf(backend.ErrInvalid, "%s: task %s is not paused (it is %s)", what, o.ID, strings.ToUpper(string(st.Status)))
	case !o.Resume && (st.Status == client.Paused || st.Status == client.Pausing):
		return backend.Errorf(backend.ErrPaused, "%s: task %s is already paused; z again resumes it", what, o.ID)
	case !o.Resume && st.Status == client.Created:
		return backend.Errorf(backend.ErrNotRunning, "%s: task %s was created but never started", what, o.ID)
	}
	if o.Resume {
		err = task.Resume(ctx)
	} else {
		err = task.Pause(ctx)
	}
	if err != nil {
		return c.taskError(err, what, o.ID)
	}
	return nil
}

// RemoveTask deletes a stopped task as `ctr tasks rm` does, returning its
// exit status; the container stays. A live task is refused.
func (c *Client) RemoveTask(ctx context.Context, ns string, o backend.TaskRemoveOptions) (uint32, error) {
	what := "remove task " + o.ID
	ctx, cancel := c.lifecycleCtx(ctx, ns, 0)
	defer cancel()
	_, task, st, err := c.loadTask(ctx, ns, o.ID, what)
	if err != nil {
		return 0, err
	}
	if st.Status != client.Stopped && st.Status != client.Created {
		return 0, backend.Errorf(backend.ErrRunning, "%s: the task is %s; stop it first (ctrl+t) or kill it (ctrl+k)", what, strings.ToUpper(string(st.Status)))
	}
	s, err := task.Delete(ctx)
	if err != nil {
		return 0, c.taskError(err, what, o.ID)
	}
	return s.ExitCode(), nil
}

// RemoveContainer removes a container as `ctr containers rm` does: its
// stopped task, then the record with its snapshot. A live task is refused
// unless o.StopFirst, which stops it as StopTask does.
func (c *Client) RemoveContainer(ctx context.Context, ns string, o backend.ContainerRemoveOptions) (backend.ContainerRemoved, error) {
	what := "remove container " + o.ID
	grace := backend.StopTimeout(o.Timeout)
	ctx, cancel := c.lifecycleCtx(ctx, ns, grace+c.timeout)
	defer cancel()
	var out backend.ContainerRemoved
	ctr, task, st, err := c.loadTask(ctx, ns, o.ID, what)
	switch {
	case ctr == nil:
		return out, err
	case task == nil && err != nil && !isNotRunning(err):
		return out, err
	case task != nil && err != nil:
		return out, err
	}
	if task != nil {
		if st.Status != client.Stopped && st.Status != client.Created {
			if !o.StopFirst {
				return out, backend.Errorf(backend.ErrRunning, "%s: its task is %s; stop it first, or choose \"stop it first\"", what, strings.ToUpper(string(st.Status)))
			}
			res, err := c.stop(ctx, task, st, grace, what+": stop its task")
			if err != nil {
				return out, err
			}
			out.Stopped = &res
		}
		s, err := task.Delete(ctx)
		if err != nil && !errdefs.IsNotFound(err) {
			return out, c.taskError(err, what+": delete its task", o.ID)
		}
		if out.Stopped == nil && err == nil {
			code := s.ExitCode()
			out.TaskExit = &code
		}
	}
	info, err := ctr.Info(ctx, client.WithoutRefreshedMetadata)
	if err == nil && info.SnapshotKey != "" {
		out.Snapshot = info.SnapshotKey
	}
	if err := ctr.Delete(ctx, client.WithSnapshotCleanup); err != nil {
		return out, c.translate(err, what)
	}
	return out, nil
}

func isNotRunning(err error) bool { return errors.Is(err, backend.ErrNotRunning) }
