package containerd

import (
	"context"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ContentMediaTypes walks every image target of namespace ns through its
// indexes and manifests, as `ctr images check` does: each index and
// manifest present is read once (a target shared by many names, a manifest
// shared by many images), and every descriptor met gives the media type of
// the blob it names. A child that is not in the store (another platform's
// manifest, a layer not fetched) is named but not read; an image whose
// manifest cannot be read is passed over with what it named so far. Only a
// lost daemon or an ended ctx is an error.
func (c *Client) ContentMediaTypes(ctx context.Context, ns string) (map[string]string, error) {
	imgs, err := c.Images(ctx, ns)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	ctx = opsContext(ctx, ns)
	cs := c.c.ContentStore()
	out := map[string]string{}
	read := map[digest.Digest]bool{}
	handler := images.HandlerFunc(func(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		if d := desc.Digest.String(); out[d] == "" && desc.MediaType != "" {
			out[d] = desc.MediaType
		}
		if read[desc.Digest] {
			return nil, images.ErrSkipDesc
		}
		read[desc.Digest] = true
		children, err := images.Children(ctx, cs, desc)
		if errdefs.IsNotFound(err) {
			return nil, nil
		}
		return children, err
	})
	for _, im := range imgs {
		dg, err := digest.Parse(im.Digest)
		if err != nil || read[dg] {
			continue
		}
		err = images.Walk(ctx, handler, ocispec.Descriptor{MediaType: im.MediaType, Digest: dg})
		if err != nil && (ctx.Err() != nil || errdefs.IsUnavailable(err)) {
			return out, c.translate(err, "read the manifests of namespace "+ns)
		}
	}
	return out, nil
}
