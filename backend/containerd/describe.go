package containerd

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errgrpc"
	"github.com/containerd/platforms"
	"github.com/containerd/typeurl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	// The runc shim's options are a protobuf message; importing its
	// package registers the type, so describe shows them decoded rather
	// than as base64.
	_ "github.com/containerd/containerd/api/types/runc/options"

	"github.com/ctui/ctui/backend"
)

var _ backend.NativeDescriber = (*Client)(nil)

// maxDescribeBlob bounds one manifest, index or config read for describe.
// Real ones are a few KiB; a blob far larger is not something to hold in a
// terminal page, and is named as skipped instead.
const maxDescribeBlob = 8 << 20

// containerDescription is DescribeContainer's document. Field names are the
// Go names `ctr containers info` prints; the order puts what an operator
// looks for first and the long OCI spec last.
type containerDescription struct {
	ID          string
	Image       string
	Runtime     runtimeDescription
	Snapshotter string
	SnapshotKey string
	SandboxID   string `json:",omitempty"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Labels      map[string]string
	Task        *taskDescription // null: the container has no task
	// Resources is the running task's current use beside its limits;
	// left out when no task runs.
	Resources  *backend.ResourcesDescription `json:",omitempty"`
	Extensions map[string]any                `json:",omitempty"`
	Spec       any
}

type runtimeDescription struct {
	Name    string
	Options any `json:",omitempty"`
}

// taskDescription is the task as `ctr tasks ls` and the task service see it.
type taskDescription struct {
	PID        uint32
	Status     backend.TaskStatus
	ExitStatus *uint32    `json:",omitempty"` // only once stopped
	ExitedAt   *time.Time `json:",omitempty"`
	Stdin      string     `json:",omitempty"`
	Stdout     string     `json:",omitempty"`
	Stderr     string     `json:",omitempty"`
	Terminal   bool
}

// DescribeContainer returns container id of namespace ns as `ctr containers
// info` shows it (the record with its spec decoded), plus its task: two
// calls, the record and the task.
func (c *Client) DescribeContainer(ctx context.Context, ns, id string) (string, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	r, err := c.c.ContainerService().Get(ctx, id)
	if err != nil {
		return "", c.translate(err, "describe container "+id+" in namespace "+ns)
	}
	d := containerDescription{
		ID:          r.ID,
		Image:       r.Image,
		Runtime:     runtimeDescription{Name: r.Runtime.Name, Options: anyJSON(r.Runtime.Options)},
		Snapshotter: r.Snapshotter,
		SnapshotKey: r.SnapshotKey,
		SandboxID:   r.SandboxID,
		CreatedAt:   r.CreatedAt,
		UpdatedAt:   r.UpdatedAt,
		Labels:      r.Labels,
		Spec:        anyJSON(r.Spec),
	}
	if len(r.Extensions) > 0 {
		d.Extensions = make(map[string]any, len(r.Extensions))
		for k, v := range r.Extensions {
			d.Extensions[k] = anyJSON(v)
		}
	}
	resp, err := c.c.TaskService().Get(ctx, &tasksapi.GetRequest{ContainerID: id})
	switch {
	case err == nil:
		d.Task = describeTask(taskFromProcess(resp.Process))
	case !errdefs.IsNotFound(errgrpc.ToNative(err)):
		return "", c.translate(err, "describe the task of container "+id+" in namespace "+ns)
	}
	if d.Task != nil && d.Task.Status == backend.TaskRunning {
		d.Resources = c.describeResources(ctx, ns, id, specLimits(r.Spec))
	}
	return indentJSON(d)
}

func describeTask(t *backend.Task) *taskDescription {
	d := &taskDescription{PID: t.PID, Status: t.Status, Stdout: t.Stdout, Stderr: t.Stderr, Terminal: t.Terminal}
	if t.Status == backend.TaskStopped {
		st := t.ExitStatus
		d.ExitStatus = &st
	}
	if !t.ExitedAt.IsZero() {
		at := t.ExitedAt
		d.ExitedAt = &at
	}
	return d
}

// anyJSON makes a typeurl.Any readable. Types registered as Go structs (the
// OCI spec) are stored as JSON and are returned as they are, so fields this
// build's runtime-spec does not know survive; protobuf messages (the runc
// options) are decoded to protobuf's JSON; anything else is shown as its
// type URL and bytes rather than dropped.
func anyJSON(a typeurl.Any) any {
	if a == nil || (a.GetTypeUrl() == "" && len(a.GetValue()) == 0) {
		return nil
	}
	v, err := typeurl.UnmarshalAny(a)
	if err == nil {
		if m, ok := v.(proto.Message); ok {
			if b, err := protojson.Marshal(m); err == nil {
				return json.RawMessage(b)
			}
		}
	}
	if json.Valid(a.GetValue()) {
		return json.RawMessage(a.GetValue())
	}
	return struct {
		TypeURL string `json:"typeUrl"`
		Value   []byte `json:"value"`
	}{a.GetTypeUrl(), a.GetValue()}
}

// imageDescription is DescribeImage's document: the image record, then the
// blobs it points to as the registry served them.
type imageDescription struct {
	Name      string
	Target    ocispec.Descriptor
	CreatedAt time.Time
	UpdatedAt time.Time
	Labels    map[string]string
	// Platform is the platform whose manifest is shown: the client's
	// default, as `ctr images ls` counts sizes for.
	Platform string
	Index    json.RawMessage `json:",omitempty"`
	Manifest json.RawMessage `json:",omitempty"`
	Config   json.RawMessage `json:",omitempty"`
	Missing  []string        `json:",omitempty"` // blobs the content store lacks, or skipped
}

// DescribeImage returns image name of namespace ns: the record, the index
// when the target is one, the manifest of the default platform and its
// config blob, each as stored. Content missing from the store (CRI keeps
// only its platform's blobs) is named in Missing instead of failing the
// whole description.
func (c *Client) DescribeImage(ctx context.Context, ns, name string) (string, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	rec, err := c.c.ImageService().Get(ctx, name)
	if err != nil {
		return "", c.translate(err, "describe image "+name+" in namespace "+ns)
	}
	platform := platforms.Default()
	d := imageDescription{
		Name: rec.Name, Target: rec.Target, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, Labels: rec.Labels,
		Platform: platforms.Format(platforms.DefaultSpec()),
	}
	cs := c.c.ContentStore()
	if err := d.walk(ctx, cs, rec.Target, platform); err != nil {
		return "", c.translate(err, "describe image "+name+" in namespace "+ns)
	}
	return indentJSON(d)
}

// walk reads target and what the description shows below it. Indexes may
// nest (an index of indexes); the outermost is shown, the first manifest
// matching platform, best match first, is followed.
func (d *imageDescription) walk(ctx context.Context, cs content.Provider, target ocispec.Descriptor, platform platforms.MatchComparer) error {
	desc := target
	for depth := 0; images.IsIndexType(desc.MediaType); depth++ {
		if depth == 4 {
			d.Missing = append(d.Missing, fmt.Sprintf("index %s skipped: indexes nested too deep", desc.Digest))
			return nil
		}
		blob, ok, err := d.read(ctx, cs, desc, "index")
		if !ok {
			return err
		}
		if d.Index == nil {
			d.Index = blob
		}
		var idx ocispec.Index
		if err := json.Unmarshal(blob, &idx); err != nil {
			d.Missing = append(d.Missing, fmt.Sprintf("index %s does not parse: %v", desc.Digest, err))
			return nil
		}
		next, found := pickManifest(idx.Manifests, platform)
		if !found {
			d.Missing = append(d.Missing, fmt.Sprintf("index %s has no manifest for %s", desc.Digest, d.Platform))
			return nil
		}
		desc = next
	}
	if !images.IsManifestType(desc.MediaType) {
		return nil // an artifact or an unknown type: the target alone is it
	}
	blob, ok, err := d.read(ctx, cs, desc, "manifest")
	if !ok {
		return err
	}
	d.Manifest = blob
	var mf ocispec.Manifest
	if err := json.Unmarshal(blob, &mf); err != nil {
		d.Missing = append(d.Missing, fmt.Sprintf("manifest %s does not parse: %v", desc.Digest, err))
		return nil
	}
	cfg, ok, err := d.read(ctx, cs, mf.Config, "config")
	if !ok {
		return err
	}
	d.Config = cfg
	return nil
}

// read reads one blob for the description. A blob that is missing, too big
// or not JSON is noted in Missing and ok is false with a nil error; other
// errors (the daemon went away) end the description.
func (d *imageDescription) read(ctx context.Context, cs content.Provider, desc ocispec.Descriptor, what string) (json.RawMessage, bool, error) {
	if desc.Size > maxDescribeBlob {
		d.Missing = append(d.Missing, fmt.Sprintf("%s %s skipped: %d bytes", what, desc.Digest, desc.Size))
		return nil, false, nil
	}
	b, err := content.ReadBlob(ctx, cs, desc)
	switch {
	case errdefs.IsNotFound(err):
		d.Missing = append(d.Missing, fmt.Sprintf("%s %s is not in the content store", what, desc.Digest))
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case !json.Valid(b):
		d.Missing = append(d.Missing, fmt.Sprintf("%s %s is not JSON (%s)", what, desc.Digest, desc.MediaType))
		return nil, false, nil
	}
	return b, true, nil
}

// pickManifest chooses the entry of an index that platform matches best,
// as containerd's images.Manifest does; entries without a platform match
// only when no entry has one that matches.
func pickManifest(descs []ocispec.Descriptor, platform platforms.MatchComparer) (ocispec.Descriptor, bool) {
	var cands, bare []ocispec.Descriptor
	for _, m := range descs {
		switch {
		case m.Platform == nil:
			bare = append(bare, m)
		case platform.Match(*m.Platform):
			cands = append(cands, m)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return platform.Less(*cands[i].Platform, *cands[j].Platform) })
	switch {
	case len(cands) > 0:
		return cands[0], true
	case len(bare) > 0:
		return bare[0], true
	}
	return ocispec.Descriptor{}, false
}

// namespaceDescription is DescribeNamespace's document.
type namespaceDescription struct {
	Name       string
	Labels     map[string]string
	Images     int
	Containers int
	// Tasks counts the namespace's tasks by status, ctr's names.
	Tasks map[backend.TaskStatus]int
}

// DescribeNamespace returns ns's labels and what it holds: one namespace
// lookup and one list each of images, containers and tasks.
func (c *Client) DescribeNamespace(ctx context.Context, ns string) (string, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	what := "describe namespace " + ns
	labels, err := c.c.NamespaceService().Labels(ctx, ns)
	if err != nil {
		return "", c.translate(err, what)
	}
	imgs, err := c.c.ImageService().List(ctx)
	if err != nil {
		return "", c.translate(err, what)
	}
	ctrs, err := c.c.ContainerService().List(ctx)
	if err != nil {
		return "", c.translate(err, what)
	}
	resp, err := c.c.TaskService().List(ctx, &tasksapi.ListTasksRequest{})
	if err != nil {
		return "", c.translate(err, what)
	}
	d := namespaceDescription{Name: ns, Labels: labels, Images: len(imgs), Containers: len(ctrs), Tasks: map[backend.TaskStatus]int{}}
	for _, p := range resp.Tasks {
		d.Tasks[taskStatus(p.Status)]++
	}
	return indentJSON(d)
}

// indentJSON is the form every describe returns: two-space indented, as
// ctr and crictl print.
func indentJSON(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", backend.Errorf(backend.ErrFailed, "encode the description as JSON: %v", err)
	}
	return string(b), nil
}
