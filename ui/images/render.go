package images

import (
	"strconv"
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

// extra is what a row shows besides the image and its details.
type extra struct {
	used    int               // containers using the image; -1 while unknown
	withCRI bool              // k8s.io: show CRI's view
	cri     *backend.CRIImage // CRI's view of the image; nil if CRI does not know it
}

// row renders one image as a table row. det is nil while the details are
// still being fetched. now fixes "how long ago" so that rendering is pure.
func row(img backend.Image, det *detail, x extra, now time.Time) table.Row {
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
	used := pending
	if x.used >= 0 {
		used = strconv.Itoa(x.used)
	}
	cells := []string{colRef: img.Name, colDigest: shortDigest(img.Digest), colSize: size, colPlatforms: plats,
		colCreated: humanize.Age(img.CreatedAt, now), colUsedBy: used}
	num := []int64{colSize: sizeNum, colCreated: created, colUsedBy: int64(x.used), colImageID: 0}
	if x.withCRI {
		pinned, id := "-", "-"
		if x.cri != nil {
			pinned, id = strconv.FormatBool(x.cri.Pinned), shortID(x.cri.ID)
		}
		cells = append(cells, pinned, id)
	}
	return table.Row{ID: img.Name, Cells: cells, Labels: img.Labels, Num: num}
}

// shortID is an image id as `crictl images` prints it: without "sha256:",
// 13 characters.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 13 {
		id = id[:13]
	}
	return id
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
