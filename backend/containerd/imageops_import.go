package containerd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/images/archive"
	"github.com/containerd/containerd/v2/pkg/archive/compression"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"

	"github.com/ctui/ctui/backend"
)

// ImportImages imports an OCI layout or docker-save tar into namespace ns as
// `ctr images import` does on the client side (client.Import, which every
// daemon from 1.6 on supports), and unpacks each image into the namespace's
// snapshotter. client.Import reads only plain tar, so a gzip or zstd archive
// (what `docker save | gzip` makes) is decompressed here first; ctr 2.x's
// transfer path does the same, ctr 1.6 fails on it.
//
// Naming follows ctr: tag-only names of an OCI layout get the prefix
// o.BaseName (default import-YYYY-MM-DD), with a BaseName only images under
// it are imported, docker names are normalized (alpine:latest ->
// docker.io/library/alpine:latest). Progress is the archive's bytes read.
// A truncated or non-image archive, or a canceled import, leaves nothing:
// images it created are removed, its lease and ingests too.
func (c *Client) ImportImages(ctx context.Context, ns string, o backend.ImportOptions, progress backend.ProgressFunc) ([]backend.Image, error) {
	name := o.Path
	if name == "" {
		name = "the archive"
	}
	what := "import " + name
	r := o.Reader
	size := o.Size
	if r == nil {
		f, err := os.Open(o.Path)
		if err != nil {
			return nil, opsFileError(err, what, o.Path, "read")
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				return nil, backend.Errorf(backend.ErrInvalid, "%s: %s is a directory; ctui imports a tar of an OCI layout or of docker save", what, o.Path)
			}
			size = fi.Size()
		}
		r = f
	}
	var matcher platforms.MatchComparer
	if o.Platform != "" {
		p, err := platforms.Parse(o.Platform)
		if err != nil {
			return nil, backend.Errorf(backend.ErrInvalid, "%s: platform %q: %v; write it as os/arch[/variant]", what, o.Platform, err)
		}
		matcher = platforms.OnlyStrict(p)
	}

	ctx = opsContext(ctx, ns)
	snapshotter := ""
	if !o.NoUnpack {
		var err error
		if snapshotter, err = c.opsSnapshotter(ctx, o.Snapshotter); err != nil {
			return nil, c.opsError(ctx, nil, err, what)
		}
	}
	before, err := c.imageNames(ctx)
	if err != nil {
		return nil, c.opsError(ctx, nil, err, what)
	}

	counted := &backend.CountingReader{R: r}
	stop, setPhase := opsArchiveProgress(counted.N, size, backend.StatusReading, "importing", progress)
	ctx, lease, err := c.opsStartLease(ctx, "import")
	if err != nil {
		stop(false)
		return nil, err
	}
	imgs, err := c.importArchive(ctx, counted, o, matcher)
	if err == nil && !o.NoUnpack {
		// Unpack progress is not visible through the API; the phase
		// says what the job is doing while the byte count stands still.
		setPhase("unpacking")
		for _, img := range imgs {
			m := matcher
			if m == nil {
				m = platforms.DefaultStrict()
			}
			if err = client.NewImageWithPlatform(c.c, img, m).Unpack(ctx, snapshotter); err != nil {
				err = fmt.Errorf("unpack %s into %s: %w", img.Name, snapshotter, err)
				break
			}
		}
	}
	stop(err == nil)
	if err != nil {
		// Remove the names this import created; names it only moved
		// were there before and stay, as ctr leaves them.
		for _, img := range imgs {
			if _, had := before[img.Name]; !had {
				c.opsDeleteImage(ctx, img.Name)
			}
		}
		lease.end(ctx, true, nil)
		return nil, c.importError(ctx, err, what, counted.N())
	}
	lease.end(ctx, false, nil)
	out := make([]backend.Image, 0, len(imgs))
	for _, img := range imgs {
		out = append(out, opsImage(img))
	}
	return out, nil
}

// importArchive decompresses when needed and runs client.Import with ctr's
// naming options.
func (c *Client) importArchive(ctx context.Context, r io.Reader, o backend.ImportOptions, matcher platforms.MatchComparer) ([]images.Image, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var in io.Reader = br
	if head, _ := br.Peek(10); compression.DetectCompression(head) != compression.Uncompressed {
		ds, err := compression.DecompressStream(br)
		if err != nil {
			return nil, err
		}
		defer ds.Close()
		in = ds
	}
	var opts []client.ImportOpt
	prefix := o.BaseName
	if prefix == "" {
		prefix = "import-" + time.Now().Format("2006-01-02")
		opts = append(opts, client.WithImageRefTranslator(archive.AddRefPrefix(prefix)))
	} else {
		opts = append(opts, client.WithImageRefTranslator(archive.FilterRefPrefix(prefix)))
	}
	if o.Digests {
		opts = append(opts, client.WithDigestRef(archive.DigestTranslator(prefix)))
	}
	if o.IndexName != "" {
		opts = append(opts, client.WithIndexName(o.IndexName))
	}
	if matcher != nil {
		opts = append(opts, client.WithImportPlatform(matcher))
	}
	opts = append(opts, client.WithAllPlatforms(o.AllPlatforms))
	pc, err := c.opsPullClient()
	if err != nil {
		return nil, err
	}
	imgs, err := pc.Import(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	// The tar may end in a truncated trailer the importer never reads;
	// drain it so a cut-off file is noticed rather than half trusted.
	if _, err := io.Copy(io.Discard, in); err != nil {
		return imgs, err
	}
	return imgs, nil
}

// importError words an import failure: what is wrong with the archive, in
// words, rather than the importer's internals.
func (c *Client) importError(ctx context.Context, err error, what string, read int64) error {
	if ctx.Err() != nil {
		return &backend.Error{Kind: backend.ErrCanceled, Err: err, Msg: what + ": canceled; nothing of it was kept"}
	}
	msg := err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "unexpected EOF"):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: fmt.Sprintf(
			"%s: the archive ends too early (after %s): it is truncated, perhaps an unfinished copy or download; nothing was imported", what, backend.Size(read))}
	case strings.Contains(msg, "unrecognized image format"):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: what + ": this tar is not an image archive: it has neither index.json (OCI layout) nor manifest.json (docker save); nothing was imported"}
	case strings.Contains(msg, "invalid tar header"), strings.Contains(msg, "archive/tar"):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: what + ": this file is not a tar archive (nor a gzip or zstd compressed one); export images with ctr images export or docker save; nothing was imported"}
	case strings.Contains(msg, "gzip") || strings.Contains(msg, "zstd") || strings.Contains(msg, "flate"):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: fmt.Sprintf("%s: the compressed archive is damaged or cut off (%v); nothing was imported", what, err)}
	case strings.Contains(msg, "unsupported OCI version"), strings.Contains(msg, "missing index.json"):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: fmt.Sprintf("%s: the OCI layout is incomplete or of an unknown version (%v); nothing was imported", what, err)}
	case errdefs.IsNotFound(err) && strings.Contains(msg, "content digest"):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: fmt.Sprintf("%s: the archive lacks blobs its manifests name (%v); export it again with all layers, or import with --all-platforms only when every platform is in it; nothing was imported", what, err)}
	case errors.Is(err, syscall.ENOSPC):
		return &backend.Error{Kind: backend.ErrFailed, Err: err, Msg: what + ": the disk holding containerd's root is full; free space and try again; nothing was imported"}
	}
	return c.opsError(ctx, nil, err, what)
}

// imageNames is the set of image names in ctx's namespace.
func (c *Client) imageNames(ctx context.Context) (map[string]struct{}, error) {
	list, err := c.c.ImageService().List(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]struct{}, len(list))
	for _, img := range list {
		out[img.Name] = struct{}{}
	}
	return out, nil
}

// opsArchiveProgress reports the bytes of an archive read or written, every
// opsProgressInterval, until the returned stop is called; setPhase changes
// the phase reported.
func opsArchiveProgress(n func() int64, total int64, status backend.ItemStatus, phase string, progress backend.ProgressFunc) (stop func(ok bool), setPhase func(string)) {
	start := time.Now()
	var meter backend.RateMeter
	var mu sync.Mutex
	setPhase = func(p string) {
		mu.Lock()
		phase = p
		mu.Unlock()
	}
	snap := func(st backend.ItemStatus, ph string) backend.Progress {
		now := time.Now()
		done := n()
		tot := total
		if tot > 0 && done > tot {
			tot = done
		}
		return backend.Progress{
			Phase: ph, Start: start, Now: now, Done: done, Total: tot, Rate: meter.Observe(now, done),
			Items: []backend.ProgressItem{{Kind: backend.ItemArchive, Status: st, Offset: done, Total: tot}},
		}
	}
	stopc := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(opsProgressInterval)
		defer tick.Stop()
		for {
			select {
			case <-stopc:
				return
			case <-tick.C:
				mu.Lock()
				ph := phase
				mu.Unlock()
				progress.Report(snap(status, ph))
			}
		}
	}()
	stop = func(ok bool) {
		close(stopc)
		<-finished
		if ok {
			p := snap(backend.StatusDone, "done")
			if p.Total < p.Done {
				p.Total = p.Done
			}
			progress.Report(p)
		}
	}
	return stop, setPhase
}

// opsFileError words a failure to open, create or write a file.
func opsFileError(err error, what, path, verb string) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &backend.Error{Kind: backend.ErrNotFound, Err: err, Msg: fmt.Sprintf("%s: %s does not exist", what, path)}
	case errors.Is(err, os.ErrPermission):
		return &backend.Error{Kind: backend.ErrPermission, Err: err, Msg: fmt.Sprintf("%s: permission denied to %s %s", what, verb, path)}
	case errors.Is(err, syscall.EROFS):
		return &backend.Error{Kind: backend.ErrPermission, Err: err, Msg: fmt.Sprintf("%s: %s is on a read-only filesystem", what, path)}
	case errors.Is(err, syscall.ENOSPC):
		return &backend.Error{Kind: backend.ErrFailed, Err: err, Msg: fmt.Sprintf("%s: no space left on the device of %s; free space or choose another directory", what, path)}
	case errors.Is(err, syscall.ENOTDIR):
		return &backend.Error{Kind: backend.ErrInvalid, Err: err, Msg: fmt.Sprintf("%s: a part of %s is not a directory", what, path)}
	}
	return &backend.Error{Kind: backend.ErrFailed, Err: err, Msg: fmt.Sprintf("%s: cannot %s %s: %v", what, verb, path, err)}
}
