package backend

import "context"

// NativeDescriber gives the whole record of a containerd object as indented
// JSON, for the describe page. Lists carry only what a row shows; describe
// is where an operator reads the rest (the OCI spec, the runtime options,
// the image's manifest and config), so each method costs the reads ctr's
// `containers info` or `images inspect` would, once, for one object.
// The client in backend/containerd satisfies it; the UI asserts it on
// Backend.Native, so a backend without it simply has no describe.
type NativeDescriber interface {
	// DescribeContainer is the container record (labels, image, runtime
	// and its options, snapshotter, the OCI spec, extensions) with its
	// task's state, if it has a task.
	DescribeContainer(ctx context.Context, namespace, id string) (string, error)
	// DescribeImage is the image record with the index (when the target
	// is one), the default platform's manifest and that manifest's config.
	DescribeImage(ctx context.Context, namespace, name string) (string, error)
	// DescribeNamespace is the namespace's labels and how many images,
	// containers and tasks (by status) it holds.
	DescribeNamespace(ctx context.Context, namespace string) (string, error)
}

// RuntimeDescriber gives CRI's verbose status of a pod sandbox or a
// container as indented JSON, what `crictl inspectp` and `crictl inspect`
// print. The client in backend/cri satisfies it; the UI asserts it on
// Backend.CRI.
type RuntimeDescriber interface {
	PodStatus(ctx context.Context, id string) (string, error)
	ContainerStatus(ctx context.Context, id string) (string, error)
}
