package testbed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestWriteCtuiImage checks ctui's image layout without a daemon (the e2e
// test in cmd/ctui runs it on both): one named image index, a manifest per
// platform, the binary at CtuiImagePath as the entrypoint, the same bytes for
// the same input, and a dynamic binary refused.
func TestWriteCtuiImage(t *testing.T) {
	bb, err := BusyboxPath() // any static binary will do
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	img := CtuiImage{Ref: "localhost/ctui:" + ImageTag("v0.0.0-20260102030405-0123456789ab+dirty"), Version: "v0.0.0-20260102030405-0123456789ab+dirty",
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Binaries: map[string]string{"linux/arm64": bb, "linux/amd64": bb}}
	a, b := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	for _, p := range []string{a, b} {
		if err := WriteCtuiImage(p, img); err != nil {
			t.Fatal(err)
		}
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if !bytes.Equal(da, db) {
		t.Error("two builds of the same image differ")
	}

	files := tarFiles(t, bytes.NewReader(da))
	blob := func(d ocispec.Descriptor, v any) {
		t.Helper()
		if err := json.Unmarshal(files["blobs/sha256/"+d.Digest.Encoded()], v); err != nil {
			t.Fatalf("%s %s: %v", d.MediaType, d.Digest, err)
		}
	}
	var top ocispec.Index
	if err := json.Unmarshal(files["index.json"], &top); err != nil {
		t.Fatal(err)
	}
	if len(top.Manifests) != 1 || top.Manifests[0].MediaType != ocispec.MediaTypeImageIndex ||
		top.Manifests[0].Annotations[annotationImageName] != "localhost/ctui:v0.0.0-20260102030405-0123456789ab-dirty" ||
		top.Manifests[0].Annotations[ocispec.AnnotationRefName] != "v0.0.0-20260102030405-0123456789ab-dirty" {
		t.Fatalf("index.json: %+v", top)
	}
	var idx ocispec.Index
	blob(top.Manifests[0], &idx)
	var archs []string
	for _, md := range idx.Manifests {
		archs = append(archs, md.Platform.OS+"/"+md.Platform.Architecture)
		var m ocispec.Manifest
		blob(md, &m)
		var cfg ocispec.Image
		blob(m.Config, &cfg)
		if strings.Join(cfg.Config.Entrypoint, " ") != CtuiImagePath || cfg.Architecture != md.Platform.Architecture ||
			cfg.Config.Labels[ocispec.AnnotationVersion] != img.Version || len(m.Layers) != 1 || len(cfg.RootFS.DiffIDs) != 1 {
			t.Errorf("%s: manifest %+v config %+v", archs[len(archs)-1], m, cfg)
			continue
		}
		gz, err := gzip.NewReader(bytes.NewReader(files["blobs/sha256/"+m.Layers[0].Digest.Encoded()]))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := tarFiles(t, gz)[CtuiImagePath[1:]]; !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: the layer lacks the binary at %s", archs[len(archs)-1], CtuiImagePath)
		}
	}
	if strings.Join(archs, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("platforms %v", archs)
	}

	// A dynamically linked binary would not run in an image without libc.
	img.Binaries = map[string]string{"linux/amd64": "/usr/bin/ls"}
	if err := WriteCtuiImage(filepath.Join(dir, "c.tar"), img); err == nil || !strings.Contains(err.Error(), "static") {
		t.Errorf("a dynamic binary: %v", err)
	}
}

// tarFiles reads a tar into memory, by name.
func tarFiles(t *testing.T, r io.Reader) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if files[h.Name], err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
}
