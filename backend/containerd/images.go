package containerd

import (
	"context"
	"slices"
	"sort"
	"strings"

	imagesapi "github.com/containerd/containerd/api/services/images/v1"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc"

	"github.com/ctui/ctui/backend"
)

// Images lists the image names of namespace ns from the image store alone,
// as `ctr images ls -q` does: no content is read, so Size is
// backend.SizeUnknown and Platforms is empty until ImageDetails is asked.
// Sorted by name, the order ctr prints.
func (c *Client) Images(ctx context.Context, ns string) ([]backend.Image, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	// The wire records are converted straight to backend.Image, without
	// the client store's images.Image in between: at 10,000 names that
	// copy costs a tenth of the list's time and as much memory again.
	conn, ok := c.c.Conn().(grpc.ClientConnInterface)
	if !ok {
		return nil, backend.Errorf(backend.ErrUnsupported, "the containerd client has no gRPC connection")
	}
	resp, err := imagesapi.NewImagesClient(conn).List(ctx, &imagesapi.ListImagesRequest{})
	if err != nil {
		return nil, c.translate(err, "list images in namespace "+ns)
	}
	out := make([]backend.Image, 0, len(resp.Images))
	intern := map[string]string{} // one string per target and media type, shared by the names
	for _, img := range resp.Images {
		bi := backend.Image{Name: img.Name, Size: backend.SizeUnknown, Labels: img.Labels}
		if t := img.Target; t != nil {
			bi.Digest, bi.MediaType = internString(intern, t.Digest), internString(intern, t.MediaType)
		}
		if img.CreatedAt != nil {
			bi.CreatedAt = img.CreatedAt.AsTime()
		}
		if img.UpdatedAt != nil {
			bi.UpdatedAt = img.UpdatedAt.AsTime()
		}
		out = append(out, bi)
	}
	// The store lists by name already (bolt keeps its keys sorted); sort
	// only if a daemon ever answers otherwise.
	byName := func(a, b backend.Image) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(out, byName) {
		slices.SortFunc(out, byName)
	}
	return out, nil
}

// internString returns the copy of s kept in seen, keeping s if new.
func internString(seen map[string]string, s string) string {
	if v, ok := seen[s]; ok {
		return v
	}
	seen[s] = s
	return s
}

type detailsKey struct{ namespace, digest string }

// detailsEntry is one cached or in-flight ImageDetails answer. done closes
// when it is known; the first caller computes it, the others wait, so a
// screen of names sharing a target costs one walk.
type detailsEntry struct {
	done chan struct{}
	d    backend.ImageDetails
	err  error
}

// ImageDetails computes what ctr's `images ls` prints for img beyond its
// name: SIZE and PLATFORMS. Content is immutable under its digest, so the
// answer is cached by namespace and target digest for the life of the
// Client; a failed computation is not cached.
//
// Size follows ctr's rule exactly (containerd's images.Image.Size with the
// client's default platform): the target, then for an index only the first
// manifest matching that platform, its config and its layers, counted from
// the descriptors, so missing layer blobs do not matter. When a manifest or
// index blob itself is missing, ctr prints what it counted up to there (for
// a missing target manifest, the manifest's own size) and no platforms; so
// does ImageDetails, without an error.
func (c *Client) ImageDetails(ctx context.Context, ns string, img backend.Image) (backend.ImageDetails, error) {
	key := detailsKey{ns, img.Digest}
	for {
		c.mu.Lock()
		e, ok := c.details[key]
		if !ok {
			e = &detailsEntry{done: make(chan struct{})}
			c.details[key] = e
			c.mu.Unlock()
			var current bool
			e.d, current, e.err = c.imageDetails(ctx, ns, img)
			if e.err != nil || !current {
				c.mu.Lock()
				delete(c.details, key)
				c.mu.Unlock()
			}
			close(e.done)
			return e.d, e.err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return backend.ImageDetails{}, c.translate(ctx.Err(), "read the size of image "+img.Name)
		}
		if e.err == nil {
			return e.d, nil
		}
		// The caller that computed it failed, perhaps only because its
		// own ctx ended; try again under ours.
		if ctx.Err() != nil {
			return backend.ImageDetails{}, c.translate(ctx.Err(), "read the size of image "+img.Name)
		}
	}
}

// imageDetails computes the details of the image img.Name names now, and
// says whether that is still img.Digest (else the name was moved to another
// target since it was listed, and the answer must not be cached under the
// old digest).
func (c *Client) imageDetails(ctx context.Context, ns string, img backend.Image) (backend.ImageDetails, bool, error) {
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	// backend.Image does not carry the target's size, which the rule counts;
	// the image record has it, for one cheap Get.
	rec, err := c.c.ImageService().Get(ctx, img.Name)
	if err != nil {
		return backend.ImageDetails{}, false, c.translate(err, "look up image "+img.Name)
	}
	target := rec.Target
	current := target.Digest.String() == img.Digest
	cs := c.c.ContentStore()
	size, err := imageSize(ctx, cs, target, platforms.Default())
	if err != nil && !errdefs.IsNotFound(err) {
		return backend.ImageDetails{}, false, c.translate(err, "read the size of image "+img.Name)
	}
	d := backend.ImageDetails{Size: size}
	specs, err := images.Platforms(ctx, cs, target)
	if err != nil && !errdefs.IsNotFound(err) {
		return backend.ImageDetails{}, false, c.translate(err, "read the platforms of image "+img.Name)
	}
	if err == nil {
		d.Platforms = formatPlatforms(specs)
	}
	return d, current, nil
}

// imageSize is containerd's images.Image.Size (what ctr prints) with the
// partial sum made explicit: Image.Size returns its counter next to the
// walk's error in one return statement, which leaves what it returns on a
// missing blob to the compiler's evaluation order.
func imageSize(ctx context.Context, provider content.Provider, target ocispec.Descriptor, platform platforms.MatchComparer) (int64, error) {
	var size int64
	err := images.Walk(ctx, images.Handlers(images.HandlerFunc(func(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		if desc.Size < 0 {
			return nil, backend.Errorf(backend.ErrInvalid, "invalid size %v in %v (%v)", desc.Size, desc.Digest, desc.MediaType)
		}
		size += desc.Size
		return nil, nil
	}), images.LimitManifests(images.FilterPlatforms(images.ChildrenHandler(provider), platform), platform, 1)), target)
	return size, err
}

// formatPlatforms is ctr's PLATFORMS column as a list: os/arch[/variant],
// unique and sorted.
func formatPlatforms(specs []ocispec.Platform) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range specs {
		s := platforms.Format(p)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
