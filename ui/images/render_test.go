package images

import (
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

func TestShortDigest(t *testing.T) {
	tests := map[string]string{
		"sha256:0123456789abcdef0123": "sha256:0123456789ab",
		"sha256:0123":                 "sha256:0123",
		"":                            "",
		"nodigest":                    "nodigest",
	}
	for in, want := range tests {
		if got := shortDigest(in); got != want {
			t.Errorf("shortDigest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRow(t *testing.T) {
	now := testclock.Now()
	img := backend.Image{Name: "docker.io/library/busybox:1.36", Digest: "sha256:aaaaaaaaaaaaaaaaaaaa", CreatedAt: now.Add(-3 * time.Hour)}
	tests := []struct {
		name string
		det  *detail
		want string
	}{
		{"pending", nil, "docker.io/library/busybox:1.36|sha256:aaaaaaaaaaaa|…|…|3h|…"},
		{"known", &detail{d: backend.ImageDetails{Size: 2 << 20, Platforms: []string{"linux/amd64", "linux/arm64"}}}, "docker.io/library/busybox:1.36|sha256:aaaaaaaaaaaa|2.0 MiB|linux/amd64,linux/arm64|3h|…"},
		{"content missing", &detail{d: backend.ImageDetails{Size: backend.SizeUnknown}}, "docker.io/library/busybox:1.36|sha256:aaaaaaaaaaaa|-|-|3h|…"},
		{"failed", &detail{failed: true}, "docker.io/library/busybox:1.36|sha256:aaaaaaaaaaaa|-|-|3h|…"},
	}
	for _, tt := range tests {
		r := row(img, tt.det, extra{used: -1}, now)
		if got := strings.Join(r.Cells, "|"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if r.ID != img.Name {
			t.Errorf("%s: ID %q", tt.name, r.ID)
		}
	}
}
