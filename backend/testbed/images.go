package testbed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The test images, built from busybox-static with no registry involved.
const (
	// BusyboxImage runs a shell by default; every busybox applet is linked
	// in /bin.
	BusyboxImage = "localhost/test/busybox:latest"
	// PauseImage is the same busybox with a command that never exits; the
	// daemons use it as their pod sandbox image.
	PauseImage = "localhost/test/busybox:pause"
)

// annotationImageName is containerd's annotation for an image's full name in
// an OCI layout (images.AnnotationImageName); importers prefer it to the
// tag-only org.opencontainers.image.ref.name.
const annotationImageName = "io.containerd.image.name"

// imageTime is the creation time stamped on everything the test bed builds, so
// the same busybox always makes the same digests.
var imageTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// ImageSpec describes one image of a layout: its full reference and its
// config. All images of a layout share the busybox layer.
type ImageSpec struct {
	Ref    string            // full reference, e.g. localhost/test/busybox:latest
	Cmd    []string          // the default command
	Env    []string          // added to PATH=...
	Labels map[string]string // image config labels
}

// TestImages are BusyboxImage and PauseImage.
func TestImages() []ImageSpec {
	return []ImageSpec{
		{Ref: BusyboxImage, Cmd: []string{"sh"}},
		{Ref: PauseImage, Cmd: []string{"sleep", "2147483647"}},
	}
}

// BusyboxPath finds a statically linked busybox (Debian's busybox-static) to
// put in the test images; a dynamically linked one would not run in an image
// without a libc.
func BusyboxPath() (string, error) {
	var tried []string
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		static, err := isStatic(p)
		if err != nil {
			return "", err
		}
		if static {
			return p, nil
		}
		tried = append(tried, p+" is dynamically linked")
	}
	if len(tried) > 0 {
		return "", fmt.Errorf("no static busybox (%s); apt-get install -y busybox-static", strings.Join(tried, ", "))
	}
	return "", errors.New("busybox not found at /bin/busybox; apt-get install -y busybox-static")
}

func isStatic(path string) (bool, error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false, nil
		}
	}
	return true, nil
}

// blob is one content-addressed file of a layout: in memory or in a file.
type blob struct {
	desc ocispec.Descriptor
	data []byte
	path string
}

// layout collects the blobs and index of an OCI image layout before it is
// written as a tar that `ctr images import` and client.Import read.
type layout struct {
	blobs map[digest.Digest]blob
	order []digest.Digest
	index ocispec.Index
}

func newLayout() *layout {
	return &layout{
		blobs: map[digest.Digest]blob{},
		index: ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex},
	}
}

func (l *layout) addBytes(mediaType string, data []byte) ocispec.Descriptor {
	d := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	if _, ok := l.blobs[d.Digest]; !ok {
		l.blobs[d.Digest] = blob{desc: d, data: data}
		l.order = append(l.order, d.Digest)
	}
	return d
}

func (l *layout) addLayerBytes(d ocispec.Descriptor, data []byte) {
	if _, ok := l.blobs[d.Digest]; !ok {
		l.blobs[d.Digest] = blob{desc: d, data: data}
		l.order = append(l.order, d.Digest)
	}
}

func (l *layout) addFile(d ocispec.Descriptor, path string) {
	if _, ok := l.blobs[d.Digest]; !ok {
		l.blobs[d.Digest] = blob{desc: d, path: path}
		l.order = append(l.order, d.Digest)
	}
}

func (l *layout) addJSON(mediaType string, v any) (ocispec.Descriptor, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return l.addBytes(mediaType, b), nil
}

// layer is a layer blob with the digest of its uncompressed tar.
type layer struct {
	desc   ocispec.Descriptor
	diffID digest.Digest
}

// addImage adds a manifest and config for spec over layers, and names it in
// the index.
func (l *layout) addImage(spec ImageSpec, layers []layer) error {
	named, err := reference.ParseNormalizedNamed(spec.Ref)
	if err != nil {
		return fmt.Errorf("image reference %q: %w", spec.Ref, err)
	}
	tag := "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	platform := ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
	created := imageTime
	cfg := ocispec.Image{
		Created:  &created,
		Platform: platform,
		Config: ocispec.ImageConfig{
			Env:        append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, spec.Env...),
			Cmd:        spec.Cmd,
			WorkingDir: "/",
			Labels:     spec.Labels,
		},
		RootFS: ocispec.RootFS{Type: "layers"},
	}
	m := ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest}
	for _, ly := range layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, ly.diffID)
		cfg.History = append(cfg.History, ocispec.History{Created: &created, CreatedBy: "ctui testbed"})
		m.Layers = append(m.Layers, ly.desc)
	}
	if m.Config, err = l.addJSON(ocispec.MediaTypeImageConfig, cfg); err != nil {
		return err
	}
	md, err := l.addJSON(ocispec.MediaTypeImageManifest, m)
	if err != nil {
		return err
	}
	md.Platform = &platform
	md.Annotations = map[string]string{
		annotationImageName:       named.String(),
		ocispec.AnnotationRefName: tag,
	}
	l.index.Manifests = append(l.index.Manifests, md)
	return nil
}

// writeTar writes the layout as a tar stream.
func (l *layout) writeTar(w io.Writer) error {
	tw := tar.NewWriter(w)
	file := func(name string, size int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: size, ModTime: imageTime, Format: tar.FormatPAX})
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: imageTime, Format: tar.FormatPAX}); err != nil {
			return err
		}
	}
	for _, dg := range l.order {
		b := l.blobs[dg]
		if err := file("blobs/sha256/"+dg.Encoded(), b.desc.Size); err != nil {
			return err
		}
		if b.path == "" {
			if _, err := tw.Write(b.data); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(b.path)
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("copy layer %s: %w", b.path, err)
		}
	}
	idx, err := json.Marshal(l.index)
	if err != nil {
		return err
	}
	ociLayout := []byte(`{"imageLayoutVersion":"` + ocispec.ImageLayoutVersion + `"}`)
	for _, f := range []struct {
		name string
		data []byte
	}{{ocispec.ImageLayoutFile, ociLayout}, {ocispec.ImageIndexFile, idx}} {
		if err := file(f.name, int64(len(f.data))); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// layerWriter writes a gzip-compressed layer tar while hashing both the
// compressed blob (digest) and the tar (diff id).
type layerWriter struct {
	Tar      *tar.Writer
	gz       *gzip.Writer
	blobHash hash.Hash
	tarHash  hash.Hash
	count    *countWriter
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newLayerWriter(out io.Writer, level int) (*layerWriter, error) {
	lw := &layerWriter{blobHash: sha256.New(), tarHash: sha256.New()}
	lw.count = &countWriter{w: io.MultiWriter(out, lw.blobHash)}
	gz, err := gzip.NewWriterLevel(lw.count, level)
	if err != nil {
		return nil, err
	}
	lw.gz = gz
	lw.Tar = tar.NewWriter(io.MultiWriter(gz, lw.tarHash))
	return lw, nil
}

func (lw *layerWriter) close() (layer, error) {
	if err := lw.Tar.Close(); err != nil {
		return layer{}, err
	}
	if err := lw.gz.Close(); err != nil {
		return layer{}, err
	}
	return layer{
		desc: ocispec.Descriptor{
			MediaType: ocispec.MediaTypeImageLayerGzip,
			Digest:    digest.NewDigestFromBytes(digest.SHA256, lw.blobHash.Sum(nil)),
			Size:      lw.count.n,
		},
		diffID: digest.NewDigestFromBytes(digest.SHA256, lw.tarHash.Sum(nil)),
	}, nil
}

// busyboxLayer builds the layer every test image shares: a static busybox in
// /bin with a link per applet it lists, and the few files tools expect.
func busyboxLayer() (layer, []byte, error) {
	bbPath, err := BusyboxPath()
	if err != nil {
		return layer{}, nil, err
	}
	bb, err := os.ReadFile(bbPath)
	if err != nil {
		return layer{}, nil, err
	}
	out, err := exec.Command(bbPath, "--list").Output()
	if err != nil {
		return layer{}, nil, fmt.Errorf("%s --list: %w", bbPath, err)
	}
	applets := strings.Fields(string(out))
	sort.Strings(applets)

	var buf bytes.Buffer
	lw, err := newLayerWriter(&buf, gzip.DefaultCompression)
	if err != nil {
		return layer{}, nil, err
	}
	hdr := func(h *tar.Header) error {
		h.ModTime, h.Format = imageTime, tar.FormatPAX
		return lw.Tar.WriteHeader(h)
	}
	for _, d := range []struct {
		name string
		mode int64
	}{{"bin/", 0o755}, {"dev/", 0o755}, {"etc/", 0o755}, {"proc/", 0o555}, {"root/", 0o700}, {"sys/", 0o555}, {"tmp/", 0o1777}, {"usr/", 0o755}, {"usr/bin/", 0o755}, {"var/", 0o755}} {
		if err := hdr(&tar.Header{Typeflag: tar.TypeDir, Name: d.name, Mode: d.mode}); err != nil {
			return layer{}, nil, err
		}
	}
	if err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb))}); err != nil {
		return layer{}, nil, err
	}
	if _, err := lw.Tar.Write(bb); err != nil {
		return layer{}, nil, err
	}
	for _, a := range applets {
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		if err := hdr(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777}); err != nil {
			return layer{}, nil, err
		}
	}
	if err := hdr(&tar.Header{Typeflag: tar.TypeSymlink, Name: "usr/bin/env", Linkname: "/bin/busybox", Mode: 0o777}); err != nil {
		return layer{}, nil, err
	}
	for _, f := range []struct{ name, data string }{
		{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
		{"etc/group", "root:x:0:\nnogroup:x:65534:\n"},
		{"etc/hostname", "busybox\n"},
	} {
		if err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.data))}); err != nil {
			return layer{}, nil, err
		}
		if _, err := lw.Tar.Write([]byte(f.data)); err != nil {
			return layer{}, nil, err
		}
	}
	ly, err := lw.close()
	return ly, buf.Bytes(), err
}

// ImageLayoutTar writes an OCI image layout tar holding the given images (the
// test images when none are given), each a single busybox layer, ready for
// `ctr images import` or client.Import. The output is deterministic for a
// given busybox.
func ImageLayoutTar(w io.Writer, images ...ImageSpec) error {
	if len(images) == 0 {
		images = TestImages()
	}
	l := newLayout()
	bb, data, err := busyboxLayer()
	if err != nil {
		return err
	}
	l.addLayerBytes(bb.desc, data)
	for _, im := range images {
		if err := l.addImage(im, []layer{bb}); err != nil {
			return err
		}
	}
	return l.writeTar(w)
}

// WriteTestImages writes ImageLayoutTar of the test images to path.
func WriteTestImages(path string) error {
	return writeFile(path, func(w io.Writer) error { return ImageLayoutTar(w) })
}

// WriteSizedImage writes to path an OCI layout tar of one image, ref, made of
// the busybox layer plus layers layers of layerBytes random, incompressible
// bytes each, for benchmarks of pulls, imports, exports and sizes. It runs
// like BusyboxImage. Layers are staged next to path while they are hashed.
func WriteSizedImage(path, ref string, layers int, layerBytes int64) error {
	if layers < 0 || layerBytes < 0 {
		return fmt.Errorf("sized image: need layers >= 0 and layerBytes >= 0, got %d and %d", layers, layerBytes)
	}
	stage, err := os.MkdirTemp(filepath.Dir(path), ".ctui-layers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)

	l := newLayout()
	bb, data, err := busyboxLayer()
	if err != nil {
		return err
	}
	l.addLayerBytes(bb.desc, data)
	all := []layer{bb}
	// Seeded by the reference, so one ref always has the same digests and
	// different refs share no layers.
	seed := sha256.Sum256([]byte(ref))
	rng := rand.NewChaCha8(seed)
	for i := range layers {
		p := filepath.Join(stage, fmt.Sprintf("layer-%d", i))
		ly, err := randomLayer(p, rng, i, layerBytes)
		if err != nil {
			return err
		}
		l.addFile(ly.desc, p)
		all = append(all, ly)
	}
	if err := l.addImage(ImageSpec{Ref: ref, Cmd: []string{"sh"}}, all); err != nil {
		return err
	}
	return writeFile(path, l.writeTar)
}

func randomLayer(path string, rng *rand.ChaCha8, i int, size int64) (layer, error) {
	f, err := os.Create(path)
	if err != nil {
		return layer{}, err
	}
	defer f.Close()
	// Random data does not compress: store it, gzip-framed, to save time.
	lw, err := newLayerWriter(f, gzip.NoCompression)
	if err != nil {
		return layer{}, err
	}
	name := fmt.Sprintf("data/layer-%03d.bin", i)
	if err := lw.Tar.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "data/", Mode: 0o755, ModTime: imageTime, Format: tar.FormatPAX}); err != nil {
		return layer{}, err
	}
	if err := lw.Tar.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: size, ModTime: imageTime, Format: tar.FormatPAX}); err != nil {
		return layer{}, err
	}
	buf := make([]byte, 1<<20)
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		_, _ = rng.Read(buf[:n]) // never fails
		if _, err := lw.Tar.Write(buf[:n]); err != nil {
			return layer{}, err
		}
		left -= n
	}
	ly, err := lw.close()
	if err != nil {
		return layer{}, err
	}
	return ly, f.Close()
}

// writeFile writes path through a temporary file renamed into place.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ctui-image-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
