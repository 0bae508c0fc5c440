package images

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
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
			size = formatSize(det.d.Size)
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
		Cells:  []string{img.Name, shortDigest(img.Digest), size, plats, age(img.CreatedAt, now)},
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

// formatSize prints a size as ctr does (base 1024, "%02.1f %s"), and "-" for
// content that is missing.
func formatSize(n int64) string {
	if n < 0 {
		return "-"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%02.1f %s", f, units[i])
}

// age is how long ago t was, in the largest whole unit, as k9s shows it:
// 45s, 12m, 5h, 3d, 2y. Zero times show "-".
func age(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := max(now.Sub(t), 0)
	switch {
	case d < 2*time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < 2*time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	case d < 2*365*24*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + "d"
	}
	return strconv.Itoa(int(d.Hours()/24/365)) + "y"
}
