package registry

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// TestVariants starts each variant, pushes the tiny image and reads its
// manifest back with the harness's own client: the harness works before
// anything is tested through it.
func TestVariants(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"plain", Options{}},
		{"auth", Options{User: "alice", Password: "s3cret-pw"}},
		{"tls", Options{TLS: true}},
		{"mtls+auth", Options{ClientCerts: true, User: "bob", Password: "pw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := New(t, tc.opts)
			img, err := r.PushTiny(context.Background(), "test/tiny", "v1", tc.name)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := r.request(context.Background(), http.MethodGet, r.URL+"/v2/test/tiny/manifests/v1", nil)
			req.Header.Set("Accept", img.Manifest.MediaType)
			resp, err := r.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || string(b) != string(img.ManifestJSON) {
				t.Fatalf("GET manifest: %s %s", resp.Status, b)
			}
			if tc.opts.User != "" {
				resp, err := r.Client().Get(r.URL + "/v2/")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("anonymous /v2/: %s, want 401", resp.Status)
				}
			}
		})
	}
}
