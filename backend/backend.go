package backend

import (
	"context"
	"time"
)

// NamespaceLister lists containerd namespaces.
type NamespaceLister interface {
	Namespaces(ctx context.Context) ([]Namespace, error)
}

// ImageLister lists the images of a namespace. Images answers from the image
// store alone, as fast as `ctr images ls -q`, leaving Size at SizeUnknown and
// Platforms empty: both cost content reads (ctr's size rule walks every
// image). The UI asks ImageDetails for them in the background; adapters cache
// the answer by target digest, since many names share one target.
type ImageLister interface {
	Images(ctx context.Context, namespace string) ([]Image, error)
	ImageDetails(ctx context.Context, namespace string, img Image) (ImageDetails, error)
}

// ImageDetails is what costs content reads to know about an image.
type ImageDetails struct {
	Size      int64    // ctr's size rule; SizeUnknown if content is missing
	Platforms []string // sorted, unique os/arch[/variant]
}

// ContainerLister lists a namespace's containers joined with their tasks, from
// one container list and one bulk task list.
type ContainerLister interface {
	Containers(ctx context.Context, namespace string) ([]Container, error)
}

// ContainerGetter looks up one container of a namespace with its task (ctr
// containers info, ctr tasks ls for one id), for lookups that should not
// cost a whole list: an event's row, an action's target, an OOM kill's pod.
// The native adapter has it; the UI asks for it by type assertion, and
// backend/containerd asserts at compile time that its Client satisfies it.
type ContainerGetter interface {
	Container(ctx context.Context, namespace, id string) (Container, error)
}

// PodContainerLister is the CRI container list (crictl ps -a), which alone
// knows a container's log path and attempt.
type PodContainerLister interface {
	PodContainers(ctx context.Context) ([]PodContainer, error)
}

// CRIPuller pulls an image as kubelet would (crictl pull), through the CRI
// image service; backend/cri asserts that its Client satisfies it.
type CRIPuller interface {
	PullImage(ctx context.Context, o CRIPullOptions) (string, error)
}

// EventSource streams containerd events of one namespace ("" for all). The
// channel closes when ctx ends or the stream breaks; the error channel then
// carries the reason (nil for a canceled ctx).
type EventSource interface {
	Events(ctx context.Context, namespace string) (<-chan Event, <-chan error)
}

// Native is what ctui needs of containerd's own gRPC API.
type Native interface {
	NamespaceLister
	ImageLister
	ContainerLister
	EventSource
	Version(ctx context.Context) (ServerVersion, error)
	Close() error
}

// Runtime is what ctui needs of the Kubernetes CRI API (runtime and image
// services), as crictl uses it.
type Runtime interface {
	Version(ctx context.Context) (RuntimeVersion, error)
	Status(ctx context.Context) (RuntimeStatus, error)
	Pods(ctx context.Context) ([]Pod, error)
	PodContainers(ctx context.Context) ([]PodContainer, error)
	Images(ctx context.Context) ([]CRIImage, error)
	ImageFsInfo(ctx context.Context) ([]FilesystemUsage, error)
	Close() error
}

// Event is one containerd event, decoded to what a list needs to patch a row.
type Event struct {
	Namespace  string
	Topic      string // e.g. /tasks/start, /containers/delete, /images/update
	ID         string // container id, image name or namespace name
	Time       time.Time
	PID        uint32 // tasks: the process id
	ExitStatus uint32 // /tasks/exit
}

// Event topics ctui reacts to, as containerd publishes them.
const (
	TopicTaskCreate      = "/tasks/create"
	TopicTaskStart       = "/tasks/start"
	TopicTaskExit        = "/tasks/exit"
	TopicTaskDelete      = "/tasks/delete"
	TopicTaskOOM         = "/tasks/oom"
	TopicTaskPaused      = "/tasks/paused"
	TopicTaskResumed     = "/tasks/resumed"
	TopicContainerCreate = "/containers/create"
	TopicContainerUpdate = "/containers/update"
	TopicContainerDelete = "/containers/delete"
	TopicImageCreate     = "/images/create"
	TopicImageUpdate     = "/images/update"
	TopicImageDelete     = "/images/delete"
	TopicNamespaceCreate = "/namespaces/create"
	TopicNamespaceUpdate = "/namespaces/update"
	TopicNamespaceDelete = "/namespaces/delete"
)

// Backend is the connected node: the native containerd side and the CRI
// side, each of which may be missing with the reason kept. The UI shows what
// is there and says why the rest is not.
type Backend struct {
	Config    Config
	Native    Native // nil when NativeErr is set
	NativeErr error
	CRI       Runtime // nil when CRIErr is set
	CRIErr    error
}

// Close closes both sides, and the connection to a remote node.
func (b *Backend) Close() error {
	var first error
	if b.Native != nil {
		first = b.Native.Close()
	}
	if b.CRI != nil {
		if err := b.CRI.Close(); first == nil {
			first = err
		}
	}
	if t := b.Config.Transport; t != nil {
		if err := t.Close(); first == nil {
			first = err
		}
	}
	return first
}
