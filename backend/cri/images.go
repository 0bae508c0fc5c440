package cri

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

// Images lists the images the image service knows, one entry per image id
// with all its tags and digests, in `crictl images` order. On containerd
// these are the images of namespace k8s.io; `crictl images NAME` filters are
// ignored by containerd, so ctui filters on its side and asks for all.
func (c *Client) Images(ctx context.Context) ([]backend.CRIImage, error) {
	ctx, cancel := c.unary(ctx)
	defer cancel()
	r, err := c.images.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		return nil, c.imgErr(err, "list CRI images")
	}
	out := make([]backend.CRIImage, 0, len(r.Images))
	for _, i := range r.Images {
		out = append(out, toImage(i))
	}
	sortImages(out)
	return out, nil
}

// ImageFsInfo reports the filesystems that hold images: on containerd, the
// CRI snapshotter's root (e.g. .../io.containerd.snapshotter.v1.overlayfs)
// with its used bytes and inodes, which is what kubelet's image garbage
// collection watches. The separate container filesystems some runtimes
// report (split image filesystem) are appended after the image ones.
func (c *Client) ImageFsInfo(ctx context.Context) ([]backend.FilesystemUsage, error) {
	ctx, cancel := c.unary(ctx)
	defer cancel()
	r, err := c.images.ImageFsInfo(ctx, &runtimeapi.ImageFsInfoRequest{})
	if err != nil {
		return nil, c.imgErr(err, "read the image filesystem usage")
	}
	out := make([]backend.FilesystemUsage, 0, len(r.ImageFilesystems)+len(r.ContainerFilesystems))
	for _, f := range r.ImageFilesystems {
		out = append(out, toFilesystemUsage(f))
	}
	for _, f := range r.ContainerFilesystems {
		out = append(out, toFilesystemUsage(f))
	}
	return out, nil
}
