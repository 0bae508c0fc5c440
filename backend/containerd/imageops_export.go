package containerd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/images/archive"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
)

// ExportImages writes the images o.Refs of namespace ns to o.Path as `ctr
// images export` does on the client side (client.Export, any daemon from 1.6
// on): an OCI layout plus docker's manifest.json, whose RepoTags are short
// as docker writes them (nginx:latest), so both `ctr images import` and
// `docker load` read it. By default only the node's platform is written;
// o.AllPlatforms needs every platform's content present.
//
// The tar goes to a temporary file in the target directory, renamed into
// place only when complete, so a failed, full-disk or canceled export leaves
// no file behind and never a half-written one under the name. (It is not
// fsynced: ctr does not either, and on a busy node a sync of hundreds of MB
// costs more than the export; the rename alone already keeps a partial file
// from appearing under the name.)
// An existing o.Path is ErrAlreadyExists unless o.Overwrite, for the UI to
// ask. It returns the bytes written; progress counts them against the sum of
// the blobs' sizes.
func (c *Client) ExportImages(ctx context.Context, ns string, o backend.ExportOptions, progress backend.ProgressFunc) (int64, error) {
	what := "export " + opsRefList(o.Refs) + " to " + o.Path
	if len(o.Refs) == 0 {
		return 0, backend.Errorf(backend.ErrInvalid, "export: no image named")
	}
	if o.Path == "" {
		return 0, backend.Errorf(backend.ErrInvalid, "%s: no file named to write to", what)
	}
	path, err := filepath.Abs(o.Path)
	if err != nil {
		return 0, opsFileError(err, what, o.Path, "write")
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return 0, backend.Errorf(backend.ErrInvalid, "%s: %s is a directory; name a file in it", what, o.Path)
		}
		if !o.Overwrite {
			return 0, backend.Errorf(backend.ErrAlreadyExists, "%s: %s already exists; overwrite it?", what, o.Path)
		}
	}

	var matcher platforms.MatchComparer
	switch {
	case o.AllPlatforms:
		matcher = platforms.All
	case len(o.Platforms) > 0:
		ps, err := platforms.ParseAll(o.Platforms)
		if err != nil {
			return 0, backend.Errorf(backend.ErrInvalid, "%s: %v; write platforms as os/arch[/variant]", what, err)
		}
		matcher = platforms.Ordered(ps...)
	default:
		matcher = platforms.DefaultStrict()
	}

	ctx = opsContext(ctx, ns)
	is := c.c.ImageService()
	opts := []archive.ExportOpt{archive.WithPlatform(matcher)}
	if o.AllPlatforms {
		opts = append(opts, archive.WithAllPlatforms())
	}
	if o.SkipManifestJSON {
		opts = append(opts, archive.WithSkipDockerManifest())
	}
	var targets []ocispec.Descriptor
	for _, ref := range o.Refs {
		img, err := c.lookupImage(ctx, ref)
		if err != nil {
			return 0, c.imageLookupError(err, what, ref, ns)
		}
		targets = append(targets, img.Target)
		opts = append(opts, archive.WithImage(is, img.Name))
	}
	total, _ := opsContentSize(ctx, c.c.ContentStore(), targets,
		images.LimitManifests(images.FilterPlatforms(images.ChildrenHandler(c.c.ContentStore()), matcher), matcher, 1))
	if o.AllPlatforms {
		total, _ = opsContentSize(ctx, c.c.ContentStore(), targets, images.ChildrenHandler(c.c.ContentStore()))
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".ctui-*")
	if err != nil {
		return 0, opsFileError(err, what, filepath.Dir(path), "create a file in")
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	cw := &opsCountingWriter{w: tmp}
	bw := bufio.NewWriterSize(cw, 1<<20)
	stop, _ := opsArchiveProgress(cw.N, total, backend.StatusWriting, "exporting", progress)
	err = archive.Export(ctx, opsBigReads{c.c.ContentStore()}, bw, opts...)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil && !o.Overwrite {
		// Someone may have made the file since the check: do not
		// replace it behind the operator's back.
		if _, serr := os.Stat(path); serr == nil {
			err = backend.Errorf(backend.ErrAlreadyExists, "%s: %s appeared while exporting; overwrite it?", what, o.Path)
		}
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	stop(err == nil)
	if err != nil {
		return 0, c.exportError(ctx, err, what, path)
	}
	keep = true
	return cw.N(), nil
}

func (c *Client) exportError(ctx context.Context, err error, what, path string) error {
	var be *backend.Error
	switch {
	case errors.As(err, &be):
		return err
	case ctx.Err() != nil:
		return &backend.Error{Kind: backend.ErrCanceled, Err: err, Msg: what + ": canceled; no file was left"}
	case errdefs.IsNotFound(err):
		return &backend.Error{Kind: backend.ErrNotFound, Err: err, Msg: fmt.Sprintf(
			"%s: content is missing from the store (%v): the image was pulled for fewer platforms than asked, or its layers were discarded; export the node's platform only", what, err)}
	}
	var pe *os.PathError
	if errors.As(err, &pe) || errors.Is(err, os.ErrPermission) {
		return opsFileError(err, what, path, "write")
	}
	return c.opsError(ctx, nil, err, what)
}

// opsCountingWriter counts bytes written, for a progress poller on another
// goroutine.
type opsCountingWriter struct {
	w  io.Writer
	mu sync.Mutex
	n  int64
}

func (c *opsCountingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.mu.Lock()
	c.n += int64(n)
	c.mu.Unlock()
	return n, err
}

// N is the number of bytes written so far.
func (c *opsCountingWriter) N() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// opsBigReads is the content store with blob reads in 4 MiB requests. The
// exporter copies each blob with io.Copy, whose 32 KiB reads become one Read
// RPC each on a client's content store (6,400 streams for 200 MB); through
// a large buffer they become 50. content.NewReader uses the Reader method.
type opsBigReads struct{ content.Store }

func (b opsBigReads) ReaderAt(ctx context.Context, desc ocispec.Descriptor) (content.ReaderAt, error) {
	ra, err := b.Store.ReaderAt(ctx, desc)
	if err != nil {
		return nil, err
	}
	return opsBufferedReaderAt{ra}, nil
}

type opsBufferedReaderAt struct{ content.ReaderAt }

// Reader is what content.NewReader looks for.
func (r opsBufferedReaderAt) Reader() io.Reader {
	return bufio.NewReaderSize(io.NewSectionReader(r.ReaderAt, 0, r.Size()), 4<<20)
}
