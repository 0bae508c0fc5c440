package cri

import (
	"context"
	"errors"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

var _ backend.CRIActions = (*Client)(nil)

// CRI answers success for a stop of what has stopped and a remove of what
// is gone (kubelet relies on that), so each action reads the status first
// and says so in a sentence rather than reporting a change that did not
// happen.

// stopCtx bounds a stop by its grace period plus the per-call timeout:
// containerd answers StopContainer only once the container has exited.
func (c *Client) stopCtx(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, grace+c.timeout)
}

// containerState reads a container's CRI state and exit code.
func (c *Client) containerState(ctx context.Context, id, what string) (runtimeapi.ContainerState, int32, error) {
	st, err := c.containerStatus(ctx, id, false)
	if err != nil {
		if errors.Is(err, backend.ErrNotFound) {
			return 0, 0, backend.Errorf(backend.ErrNotFound, "%s: CRI knows no container %s (removed meanwhile?)", what, shortID(id))
		}
		return 0, 0, err
	}
	return st.Status.GetState(), st.Status.GetExitCode(), nil
}

// StopContainer stops a pod container as `crictl stop --timeout` does: the
// runtime sends the image's stop signal, then SIGKILL after the timeout.
func (c *Client) StopContainer(ctx context.Context, o backend.CRIStopOptions) error {
	what := "stop container " + shortID(o.ID) + " through CRI"
	state, code, err := c.containerState(ctx, o.ID, what)
	if err != nil {
		return err
	}
	if state == runtimeapi.ContainerState_CONTAINER_EXITED {
		return backend.Errorf(backend.ErrNotRunning, "%s: it already exited (exit %d); ctrl+d removes it", what, code)
	}
	return c.stopContainer(ctx, o.ID, o.Timeout, what)
}

func (c *Client) stopContainer(ctx context.Context, id string, timeout time.Duration, what string) error {
	grace := backend.StopTimeout(timeout)
	sctx, cancel := c.stopCtx(ctx, grace)
	defer cancel()
	if _, err := c.runtime.StopContainer(sctx, &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: int64(grace.Round(time.Second) / time.Second)}); err != nil {
		return c.rtErr(err, what)
	}
	return nil
}

// RemoveContainer removes a pod container as `crictl rm` does; a running
// one is refused unless o.StopFirst, which stops it first.
func (c *Client) RemoveContainer(ctx context.Context, o backend.CRIRemoveContainerOptions) error {
	what := "remove container " + shortID(o.ID) + " through CRI"
	state, _, err := c.containerState(ctx, o.ID, what)
	if err != nil {
		return err
	}
	if state == runtimeapi.ContainerState_CONTAINER_RUNNING || state == runtimeapi.ContainerState_CONTAINER_UNKNOWN {
		if !o.StopFirst {
			return backend.Errorf(backend.ErrRunning, "%s: it is running; stop it first, or choose \"stop it first\"", what)
		}
		if err := c.stopContainer(ctx, o.ID, o.Timeout, what+": stop it"); err != nil {
			return err
		}
	}
	uctx, cancel := c.unary(ctx)
	defer cancel()
	if _, err := c.runtime.RemoveContainer(uctx, &runtimeapi.RemoveContainerRequest{ContainerId: o.ID}); err != nil {
		return c.rtErr(err, what)
	}
	return nil
}

// podState reads a pod sandbox's CRI state.
func (c *Client) podState(ctx context.Context, id, what string) (runtimeapi.PodSandboxState, error) {
	uctx, cancel := c.unary(ctx)
	defer cancel()
	r, err := c.runtime.PodSandboxStatus(uctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id})
	if err != nil {
		err = c.rtErr(err, what)
		if errors.Is(err, backend.ErrNotFound) {
			return 0, backend.Errorf(backend.ErrNotFound, "%s: CRI knows no pod %s (removed meanwhile?)", what, shortID(id))
		}
		return 0, err
	}
	return r.Status.GetState(), nil
}

// StopPod stops a pod as `crictl stopp` does: its containers, then the
// sandbox; the network goes with it.
func (c *Client) StopPod(ctx context.Context, o backend.CRIStopPodOptions) error {
	what := "stop pod " + orShort(o.Name, o.ID) + " through CRI"
	state, err := c.podState(ctx, o.ID, what)
	if err != nil {
		return err
	}
	if state == runtimeapi.PodSandboxState_SANDBOX_NOTREADY {
		return backend.Errorf(backend.ErrNotRunning, "%s: it is already stopped (NotReady); ctrl+d removes it", what)
	}
	return c.stopPod(ctx, o.ID, what)
}

func (c *Client) stopPod(ctx context.Context, id, what string) error {
	// containerd stops each container with the grace period kubelet gave
	// it; allow the default one on top of the call's own timeout.
	sctx, cancel := c.stopCtx(ctx, backend.DefaultStopTimeout)
	defer cancel()
	if _, err := c.runtime.StopPodSandbox(sctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
		return c.rtErr(err, what)
	}
	return nil
}

// RemovePod removes a pod and its containers as `crictl rmp` does; a Ready
// pod is refused unless o.StopFirst, which stops it first.
func (c *Client) RemovePod(ctx context.Context, o backend.CRIRemovePodOptions) error {
	what := "remove pod " + orShort(o.Name, o.ID) + " through CRI"
	state, err := c.podState(ctx, o.ID, what)
	if err != nil {
		return err
	}
	if state == runtimeapi.PodSandboxState_SANDBOX_READY {
		if !o.StopFirst {
			return backend.Errorf(backend.ErrRunning, "%s: it is Ready; stop it first, or choose \"stop it first\"", what)
		}
		if err := c.stopPod(ctx, o.ID, what+": stop it"); err != nil {
			return err
		}
	}
	sctx, cancel := c.stopCtx(ctx, 0)
	defer cancel()
	if _, err := c.runtime.RemovePodSandbox(sctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: o.ID}); err != nil {
		return c.rtErr(err, what)
	}
	return nil
}

func orShort(name, id string) string {
	if name != "" {
		return name
	}
	return shortID(id)
}
