package containerd

import (
	"context"
	"errors"
	"fmt"
	"io"

	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/containerd/v2/core/events"
	"github.com/containerd/typeurl/v2"

	"github.com/ctui/ctui/backend"
)

// eventBuffer lets a burst of events (a pod starting is a dozen) pass while
// the UI is busy redrawing, without holding up the daemon's stream.
const eventBuffer = 64

// Events streams the events of namespace ns ("" for all), as `ctr events`
// prints them, decoded to what a list needs to patch a row. The stream is
// not bounded by the client's timeout: it lasts until ctx ends or the
// connection breaks. Then the event channel closes and the error channel
// carries why (nil when ctx was canceled or reached its deadline) and
// closes.
//
// Events whose payload this client cannot decode (types added by later
// daemons) still arrive, with their topic and without an ID, so a list can
// refresh.
func (c *Client) Events(ctx context.Context, ns string) (<-chan backend.Event, <-chan error) {
	out := make(chan backend.Event, eventBuffer)
	errc := make(chan error, 1)
	var filters []string
	if ns != "" {
		filters = append(filters, "namespace=="+ns)
	}
	ctx, cancel := context.WithCancel(ctx)
	envs, errs := c.c.EventService().Subscribe(ctx, filters...)
	go func() {
		defer cancel()
		defer close(errc)
		defer close(out)
		for {
			select {
			case env := <-envs:
				select {
				case out <- decodeEvent(env):
				case <-ctx.Done():
					errc <- c.streamEnd(ctx, nil, ns)
					return
				}
			case err := <-errs:
				errc <- c.streamEnd(ctx, err, ns)
				return
			case <-ctx.Done():
				errc <- c.streamEnd(ctx, nil, ns)
				return
			}
		}
	}()
	return out, errc
}

// streamEnd says why the event stream ended: nil when the caller ended it
// (canceled ctx or its own deadline), a sentence otherwise.
func (c *Client) streamEnd(ctx context.Context, err error, ns string) error {
	if ctx.Err() != nil {
		return nil
	}
	what := "watch events"
	if ns != "" {
		what += " in namespace " + ns
	}
	if err == nil || errors.Is(err, io.EOF) {
		return &backend.Error{Kind: backend.ErrUnavailable, Err: err, Msg: fmt.Sprintf(
			"%s: containerd at %s ended the event stream; is it restarting?", what, c.target.Endpoint)}
	}
	return c.translate(err, what)
}

// decodeEvent unpacks an envelope's payload into the fields ctui uses.
func decodeEvent(env *events.Envelope) backend.Event {
	ev := backend.Event{Namespace: env.Namespace, Topic: env.Topic, Time: env.Timestamp}
	if env.Event == nil {
		return ev
	}
	v, err := typeurl.UnmarshalAny(env.Event)
	if err != nil {
		return ev
	}
	switch e := v.(type) {
	case *apievents.TaskCreate:
		ev.ID, ev.PID = e.ContainerID, e.Pid
	case *apievents.TaskStart:
		ev.ID, ev.PID = e.ContainerID, e.Pid
	case *apievents.TaskExit:
		ev.ID, ev.PID, ev.ExitStatus = e.ContainerID, e.Pid, e.ExitStatus
	case *apievents.TaskDelete:
		ev.ID, ev.PID, ev.ExitStatus = e.ContainerID, e.Pid, e.ExitStatus
	case *apievents.TaskOOM:
		ev.ID = e.ContainerID
	case *apievents.TaskPaused:
		ev.ID = e.ContainerID
	case *apievents.TaskResumed:
		ev.ID = e.ContainerID
	case *apievents.TaskExecAdded:
		ev.ID = e.ContainerID
	case *apievents.TaskExecStarted:
		ev.ID, ev.PID = e.ContainerID, e.Pid
	case *apievents.TaskCheckpointed:
		ev.ID = e.ContainerID
	case *apievents.ContainerCreate:
		ev.ID = e.ID
	case *apievents.ContainerUpdate:
		ev.ID = e.ID
	case *apievents.ContainerDelete:
		ev.ID = e.ID
	case *apievents.ImageCreate:
		ev.ID = e.Name
	case *apievents.ImageUpdate:
		ev.ID = e.Name
	case *apievents.ImageDelete:
		ev.ID = e.Name
	case *apievents.NamespaceCreate:
		ev.ID = e.Name
	case *apievents.NamespaceUpdate:
		ev.ID = e.Name
	case *apievents.NamespaceDelete:
		ev.ID = e.Name
	case *apievents.SnapshotPrepare:
		ev.ID = e.Key
	case *apievents.SnapshotCommit:
		ev.ID = e.Name
	case *apievents.SnapshotRemove:
		ev.ID = e.Key
	case *apievents.ContentCreate:
		ev.ID = e.Digest
	case *apievents.ContentDelete:
		ev.ID = e.Digest
	case *apievents.SandboxCreate:
		ev.ID = e.SandboxID
	case *apievents.SandboxStart:
		ev.ID = e.SandboxID
	case *apievents.SandboxExit:
		ev.ID, ev.ExitStatus = e.SandboxID, e.ExitStatus
	}
	return ev
}
