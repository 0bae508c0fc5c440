package images

import (
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// pending marks a value still being computed in the background.
const pending = "…"

// detail is what the page knows of an image's content-costly values.
type detail struct {
	d      backend.ImageDetails
	failed bool
}

// row renders one image as a table row. det is nil while the details are
// still being fetched. now fixes "how long ago" so that rendering is pure.
func row(img backend.Image, det *detail, now time.Time) table.Row {
	size, plats := pending, pending
	var sizeNum int64 = -2 // sorts pending below unknown (-1) and 0
	if det != nil {
		size, plats, sizeNum = "-", "-", backend.SizeUnknown
		if !det.failed {
			size = humanize.Size(det.d.Size)
			sizeNum = det.d.Size
			if len(det.d.Platforms) > 0 {
				plats = strings.Join(det.d.Platforms, ",")
			}
		}
	}
	var created int64
	if !img.CreatedAt.IsZero() {
		created = img.CreatedAt.Unix()
	}
	return table.Row{
		ID:     img.Name,
		Cells:  []string{img.Name, shortDigest(img.Digest), size, plats, humanize.Age(img.CreatedAt, now)},
		Labels: img.Labels,
		Num:    []int64{0, 0, sizeNum, 0, created},
	}
}

// shortDigest keeps the algorithm and 12 hex digits, enough to tell images
// apart by eye and to paste into `ctr images ls | grep`.
func shortDigest(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok {
		return d
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return alg + ":" + hex
}
