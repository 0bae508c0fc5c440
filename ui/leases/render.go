package leases

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// Columns are `ctr leases ls`'s, with what each lease holds and whether it
// looks left behind.
func Columns() []table.Column {
	return []table.Column{
		{Title: "ID", Key: 'i', Flex: 2, Min: 14, Max: 40},
		{Title: "CREATED", Key: 'c', Width: 7, Numeric: true},
		{Title: "EXPIRES", Key: 'e', Width: 7, Numeric: true, Drop: 3},
		{Title: "HOLDS", Key: 'h', Flex: 2, Min: 12, Drop: 2},
		{Title: "SIZE", Key: 's', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "STATE", Key: 't', Flex: 2, Min: 8},
		{Title: "LABELS", Key: 'l', Flex: 1, Min: 8, Max: 40, Drop: 1},
	}
}

// IngestPrefix marks the rows of open ingests no lease holds.
const IngestPrefix = "ingest:"

// Rows are the leases, oldest first, then the ingests no lease holds.
func Rows(rep backend.DiskReport, now time.Time) []table.Row {
	out := make([]table.Row, 0, len(rep.Leases)+len(rep.OrphanIngests))
	for _, l := range rep.Leases {
		size := humanize.Size(l.Size)
		if !l.SizeKnown {
			size = "≥ " + size
		}
		exp := l.Expiry()
		expires := "never"
		if !exp.IsZero() {
			expires = until(exp, now)
		}
		out = append(out, table.Row{
			ID:     l.ID,
			Cells:  []string{l.ID, humanize.Age(l.CreatedAt, now), expires, holds(l), size, State(l), labels(l.Labels)},
			Num:    []int64{0, -l.CreatedAt.Unix(), exp.Unix(), 0, l.Size, 0, 0},
			Labels: l.Labels,
		})
	}
	for _, in := range rep.OrphanIngests {
		out = append(out, table.Row{
			ID:    IngestPrefix + in.Ref,
			Cells: []string{"(no lease)", humanize.Age(in.StartedAt, now), "-", "ingest " + in.Ref, humanize.Size(in.Offset), "open ingest held by no lease (moved " + humanize.Age(in.UpdatedAt, now) + " ago)", "-"},
			Num:   []int64{0, -in.StartedAt.Unix(), 0, 0, in.Offset, 0, 0},
		})
	}
	return out
}

// State says whether a lease looks left behind.
func State(l backend.LeaseInfo) string {
	switch {
	case l.Expired:
		return "expired: the next GC ignores it (:prune content removes it)"
	case l.Stale && len(l.Ingests) > 0:
		return "left behind: an interrupted pull (its downloads stopped)"
	case l.Stale:
		return "old: held past " + backend.DefaultStaleAge.String() + " (an interrupted pull or import?)"
	case l.Expiry().IsZero():
		return "held on purpose (no expiry)"
	}
	return "in use"
}

func holds(l backend.LeaseInfo) string {
	count := map[string]int{}
	for _, r := range l.Resources {
		t := r.Type
		if strings.HasPrefix(t, "snapshots/") {
			t = "snapshot"
		}
		count[strings.TrimSuffix(t, "s")]++
	}
	if len(count) == 0 {
		return "nothing"
	}
	var parts []string
	for t, n := range count {
		parts = append(parts, fmt.Sprintf("%d %s", n, t))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func until(t, now time.Time) string {
	if !t.After(now) {
		return "expired"
	}
	return "in " + humanize.Age(now, t)
}

func labels(l map[string]string) string {
	if len(l) == 0 {
		return "-"
	}
	kv := make([]string, 0, len(l))
	for k, v := range l {
		if k == backend.LabelGCExpire {
			continue
		}
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	if len(kv) == 0 {
		return "-"
	}
	return strings.Join(kv, ",")
}

// Summary counts the leases and those left behind.
func Summary(rep backend.DiskReport) string {
	old := 0
	var size int64
	for _, l := range rep.Leases {
		if l.Expired || l.Stale {
			old++
			size += l.Size
		}
	}
	s := fmt.Sprintf("%d leases", len(rep.Leases))
	if old > 0 {
		s += fmt.Sprintf("; %d expired or left behind, holding %s (:prune content)", old, humanize.Size(size))
	}
	if n := len(rep.OrphanIngests); n > 0 {
		s += fmt.Sprintf("; %d ingests no lease holds", n)
	}
	return s
}
