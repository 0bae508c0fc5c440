package containerd

import (
	"context"
	"errors"
	"io"
	"sort"

	containersapi "github.com/containerd/containerd/api/services/containers/v1"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	tasktypes "github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ctui/ctui/backend"
)

// Containers lists the containers of namespace ns joined with their tasks,
// sorted by id. It costs two calls whatever the number of containers, like
// `ctr containers ls` plus `ctr tasks ls`: the container records as the store
// lists them (no Info per container) and one bulk task list.
func (c *Client) Containers(ctx context.Context, ns string) ([]backend.Container, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	out, err := c.listContainers(ctx)
	if err != nil {
		return nil, c.translate(err, "list containers in namespace "+ns)
	}
	resp, err := c.c.TaskService().List(ctx, &tasksapi.ListTasksRequest{})
	if err != nil {
		return nil, c.translate(err, "list tasks in namespace "+ns)
	}
	tasks := make(map[string]*backend.Task, len(resp.Tasks))
	for _, p := range resp.Tasks {
		t := c.task(p)
		tasks[t.ID] = t
	}
	for i := range out {
		out[i].Task = tasks[out[i].ID]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Container looks up one container of namespace ns and its task, for a
// detail view or to patch one row after an event without listing them all.
// A container without a task has Task nil; a missing container is
// backend.ErrNotFound.
var _ backend.ContainerGetter = (*Client)(nil)

func (c *Client) Container(ctx context.Context, ns, id string) (backend.Container, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	r, err := c.c.ContainerService().Get(ctx, id)
	if err != nil {
		return backend.Container{}, c.translate(err, "look up container "+id+" in namespace "+ns)
	}
	ctr := containerFromRecord(r)
	resp, err := c.c.TaskService().Get(ctx, &tasksapi.GetRequest{ContainerID: id})
	switch {
	case err == nil:
		ctr.Task = c.task(resp.Process)
	case !errdefs.IsNotFound(errgrpc.ToNative(err)):
		return backend.Container{}, c.translate(err, "look up the task of container "+id+" in namespace "+ns)
	}
	return ctr, nil
}

// listContainers reads the container records over the streaming list and
// converts each as it arrives, so the OCI spec of every container (several
// KiB each) is garbage as soon as its record is read: at thousands of
// containers the client store's List would hold every spec at once. A daemon
// without ListStream gets the unary List.
func (c *Client) listContainers(ctx context.Context) ([]backend.Container, error) {
	conn, ok := c.c.Conn().(grpc.ClientConnInterface)
	if !ok {
		return nil, backend.Errorf(backend.ErrUnsupported, "the containerd client has no gRPC connection")
	}
	api := containersapi.NewContainersClient(conn)
	stream, err := api.ListStream(ctx, &containersapi.ListContainersRequest{})
	if err != nil {
		return c.listContainersUnary(ctx, api)
	}
	var out []backend.Container
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if status.Code(err) == codes.Unimplemented && len(out) == 0 {
			return c.listContainersUnary(ctx, api)
		}
		if err != nil {
			return nil, err
		}
		if m.Container != nil {
			out = append(out, containerFromProto(m.Container))
		}
	}
}

func (c *Client) listContainersUnary(ctx context.Context, api containersapi.ContainersClient) ([]backend.Container, error) {
	resp, err := api.List(ctx, &containersapi.ListContainersRequest{})
	if err != nil {
		return nil, err
	}
	out := make([]backend.Container, 0, len(resp.Containers))
	for _, r := range resp.Containers {
		out = append(out, containerFromProto(r))
	}
	return out, nil
}

// containerFromProto is containerFromRecord for the wire form of a record.
func containerFromProto(p *containersapi.Container) backend.Container {
	r := containers.Container{
		ID:          p.ID,
		Labels:      p.Labels,
		Image:       p.Image,
		Snapshotter: p.Snapshotter,
		SnapshotKey: p.SnapshotKey,
	}
	if p.Runtime != nil {
		r.Runtime.Name = p.Runtime.Name
	}
	if p.CreatedAt != nil {
		r.CreatedAt = p.CreatedAt.AsTime()
	}
	if p.UpdatedAt != nil {
		r.UpdatedAt = p.UpdatedAt.AsTime()
	}
	return containerFromRecord(r)
}

// containerFromRecord fills a backend.Container from a store record, with
// the pod it belongs to when CRI created it.
func containerFromRecord(r containers.Container) backend.Container {
	l := r.Labels
	return backend.Container{
		ID:            r.ID,
		Image:         r.Image,
		Runtime:       r.Runtime.Name,
		Snapshotter:   r.Snapshotter,
		SnapshotKey:   r.SnapshotKey,
		Labels:        l,
		CreatedAt:     r.CreatedAt,
		UpdatedAt:     r.UpdatedAt,
		PodName:       l[backend.LabelPodName],
		PodNamespace:  l[backend.LabelPodNamespace],
		PodUID:        l[backend.LabelPodUID],
		ContainerName: l[backend.LabelContainerName],
		Kind:          l[backend.LabelCRIKind],
	}
}

// task is taskFromProcess with the log URIs as ctui reads them, under the
// host root (describe shows them as containerd reports them).
func (c *Client) task(p *tasktypes.Process) *backend.Task {
	t := taskFromProcess(p)
	t.Stdout, t.Stderr = backend.HostLogURI(c.hostRoot, t.Stdout), backend.HostLogURI(c.hostRoot, t.Stderr)
	return t
}

func taskFromProcess(p *tasktypes.Process) *backend.Task {
	t := &backend.Task{
		ID:         p.ID,
		PID:        p.Pid,
		Status:     taskStatus(p.Status),
		ExitStatus: p.ExitStatus,
		Stdout:     p.Stdout,
		Stderr:     p.Stderr,
		Terminal:   p.Terminal,
	}
	if p.ID == "" {
		t.ID = p.ContainerID
	}
	// A task that has not exited carries either no time or the zero time
	// of Go or of Unix, depending on the daemon's version.
	if p.ExitedAt != nil && p.ExitedAt.AsTime().Unix() > 0 {
		t.ExitedAt = p.ExitedAt.AsTime()
	}
	return t
}

// taskStatus names a task state as `ctr tasks ls` prints it.
func taskStatus(s tasktypes.Status) backend.TaskStatus {
	switch s {
	case tasktypes.Status_CREATED:
		return backend.TaskCreated
	case tasktypes.Status_RUNNING:
		return backend.TaskRunning
	case tasktypes.Status_STOPPED:
		return backend.TaskStopped
	case tasktypes.Status_PAUSED:
		return backend.TaskPaused
	case tasktypes.Status_PAUSING:
		return backend.TaskPausing
	}
	return backend.TaskUnknown
}
