package containerd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"

	"github.com/ctui/ctui/backend"
)

// TagImage gives the image o.Source names a new name, o.Target, in namespace
// ns, as ctr 1.6's `images tag` does (and 2.x's with --local): the target is
// validated and normalized (docker.io/library/ expansion), the record is
// copied with its labels, and an existing target is ErrAlreadyExists unless
// o.Force, which deletes it and creates it again. (ctr 2.x without --local
// tags through the transfer service, which always overwrites and drops the
// labels; ctui keeps the behaviour that asks first.)
//
// In k8s.io CRI sees the new name through the /images/create event and adds
// its managed label and id ref itself, so the tag shows in crictl images at
// once.
func (c *Client) TagImage(ctx context.Context, ns string, o backend.TagOptions) (backend.Image, error) {
	target, err := backend.NormalizeRef(o.Target)
	what := fmt.Sprintf("tag %s as %s", o.Source, o.Target)
	if err != nil {
		return backend.Image{}, &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: what + ": " + err.Error()}
	}
	what = fmt.Sprintf("tag %s as %s", o.Source, target)
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	is := c.c.ImageService()
	src, err := c.lookupImage(ctx, o.Source)
	if err != nil {
		return backend.Image{}, c.imageLookupError(err, what, o.Source, ns)
	}
	if src.Name == target {
		return opsImage(src), nil
	}
	img := src
	img.Name = target
	created, err := is.Create(ctx, img)
	if errdefs.IsAlreadyExists(err) {
		if !o.Force {
			cur, gerr := is.Get(ctx, target)
			if gerr == nil && cur.Target.Digest == src.Target.Digest {
				return opsImage(cur), nil // already this image: nothing to replace
			}
			return backend.Image{}, &backend.Error{Kind: backend.ErrAlreadyExists, Err: err, Msg: fmt.Sprintf(
				"%s: %s already exists in namespace %s and names another image; replace it (ctr images tag --force)?", what, target, ns)}
		}
		if err = is.Delete(ctx, target); err != nil && !errdefs.IsNotFound(err) {
			return backend.Image{}, c.translate(err, what+": remove the existing "+target)
		}
		created, err = is.Create(ctx, img)
	}
	if err != nil {
		return backend.Image{}, c.translate(err, what)
	}
	return opsImage(created), nil
}

// lookupImage finds an image record by its name as given, then by its
// normalized name (busybox finds docker.io/library/busybox:latest).
func (c *Client) lookupImage(ctx context.Context, name string) (images.Image, error) {
	is := c.c.ImageService()
	img, err := is.Get(ctx, name)
	if errdefs.IsNotFound(err) {
		if n, nerr := backend.NormalizeRef(name); nerr == nil && n != name {
			if img2, err2 := is.Get(ctx, n); err2 == nil {
				return img2, nil
			}
		}
	}
	return img, err
}

func (c *Client) imageLookupError(err error, what, name, ns string) error {
	if errdefs.IsNotFound(err) {
		return &backend.Error{Kind: backend.ErrNotFound, Err: err, Msg: fmt.Sprintf("%s: there is no image %s in namespace %s", what, name, ns)}
	}
	return c.translate(err, what)
}

// RemoveImages deletes the image names o.Refs from namespace ns as `ctr
// images rm` does: each name is deleted, and with o.Sync the last one waits
// for garbage collection (images.SynchronousDelete), so the space is free
// when it returns. A name that is not there does not stop the others; the
// error then names every name that failed.
func (c *Client) RemoveImages(ctx context.Context, ns string, o backend.RemoveOptions) error {
	if len(o.Refs) == 0 {
		return backend.Errorf(backend.ErrInvalid, "remove images: no image named")
	}
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	is := c.c.ImageService()
	var failed []string
	var first error
	for i, ref := range o.Refs {
		var opts []images.DeleteOpt
		if o.Sync && i == len(o.Refs)-1 {
			opts = append(opts, images.SynchronousDelete())
		}
		err := is.Delete(ctx, ref, opts...)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return c.translate(err, "remove "+ref)
		}
		if errdefs.IsNotFound(err) {
			err = &backend.Error{Kind: backend.ErrNotFound, Err: err, Msg: fmt.Sprintf("remove %s: there is no image %s in namespace %s", ref, ref, ns)}
		} else {
			err = c.translate(err, "remove "+ref)
		}
		failed = append(failed, ref)
		if first == nil {
			first = err
		}
	}
	if len(failed) == 1 {
		return first
	}
	if len(failed) > 1 {
		var be *backend.Error
		kind := backend.ErrFailed
		if errors.As(first, &be) {
			kind = be.Kind
		}
		return &backend.Error{Kind: kind, Err: first, Msg: fmt.Sprintf("remove images: %s of %d could not be removed (%s); first: %s",
			opsPlural(len(failed), "image"), len(o.Refs), opsRefList(failed), first.Error())}
	}
	return nil
}

// ImageUsers lists the containers of namespace ns created from any of the
// image names refs (matched as given and normalized), with their pod when CRI
// made them and whether their task runs, so the remove dialog can name them.
// containerd lets an image go while containers use it (their snapshots
// stay), which is why ctui asks first.
func (c *Client) ImageUsers(ctx context.Context, ns string, refs []string) ([]backend.ImageUser, error) {
	want := map[string]string{}
	for _, r := range refs {
		want[r] = r
		if n, err := backend.NormalizeRef(r); err == nil {
			want[n] = r
		}
	}
	ctrs, err := c.Containers(ctx, ns)
	if err != nil {
		return nil, err
	}
	var out []backend.ImageUser
	for _, ct := range ctrs {
		ref, ok := want[ct.Image]
		if !ok {
			continue
		}
		u := backend.ImageUser{Image: ref, Container: ct.ID, Running: ct.Status() == backend.TaskRunning}
		if ct.PodName != "" {
			u.Pod = strings.TrimPrefix(ct.PodNamespace+"/"+ct.PodName, "/")
		}
		out = append(out, u)
	}
	backend.SortImageUsers(out)
	return out, nil
}
