package containerd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/containerd/v2/defaults"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"github.com/containerd/log"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
)

// The image actions (pull, tag, import, export, push, remove) live in the
// imageops*.go files. They share three rules:
//
//   - They are not bounded by the client's per-call timeout: a pull of a
//     large image takes as long as it takes, and the job's ctx (canceled by
//     esc in the jobs view) is what ends it.
//   - Everything they write to the content store and the snapshotter is
//     held by a lease of their own, deleted when they end. On failure or
//     cancel the lease goes with a synchronous garbage collection and their
//     open ingests are aborted, so nothing they began stays behind: no
//     partial image, no lease, no ingest, no orphan blob.
//   - containerd's resolver and unpacker log through log.G(ctx), to stderr
//     unless ctx has a logger; under a TUI that would tear the screen, so
//     opsContext gives them one that discards (or keeps the caller's).

var _ backend.ImageActions = (*Client)(nil)

// opsLeaseExpiry bounds how long content survives a ctui that died mid-job
// (the lease is normally deleted long before): containerd's own default.
const opsLeaseExpiry = 24 * time.Hour

// opsCleanupTimeout bounds the cleanup calls that run after the job's ctx ended.
const opsCleanupTimeout = 30 * time.Second

// opsContext scopes ctx to namespace ns and gives it a logger that discards,
// unless the caller put one there (ctui --debug may log to a file).
func opsContext(ctx context.Context, ns string) context.Context {
	ctx = namespaces.WithNamespace(ctx, ns)
	// log.G never returns log.L itself but an entry of its logger.
	if log.G(ctx).Logger == log.L.Logger {
		l := logrus.New()
		l.SetOutput(io.Discard)
		ctx = log.WithLogger(ctx, logrus.NewEntry(l))
	}
	return ctx
}

// opsLease is a lease held for the length of one image action.
type opsLease struct {
	c      *Client
	lease  leases.Lease
	before map[string]struct{} // ingest refs open when the job began
}

// opsStartLease creates the job's lease and returns ctx carrying it. It also
// notes the ingests already open, so that abort touches only the job's own.
func (c *Client) opsStartLease(ctx context.Context, what string) (context.Context, *opsLease, error) {
	l, err := c.c.LeasesService().Create(ctx, leases.WithRandomID(), leases.WithExpiration(opsLeaseExpiry),
		leases.WithLabel("ctui.action", what))
	if err != nil {
		return ctx, nil, c.translate(err, what+": create a lease")
	}
	jl := &opsLease{c: c, lease: l, before: map[string]struct{}{}}
	if sts, err := c.c.ContentStore().ListStatuses(ctx); err == nil {
		for _, st := range sts {
			jl.before[st.Ref] = struct{}{}
		}
	}
	return leases.WithLease(ctx, l.ID), jl, nil
}

// end deletes the lease. After a failure (failed true) it first aborts the
// ingests the job opened (those named in refs, or, when refs is nil, every
// ingest that appeared since the job began) and deletes the lease with a
// synchronous garbage collection, so what the job fetched is gone when end
// returns. It runs on a ctx of its own: the job's may be canceled already.
func (jl *opsLease) end(ctx context.Context, failed bool, refs map[string]struct{}) {
	if jl == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opsCleanupTimeout)
	defer cancel()
	ls := jl.c.c.LeasesService()
	if !failed {
		_ = ls.Delete(ctx, jl.lease)
		return
	}
	cs := jl.c.c.ContentStore()
	if sts, err := cs.ListStatuses(ctx); err == nil {
		for _, st := range sts {
			_, mine := refs[st.Ref]
			if _, old := jl.before[st.Ref]; refs == nil && !old {
				mine = true
			}
			if mine {
				if err := cs.Abort(ctx, st.Ref); err != nil && !errdefs.IsNotFound(err) {
					log.G(ctx).WithError(err).WithField("ref", st.Ref).Debug("abort ingest")
				}
			}
		}
	}
	_ = ls.Delete(ctx, jl.lease, leases.SynchronousDelete)
}

// opsSnapshotter is the snapshotter an unpack goes to: the one asked for,
// else the namespace's default (label containerd.io/defaults/snapshotter),
// else containerd's default, overlayfs, as the client itself decides.
func (c *Client) opsSnapshotter(ctx context.Context, asked string) (string, error) {
	if asked != "" {
		return asked, nil
	}
	label, err := c.c.GetLabel(ctx, defaults.DefaultSnapshotterNSLabel)
	if err != nil {
		return "", err
	}
	if label != "" {
		return label, nil
	}
	return defaults.DefaultSnapshotter, nil
}

// opsRegistryOptions copies the UI's registry options into backend/registry's.
func opsRegistryOptions(o backend.RegistryOptions) registry.Options {
	r := registry.Options{
		HostsDirs:      o.HostsDirs,
		RegistriesYAML: o.RegistriesYAML,
		DockerConfig:   o.DockerConfig,
		Creds:          o.Creds,
		PlainHTTP:      o.PlainHTTP,
		SkipVerify:     o.SkipVerify,
	}
	if l, ok := o.Logins.(*registry.Logins); ok {
		r.Logins = l
	}
	return r
}

// opsError words the failure of an image action. A canceled job says so
// whatever the call that noticed it returned; registry failures go through
// the resolution's sentences (host, file to change); the rest through the
// daemon's translation.
func (c *Client) opsError(ctx context.Context, res *registry.Resolution, err error, what string) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return &backend.Error{Kind: backend.ErrCanceled, Err: err, Msg: what + ": canceled; nothing of it was kept"}
	}
	if res != nil {
		out := res.Error(err, what)
		if !errors.Is(out, backend.ErrFailed) {
			return out
		}
	}
	return c.translate(err, what)
}

// opsItemKind is what ctr's progress keys call a descriptor.
func opsItemKind(mediaType string) backend.ItemKind {
	switch {
	case images.IsIndexType(mediaType):
		return backend.ItemIndex
	case images.IsManifestType(mediaType):
		return backend.ItemManifest
	case images.IsConfigType(mediaType):
		return backend.ItemConfig
	case images.IsLayerType(mediaType):
		return backend.ItemLayer
	}
	return backend.ItemUnknown
}

// opsImage is a backend.Image of an image record, as Images lists it.
func opsImage(img images.Image) backend.Image {
	return backend.Image{
		Name:      img.Name,
		Digest:    img.Target.Digest.String(),
		MediaType: img.Target.MediaType,
		Size:      backend.SizeUnknown,
		Labels:    img.Labels,
		CreatedAt: img.CreatedAt,
		UpdatedAt: img.UpdatedAt,
	}
}

// opsContentSize sums the sizes of the distinct blobs of target that matcher
// selects, reading only manifests and indexes: the bytes an export will copy.
func opsContentSize(ctx context.Context, cs content.Provider, targets []ocispec.Descriptor, matcher images.HandlerFunc) (int64, error) {
	seen := map[string]struct{}{}
	var total int64
	h := images.HandlerFunc(func(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		if _, ok := seen[desc.Digest.String()]; !ok {
			seen[desc.Digest.String()] = struct{}{}
			total += desc.Size
		}
		return nil, nil
	})
	for _, t := range targets {
		if err := images.Walk(ctx, images.Handlers(h, matcher), t); err != nil {
			return total, err
		}
	}
	return total, nil
}

// opsPlural is "n thing" or "n things".
func opsPlural(n int, thing string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", thing)
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// opsRefList quotes refs for a sentence.
func opsRefList(refs []string) string { return strings.Join(refs, ", ") }
