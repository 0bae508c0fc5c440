package testbed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/image-spec/identity"
)

// DiskScaleImage is the i-th distinct image SeedDiskScale builds: busybox
// plus a small layer of its own, so that images share one layer and each
// holds some bytes no other does.
func DiskScaleImage(i int) string { return fmt.Sprintf("localhost/diskscale/base-%03d:v1", i) }

// DiskScaleLayoutTar writes an OCI layout tar of n distinct images
// (DiskScaleImage(0..n-1)), each the busybox layer plus a layer with one
// file of layerBytes bytes that only it has.
func DiskScaleLayoutTar(w io.Writer, n int, layerBytes int) error {
	l := newLayout()
	bb, data, err := busyboxLayer()
	if err != nil {
		return err
	}
	l.addLayerBytes(bb.desc, data)
	for i := range n {
		var buf bytes.Buffer
		lw, err := newLayerWriter(&buf, gzip.BestSpeed)
		if err != nil {
			return err
		}
		body := bytes.Repeat([]byte(fmt.Sprintf("image %03d\n", i)), layerBytes/10+1)[:layerBytes]
		if err := lw.Tar.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("data-%03d", i), Mode: 0o644,
			Size: int64(len(body)), ModTime: imageTime, Format: tar.FormatPAX}); err != nil {
			return err
		}
		if _, err := lw.Tar.Write(body); err != nil {
			return err
		}
		own, err := lw.close()
		if err != nil {
			return err
		}
		l.addLayerBytes(own.desc, buf.Bytes())
		if err := l.addImage(ImageSpec{Ref: DiskScaleImage(i), Cmd: []string{"sh"}}, []layer{bb, own}); err != nil {
			return err
		}
	}
	return l.writeTar(w)
}

// SeedDiskScale fills namespace ns for the disk benchmark: nDistinct images
// (DiskScaleLayoutTar, imported and unpacked), nNames image names spread
// over them (ScaleImageName), and nContainers containers (ScaleContainerID)
// each with an active snapshot of its own on its image, as `ctr containers
// create` makes them, but no task. What exists already is left as it is.
func SeedDiskScale(ctx context.Context, address, ns string, nDistinct, nNames, nContainers int) error {
	c, err := containerd.New(address, containerd.WithTimeout(10*time.Second))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", address, err)
	}
	defer c.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	// A lease keeps the snapshots prepared below from a garbage collection
	// before their containers hold them.
	ctx, done, err := c.WithLease(ctx)
	if err != nil {
		return err
	}
	defer done(context.WithoutCancel(ctx))
	is := c.ImageService()
	if _, err := is.Get(ctx, DiskScaleImage(nDistinct-1)); errdefs.IsNotFound(err) {
		var buf bytes.Buffer
		if err := DiskScaleLayoutTar(&buf, nDistinct, 64<<10); err != nil {
			return err
		}
		imgs, err := c.Import(ctx, &buf)
		if err != nil {
			return fmt.Errorf("import the disk-scale images into %s: %w", ns, err)
		}
		for _, img := range imgs {
			if err := containerd.NewImage(c, img).Unpack(ctx, ""); err != nil {
				return fmt.Errorf("unpack %s: %w", img.Name, err)
			}
		}
	} else if err != nil {
		return err
	}
	bases := make([]images.Image, nDistinct)
	parents := make([]string, nDistinct)
	for i := range bases {
		if bases[i], err = is.Get(ctx, DiskScaleImage(i)); err != nil {
			return err
		}
		diffIDs, err := containerd.NewImage(c, bases[i]).RootFS(ctx)
		if err != nil {
			return err
		}
		parents[i] = identity.ChainID(diffIDs).String()
	}
	labels := map[string]string{ScaleLabel: "true"}
	err = parallel(ctx, nNames, func(ctx context.Context, i int) error {
		_, err := is.Create(ctx, images.Image{Name: ScaleImageName(i), Target: bases[i%nDistinct].Target, Labels: labels})
		if errdefs.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("seed image names in %s: %w", ns, err)
	}
	spec, err := oci.GenerateSpec(ctx, nil, &containers.Container{ID: "diskscale"}, oci.WithProcessArgs("sh"))
	if err != nil {
		return err
	}
	sn := c.SnapshotService("overlayfs")
	err = parallel(ctx, nContainers, func(ctx context.Context, i int) error {
		id := ScaleContainerID(i)
		if _, err := sn.Prepare(ctx, id, parents[i%nDistinct]); err != nil && !errdefs.IsAlreadyExists(err) {
			return err
		}
		_, err := c.NewContainer(ctx, id,
			containerd.WithImageName(ScaleImageName(i%nNames)),
			containerd.WithSnapshotter("overlayfs"),
			containerd.WithSnapshot(id),
			containerd.WithRuntime(runcRuntime, nil),
			containerd.WithContainerLabels(labels),
			containerd.WithSpec(spec),
		)
		if errdefs.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("seed containers in %s: %w", ns, err)
	}
	return nil
}

// LastCommittedSnapshot is the key of the last committed snapshot `ctr
// snapshots ls` lists in namespace ns (an image's layer), for a test that
// prepares a child of it, as `ctr snapshots prepare KEY PARENT` does.
func (d *Daemon) LastCommittedSnapshot(ctx context.Context, ns string) (string, error) {
	out, err := d.Ctr(ctx, "-n", ns, "snapshots", "ls")
	if err != nil {
		return "", err
	}
	var key string
	for _, l := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(l); len(f) >= 2 && f[len(f)-1] == "Committed" {
			key = f[0]
		}
	}
	if key == "" {
		return "", fmt.Errorf("no committed snapshot in ctr -n %s snapshots ls:\n%s", ns, out)
	}
	return key, nil
}
