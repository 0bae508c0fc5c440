package registry

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image is an OCI image held in memory: its manifest and every blob the
// manifest names, ready to push.
type Image struct {
	Manifest     ocispec.Descriptor // the manifest's descriptor (digest, size, media type)
	ManifestJSON []byte
	Blobs        map[digest.Digest][]byte // config and layers
}

// TinyImage builds a one-layer image for the node's platform whose only file
// is /hello.txt containing note. Different notes give different digests,
// which lets a test tell which endpoint an image came from.
func TinyImage(note string) (Image, error) {
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	body := []byte(note + "\n")
	if err := tw.WriteHeader(&tar.Header{
		Name: "hello.txt", Mode: 0o644, Size: int64(len(body)),
		ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg,
	}); err != nil {
		return Image{}, err
	}
	if _, err := tw.Write(body); err != nil {
		return Image{}, err
	}
	if err := tw.Close(); err != nil {
		return Image{}, err
	}
	diffID := digest.FromBytes(tarBuf.Bytes())
	var gzBuf bytes.Buffer
	gz := gzip.NewWriter(&gzBuf)
	if _, err := gz.Write(tarBuf.Bytes()); err != nil {
		return Image{}, err
	}
	if err := gz.Close(); err != nil {
		return Image{}, err
	}
	layer := gzBuf.Bytes()

	epoch := time.Unix(0, 0).UTC()
	cfg := ocispec.Image{
		Created:  &epoch,
		Platform: ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH},
		Config:   ocispec.ImageConfig{Cmd: []string{"/bin/sh"}},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return Image{}, err
	}
	m := ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config: ocispec.Descriptor{
			MediaType: ocispec.MediaTypeImageConfig,
			Digest:    digest.FromBytes(cfgJSON), Size: int64(len(cfgJSON)),
		},
		Layers: []ocispec.Descriptor{{
			MediaType: ocispec.MediaTypeImageLayerGzip,
			Digest:    digest.FromBytes(layer), Size: int64(len(layer)),
		}},
	}
	mJSON, err := json.Marshal(m)
	if err != nil {
		return Image{}, err
	}
	return Image{
		Manifest: ocispec.Descriptor{
			MediaType: ocispec.MediaTypeImageManifest,
			Digest:    digest.FromBytes(mJSON), Size: int64(len(mJSON)),
		},
		ManifestJSON: mJSON,
		Blobs: map[digest.Digest][]byte{
			m.Config.Digest:    cfgJSON,
			m.Layers[0].Digest: layer,
		},
	}, nil
}

// Push uploads img as repo:tag with the registry API directly (monolithic
// blob uploads, then the manifest), not through the code under test, so a
// bug in ctui's resolver cannot hide behind a matching bug in the push.
func (r *Registry) Push(ctx context.Context, repo, tag string, img Image) error {
	client := r.Client()
	for d, blob := range img.Blobs {
		if err := r.pushBlob(ctx, client, repo, d, blob); err != nil {
			return err
		}
	}
	u := fmt.Sprintf("%s/v2/%s/manifests/%s", r.URL, repo, tag)
	req, err := r.request(ctx, http.MethodPut, u, img.ManifestJSON)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", img.Manifest.MediaType)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return statusErr(resp, "put manifest "+repo+":"+tag)
	}
	return nil
}

// PushTiny builds TinyImage(note) and pushes it as repo:tag.
func (r *Registry) PushTiny(ctx context.Context, repo, tag, note string) (Image, error) {
	img, err := TinyImage(note)
	if err != nil {
		return Image{}, err
	}
	return img, r.Push(ctx, repo, tag, img)
}

func (r *Registry) pushBlob(ctx context.Context, client *http.Client, repo string, d digest.Digest, blob []byte) error {
	req, err := r.request(ctx, http.MethodPost, fmt.Sprintf("%s/v2/%s/blobs/uploads/", r.URL, repo), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return statusErr(resp, "start upload of "+d.String())
	}
	loc, err := resp.Location()
	if err != nil {
		return fmt.Errorf("upload of %s: no Location: %w", d, err)
	}
	q := loc.Query()
	q.Set("digest", d.String())
	loc.RawQuery = q.Encode()
	req, err = r.request(ctx, http.MethodPut, loc.String(), blob)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return statusErr(resp, "put blob "+d.String())
	}
	return nil
}

func (r *Registry) request(ctx context.Context, method, u string, body []byte) (*http.Request, error) {
	if _, err := url.Parse(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	if r.User != "" {
		req.SetBasicAuth(r.User, r.Password)
	}
	return req, nil
}
