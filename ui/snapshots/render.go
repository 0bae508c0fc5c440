package snapshots

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/du"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// Columns are `ctr snapshots ls` and `usage` side by side, with what holds
// each snapshot.
func Columns() []table.Column {
	return []table.Column{
		{Title: "SNAPSHOTTER", Key: 'n', Width: 11, Drop: 3},
		{Title: "KEY", Key: 'k', Flex: 3, Min: 16, Max: 71},
		{Title: "PARENT", Key: 'a', Flex: 2, Min: 10, Max: 71, Drop: 2},
		{Title: "KIND", Key: 'i', Width: 9},
		{Title: "USAGE", Key: 'u', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "INODES", Key: 'o', Width: 7, Align: table.AlignRight, Numeric: true, Drop: 4},
		{Title: "HELD BY", Key: 'h', Flex: 2, Min: 12, Drop: 1},
	}
}

// Rows are the report's snapshots, biggest first.
func Rows(rep backend.DiskReport, _ time.Time) []table.Row {
	out := make([]table.Row, 0, len(rep.Snapshots))
	for _, s := range rep.Snapshots {
		out = append(out, row(s, s.Key))
	}
	return out
}

// TreeRows are the report's snapshots as parent chains, in `ctr snapshots
// tree`'s order: each under its parent, one step further right. A parent
// the snapshotter does not list is named, as ctr names it.
func TreeRows(rep backend.DiskReport, _ time.Time) []table.Row {
	nodes := backend.SnapshotTree(rep.Snapshots)
	out := make([]table.Row, 0, len(nodes))
	for _, n := range nodes {
		key := n.Key
		if n.Depth > 0 {
			branch := "├ "
			if n.Last {
				branch = "└ "
			}
			key = strings.Repeat("  ", n.Depth-1) + branch + key
		}
		if n.Missing {
			out = append(out, table.Row{
				ID:    n.SnapshotRef.String(),
				Cells: []string{n.Snapshotter, key, "-", "-", "-", "-", "not listed by the snapshotter (a parent named by its children)"},
				Num:   []int64{0, 0, 0, 0, -1, -1, 0},
			})
			continue
		}
		out = append(out, row(n.SnapshotInfo, key))
	}
	return out
}

func row(s backend.SnapshotInfo, key string) table.Row {
	usage, inodes, n, in := "-", "-", int64(-1), int64(-1)
	held := du.HeldBy(s.Holders)
	switch {
	case s.Usage.Known:
		usage, inodes, n, in = humanize.Size(s.Usage.Size), fmt.Sprint(s.Usage.Inodes), s.Usage.Size, s.Usage.Inodes
	case s.Usage.Reason != "":
		held += "; usage: " + s.Usage.Reason
	}
	return table.Row{
		ID:     s.SnapshotRef.String(),
		Cells:  []string{s.Snapshotter, key, orDash(s.Parent), string(s.Kind), usage, inodes, held},
		Num:    []int64{0, 0, 0, 0, n, in, 0},
		Labels: s.Labels,
	}
}

// Summary counts the snapshots per snapshotter, their usage and the orphans.
func Summary(rep backend.DiskReport) string {
	per := map[string]int{}
	var total int64
	orphans := 0
	for _, s := range rep.Snapshots {
		per[s.Snapshotter]++
		total += max(s.Usage.Size, 0)
		if s.Orphan() {
			orphans++
		}
	}
	var parts []string
	for sn, n := range per {
		parts = append(parts, fmt.Sprintf("%d in %s", n, sn))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		parts = append(parts, "no snapshots")
	}
	s := strings.Join(parts, ", ") + ", using " + humanize.Size(total)
	if orphans > 0 {
		s += fmt.Sprintf("; %d held by nothing (:prune content collects them)", orphans)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
