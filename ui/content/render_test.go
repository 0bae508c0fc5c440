package content

import (
	"testing"

	"github.com/ctui/ctui/backend"
)

// The MEDIA TYPE column: the type an image gives the blob, else unknown,
// saying orphan when nothing holds it and the labels' kind when they say one.
func TestMediaType(t *testing.T) {
	held := []backend.Holder{{Kind: backend.HeldByRoot}}
	for _, tc := range []struct {
		b    backend.BlobInfo
		want string
	}{
		{backend.BlobInfo{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Kind: backend.ItemLayer, Holders: held}, "application/vnd.oci.image.layer.v1.tar+gzip"},
		{backend.BlobInfo{Kind: backend.ItemUnknown}, "unknown (orphan: no image references it)"},
		{backend.BlobInfo{Kind: backend.ItemConfig, Holders: held}, "unknown (a config by its labels; no image names it)"},
		{backend.BlobInfo{Kind: backend.ItemUnknown, Holders: held}, "unknown (no image names it)"},
	} {
		if got := MediaType(tc.b); got != tc.want {
			t.Errorf("MediaType(%+v) = %q, want %q", tc.b, got, tc.want)
		}
	}
}
