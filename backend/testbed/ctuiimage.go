package testbed

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// CtuiImagePath is where ctui's image keeps the binary, its entrypoint.
const CtuiImagePath = "/usr/local/bin/ctui"

// CtuiImage describes the container image of ctui that `make image` ships,
// for nodes where nothing may be copied: `kubectl debug node/NAME -it
// --image=...` runs it with the node's root at /host, where ctui finds the
// node's socket. It is built with the layout writer of the test images: one
// layer per platform holding the static binary, no base image.
type CtuiImage struct {
	// Ref is the image's full name, e.g. localhost/ctui:v1.2.0.
	Ref string
	// Version is ctui's version, for the image's version label.
	Version string
	// Created is stamped on the image; the commit's time keeps the image
	// the same for the same binaries.
	Created time.Time
	// Binaries maps a platform ("linux/amd64") to its static ctui binary.
	Binaries map[string]string
}

// ImageTag turns a version into an image tag: a tag takes no '+', so
// v0.0.0-...+dirty becomes v0.0.0-...-dirty.
func ImageTag(version string) string {
	return strings.ReplaceAll(version, "+", "-")
}

// WriteCtuiImage writes img as an OCI image layout tar, which `ctr images
// import` and client.Import load: index.json names one image index with a
// manifest per platform, so the same file serves amd64 and arm64 nodes.
// Layers are staged next to out while they are hashed.
func WriteCtuiImage(out string, img CtuiImage) error {
	named, err := reference.ParseNormalizedNamed(img.Ref)
	if err != nil {
		return fmt.Errorf("image reference %q: %w", img.Ref, err)
	}
	tag := "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	if len(img.Binaries) == 0 {
		return fmt.Errorf("image %s: no binary given", img.Ref)
	}
	stage, err := os.MkdirTemp(filepath.Dir(out), ".ctui-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)

	l := newLayout()
	idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex}
	keys := make([]string, 0, len(img.Binaries))
	for k := range img.Binaries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	created := img.Created.UTC()
	for i, key := range keys {
		p, err := platforms.Parse(key)
		if err != nil {
			return fmt.Errorf("platform %q: %w", key, err)
		}
		ly, err := binaryLayer(filepath.Join(stage, fmt.Sprint(i)), img.Binaries[key], created)
		if err != nil {
			return err
		}
		l.addFile(ly.desc, filepath.Join(stage, fmt.Sprint(i)))
		platform := ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
		cfg := ocispec.Image{
			Created:  &created,
			Platform: platform,
			Config: ocispec.ImageConfig{
				Entrypoint: []string{CtuiImagePath},
				Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				WorkingDir: "/",
				Labels: map[string]string{
					ocispec.AnnotationTitle:   "ctui",
					ocispec.AnnotationVersion: img.Version,
				},
			},
			RootFS:  ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{ly.diffID}},
			History: []ocispec.History{{Created: &created, CreatedBy: "make image: static ctui at " + CtuiImagePath}},
		}
		cd, err := l.addJSON(ocispec.MediaTypeImageConfig, cfg)
		if err != nil {
			return err
		}
		md, err := l.addJSON(ocispec.MediaTypeImageManifest, ocispec.Manifest{
			Versioned: specs.Versioned{SchemaVersion: 2},
			MediaType: ocispec.MediaTypeImageManifest,
			Config:    cd,
			Layers:    []ocispec.Descriptor{ly.desc},
		})
		if err != nil {
			return err
		}
		md.Platform = &platform
		idx.Manifests = append(idx.Manifests, md)
	}
	id, err := l.addJSON(ocispec.MediaTypeImageIndex, idx)
	if err != nil {
		return err
	}
	id.Annotations = map[string]string{
		annotationImageName:       named.String(),
		ocispec.AnnotationRefName: tag,
	}
	l.index.Manifests = []ocispec.Descriptor{id}
	return writeFile(out, l.writeTar)
}

// binaryLayer writes to blobPath a gzip layer holding the binary at
// CtuiImagePath and a /tmp (ctui's debug log goes there).
func binaryLayer(blobPath, binary string, created time.Time) (layer, error) {
	bin, err := os.Open(binary)
	if err != nil {
		return layer{}, err
	}
	defer bin.Close()
	fi, err := bin.Stat()
	if err != nil {
		return layer{}, err
	}
	if !fi.Mode().IsRegular() {
		return layer{}, fmt.Errorf("%s is not a regular file", binary)
	}
	static, err := isStatic(binary)
	if err != nil {
		return layer{}, err
	}
	if !static {
		return layer{}, fmt.Errorf("%s must be a static binary (make build writes one): an image without a libc cannot run it", binary)
	}
	f, err := os.Create(blobPath)
	if err != nil {
		return layer{}, err
	}
	defer f.Close()
	lw, err := newLayerWriter(f, gzip.DefaultCompression)
	if err != nil {
		return layer{}, err
	}
	hdr := func(h *tar.Header) error {
		h.ModTime, h.Format = created, tar.FormatPAX
		return lw.Tar.WriteHeader(h)
	}
	for _, d := range []struct {
		name string
		mode int64
	}{{"tmp/", 0o1777}, {"usr/", 0o755}, {"usr/local/", 0o755}, {"usr/local/bin/", 0o755}} {
		if err := hdr(&tar.Header{Typeflag: tar.TypeDir, Name: d.name, Mode: d.mode}); err != nil {
			return layer{}, err
		}
	}
	if err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(CtuiImagePath, "/"), Mode: 0o755, Size: fi.Size()}); err != nil {
		return layer{}, err
	}
	if _, err := io.Copy(lw.Tar, bin); err != nil {
		return layer{}, fmt.Errorf("copy %s: %w", binary, err)
	}
	ly, err := lw.close()
	if err != nil {
		return layer{}, err
	}
	return ly, f.Close()
}
