package content

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// Columns are `ctr content ls`'s, with what each blob is and who references
// it.
func Columns() []table.Column {
	return []table.Column{
		{Title: "DIGEST", Key: 'd', Flex: 2, Min: 19, Max: 71},
		{Title: "SIZE", Key: 's', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "AGE", Key: 'a', Width: 5, Numeric: true, Drop: 2},
		{Title: "MEDIA TYPE", Key: 'm', Flex: 2, Min: 14, Max: 56, Drop: 1},
		{Title: "IMAGES", Key: 'i', Flex: 2, Min: 12, Max: 40},
		{Title: "LABELS", Key: 'l', Flex: 1, Min: 8, Max: 40, Drop: 3},
	}
}

// Rows are the report's blobs, biggest first.
func Rows(rep backend.DiskReport, now time.Time) []table.Row {
	out := make([]table.Row, 0, len(rep.Content))
	for _, b := range rep.Content {
		images := "-"
		switch {
		case b.Unreferenced():
			images = "unreferenced: held by nothing (the next GC removes it)"
		case len(b.Images) > 0:
			images = b.Images[0]
			if len(b.Images) > 1 {
				images += fmt.Sprintf(" +%d", len(b.Images)-1)
			}
		default:
			images = b.Holders[0].String()
		}
		out = append(out, table.Row{
			ID:     b.Digest,
			Cells:  []string{b.Digest, humanize.Size(b.Size), humanize.Age(b.CreatedAt, now), MediaType(b), images, labels(b.Labels)},
			Num:    []int64{0, b.Size, -b.CreatedAt.Unix(), 0, 0, 0},
			Labels: b.Labels,
		})
	}
	return out
}

// MediaType is what the blob is: the media type the image record, an index
// or a manifest gives it; for a blob no image reaches, that it is unknown,
// with the kind its garbage-collection labels imply when they say one, and
// orphan when nothing holds it.
func MediaType(b backend.BlobInfo) string {
	switch {
	case b.MediaType != "":
		return b.MediaType
	case b.Unreferenced():
		return "unknown (orphan: no image references it)"
	case b.Kind != "" && b.Kind != backend.ItemUnknown:
		return "unknown (a " + string(b.Kind) + " by its labels; no image names it)"
	}
	return "unknown (no image names it)"
}

// labels is ctr's LABELS column: k=v sorted, comma-joined.
func labels(l map[string]string) string {
	if len(l) == 0 {
		return "-"
	}
	kv := make([]string, 0, len(l))
	for k, v := range l {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// Summary counts the blobs and the unreferenced ones.
func Summary(rep backend.DiskReport) string {
	var total, loose int64
	n := 0
	for _, b := range rep.Content {
		total += b.Size
		if b.Unreferenced() {
			n++
			loose += b.Size
		}
	}
	s := fmt.Sprintf("%d blobs, %s", len(rep.Content), humanize.Size(total))
	if n > 0 {
		s += fmt.Sprintf("; %d unreferenced (%s; :prune content collects them)", n, humanize.Size(loose))
	}
	return s
}
