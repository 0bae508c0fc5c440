// Package backend holds ctui's domain: the objects a node operator browses
// (namespaces, images, containers, tasks, pods), the small interfaces the UI
// needs to reach them, and the errors it can show as sentences. The adapters
// in backend/containerd and backend/cri fill these types from the two gRPC
// APIs containerd serves; nothing in ui/ talks to either API directly.
package backend

import (
	"context"
	"time"
)

// Namespace is a containerd namespace. CRI keeps everything Kubernetes runs in
// "k8s.io"; ctr's default is "default".
type Namespace struct {
	Name   string
	Labels map[string]string
}

// Image is one image name (ref) in a namespace, as `ctr images ls` lists it.
// The same content can stand under several names; each is its own Image.
type Image struct {
	Name      string // the ref, e.g. docker.io/library/busybox:latest
	Digest    string // digest of the target (index or manifest)
	MediaType string // media type of the target
	// Size is the compressed size ctr prints (index + default-platform
	// manifest + config + layers). It costs a walk of the content store, so
	// lists leave it at SizeUnknown and fill it in later with ImageSize.
	Size      int64
	Platforms []string // os/arch[/variant] of the manifests the index names
	Labels    map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SizeUnknown marks a size not computed yet.
const SizeUnknown int64 = -1

// TaskStatus is the state of a container's task, with ctr's names.
type TaskStatus string

// The task states containerd reports.
const (
	TaskUnknown TaskStatus = "UNKNOWN"
	TaskCreated TaskStatus = "CREATED"
	TaskRunning TaskStatus = "RUNNING"
	TaskStopped TaskStatus = "STOPPED"
	TaskPaused  TaskStatus = "PAUSED"
	TaskPausing TaskStatus = "PAUSING"
)

// Task is the running (or exited) process of a container.
type Task struct {
	ID         string // equal to the container id
	PID        uint32
	Status     TaskStatus
	ExitStatus uint32
	ExitedAt   time.Time
	// Stdout is where the shim sends the task's output: a file:// or
	// binary:// log URI from `ctr run --log-uri`, or a fifo path when the
	// output went to whoever started the task.
	Stdout   string
	Stderr   string
	Terminal bool
}

// Labels containerd's CRI plugin puts on the containers it creates; ctui uses
// them to show a native container as the pod container it belongs to.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
	LabelCRIKind       = "io.cri-containerd.kind" // "sandbox" or "container"
	LabelSandboxID     = "io.kubernetes.sandbox.id"
)

// Container is a containerd container joined with its task, if any.
type Container struct {
	ID          string
	Image       string
	Runtime     string
	Snapshotter string
	SnapshotKey string
	Labels      map[string]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Task        *Task // nil when the container has no task

	// Set from the CRI labels when the container belongs to a pod.
	PodName       string
	PodNamespace  string
	PodUID        string
	ContainerName string // the name in the pod spec
	Kind          string // "sandbox" or "container" for CRI-managed ones
}

// PodRef names the pod sandbox a container belongs to as CRI knows it: the
// sandbox's own metadata. A pod made without kubelet (`crictl runp
// pod-config.json`) has it even though neither its sandbox nor its
// containers carry the io.kubernetes.pod.* labels.
type PodRef struct {
	SandboxID string
	Name      string
	Namespace string
	UID       string
	// Container is the container's name in the pod (CRI's metadata); ""
	// for the sandbox itself.
	Container string
}

// PodRefLister says which pod each CRI container and sandbox belongs to, in
// one bulk pair of calls (backend/cri: ListPodSandbox and ListContainers);
// the pages join it to containerd's list with JoinPods.
type PodRefLister interface {
	PodRefs(ctx context.Context) (map[string]PodRef, error)
}

// PodFinder finds the pod of one container or sandbox id, for describe: CRI
// calls filtered to that id. ok is false when CRI does not know the id.
type PodFinder interface {
	PodOf(ctx context.Context, id string) (ref PodRef, ok bool, err error)
}

// JoinPods names the pod of each container refs knows (keyed by container
// id; a sandbox's own container by the sandbox id): CRI's sandbox metadata
// wins over the labels, which stay only where CRI does not know the
// container (CRI unreachable, a container CRI did not create). It changes
// ctrs in place, a map lookup per container.
func JoinPods(ctrs []Container, refs map[string]PodRef) {
	if len(refs) == 0 {
		return
	}
	for i := range ctrs {
		r, ok := refs[ctrs[i].ID]
		if !ok {
			continue
		}
		c := &ctrs[i]
		c.PodName, c.PodNamespace = r.Name, r.Namespace
		if r.UID != "" {
			c.PodUID = r.UID
		}
		if r.Container != "" {
			c.ContainerName = r.Container
		}
	}
}

// Status is the task status, or "" when the container has no task.
func (c Container) Status() TaskStatus {
	if c.Task == nil {
		return ""
	}
	return c.Task.Status
}

// PodState is a pod sandbox's state as CRI reports it.
type PodState string

// Pod sandbox states, with crictl's names.
const (
	PodReady    PodState = "Ready"
	PodNotReady PodState = "NotReady"
)

// Pod is a CRI pod sandbox.
type Pod struct {
	ID             string
	Name           string
	Namespace      string
	UID            string
	Attempt        uint32
	State          PodState
	CreatedAt      time.Time
	Labels         map[string]string
	Annotations    map[string]string
	RuntimeHandler string // "" means the default handler
}

// ContainerState is a CRI container's state, with crictl's names.
type ContainerState string

// CRI container states.
const (
	ContainerCreated ContainerState = "Created"
	ContainerRunning ContainerState = "Running"
	ContainerExited  ContainerState = "Exited"
	ContainerUnknown ContainerState = "Unknown"
)

// PodContainer is a container as CRI (and so kubelet) sees it.
type PodContainer struct {
	ID           string
	Name         string
	PodID        string
	PodName      string
	PodNamespace string
	Image        string // the image as the pod spec names it
	ImageRef     string // the image id or digest CRI resolved it to
	State        ContainerState
	Attempt      uint32
	CreatedAt    time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
	ExitCode     int32
	Reason       string
	Message      string
	// LogPath is where ctui reads the container's log: the path CRI
	// reports, under Config.HostRoot when the node's root is mounted
	// elsewhere (kubectl debug node).
	LogPath     string
	Labels      map[string]string
	Annotations map[string]string
}

// CRIImage is an image as CRI (and so kubelet and crictl) sees it: one entry
// per image id, with all its tags and digests.
type CRIImage struct {
	ID          string
	RepoTags    []string
	RepoDigests []string
	Size        uint64
	Pinned      bool
}

// Condition is one CRI runtime condition (RuntimeReady, NetworkReady, ...).
type Condition struct {
	Type    string
	Status  bool
	Reason  string
	Message string
}

// Condition types every CRI runtime reports.
const (
	ConditionRuntimeReady = "RuntimeReady"
	ConditionNetworkReady = "NetworkReady"
)

// RuntimeStatus is CRI's Status answer.
type RuntimeStatus struct {
	Conditions []Condition
	// Info holds the verbose keys (config, golang, cniconfig, ...), each a
	// JSON document as the runtime sent it.
	Info map[string]string
}

// Condition returns the condition of the given type and whether it was reported.
func (s RuntimeStatus) Condition(typ string) (Condition, bool) {
	for _, c := range s.Conditions {
		if c.Type == typ {
			return c, true
		}
	}
	return Condition{}, false
}

// FilesystemUsage is what CRI's ImageFsInfo reports for one filesystem.
type FilesystemUsage struct {
	Mountpoint string
	UsedBytes  uint64
	InodesUsed uint64
	Timestamp  time.Time
}

// ServerVersion is containerd's own version.
type ServerVersion struct {
	Version  string
	Revision string
}

// RuntimeVersion is CRI's Version answer.
type RuntimeVersion struct {
	RuntimeName       string
	RuntimeVersion    string
	RuntimeAPIVersion string
	Version           string // the CRI API version ("0.1.0")
}
