package prune

import (
	"fmt"
	"strings"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// Columns are the preview table's.
func Columns() []table.Column {
	return []table.Column{
		{Title: "PLAN", Key: 'a', Width: 7},
		{Title: "NAMESPACE", Key: 'n', Width: 10, Drop: 2},
		{Title: "WHAT", Key: 'w', Flex: 3, Min: 20},
		{Title: "FREES", Key: 'f', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "WHY", Key: 'y', Flex: 2, Min: 12, Drop: 1},
	}
}

func row(id, plan, ns, what string, frees int64, known bool, why string) table.Row {
	size := humanize.Size(frees)
	if !known {
		size = "≥ " + size
	}
	if frees < 0 {
		size, frees = "-", -1
	}
	return table.Row{ID: id, Cells: []string{plan, ns, what, size, why}, Num: []int64{0, 0, 0, frees, 0}}
}

func names(ns []string) string {
	if len(ns) <= 1 {
		return strings.Join(ns, "")
	}
	return fmt.Sprintf("%s (+%d names)", ns[0], len(ns)-1)
}

// Rows are the plan's lines: what goes first (biggest first), then what stays
// and why.
func Rows(p Plan) []table.Row {
	var out []table.Row
	switch p.What {
	case Images:
		for _, r := range p.Images.Remove {
			out = append(out, row("rm:"+r.Namespace+":"+r.Target, "remove", r.Namespace, names(r.Names), r.Reclaim, !r.Partial, "no container uses it"))
		}
		for _, k := range p.Images.Keep {
			out = append(out, row("keep:"+k.Namespace+":"+k.Target, "keep", k.Namespace, names(k.Names), -1, true, k.Reason))
		}
	case Containers:
		for _, c := range p.Containers.Remove {
			what, why := "container "+c.ID, "stopped (ctr containers rm)"
			if c.CRI {
				what, why = "container "+c.Name+" ("+backend.TruncID(c.ID)+")", "exited (crictl rm)"
			}
			out = append(out, row("rm:"+c.Namespace+":"+c.ID, "remove", c.Namespace, what, c.Reclaim, c.Known, why))
		}
		for _, k := range p.Containers.Keep {
			out = append(out, row("keep:"+k.What, "keep", "", k.What, -1, true, k.Reason))
		}
	case Content:
		for _, cp := range p.Content {
			for _, l := range cp.Leases {
				why := l.Reason
				if len(l.Ingests) > 0 {
					why += fmt.Sprintf("; %d ingest(s)", len(l.Ingests))
				}
				out = append(out, row("lease:"+cp.Namespace+":"+l.ID, "delete", cp.Namespace, "lease "+l.ID, l.Reclaim, true, why))
			}
			for _, in := range cp.Ingests {
				out = append(out, row("ingest:"+cp.Namespace+":"+in.Ref, "abort", cp.Namespace, "ingest "+in.Ref, in.Offset, true, "no lease holds it and it has not moved"))
			}
			for _, b := range cp.Blobs {
				out = append(out, row("blob:"+cp.Namespace+":"+b.Digest, "gc", cp.Namespace, string(b.Kind)+" "+b.Digest, b.Size, true, "held by nothing"))
			}
			for _, s := range cp.Snapshots {
				out = append(out, row("snap:"+cp.Namespace+":"+s.SnapshotRef.String(), "gc", cp.Namespace, "snapshot "+s.SnapshotRef.String(), s.Usage.Size, s.Usage.Known, "held by nothing"))
			}
			for _, k := range cp.KeptLeases {
				out = append(out, row("keep:"+cp.Namespace+":"+k.What, "keep", cp.Namespace, k.What, -1, true, k.Reason))
			}
		}
	}
	return out
}

// Summary is the line above the table: what the prune will do and free.
func Summary(p Plan) string {
	frees := func(n int64, partial bool) string {
		s := humanize.Size(n)
		if partial {
			s = "at least " + s
		}
		return s
	}
	switch p.What {
	case Images:
		n := 0
		for _, r := range p.Images.Remove {
			n += len(r.Names)
		}
		if len(p.Images.Remove) == 0 {
			return fmt.Sprintf("nothing to prune: every image is in use or pinned (%d kept, why below)", len(p.Images.Keep))
		}
		return fmt.Sprintf("will remove %d images (%d names) no container uses, freeing %s; keeps %d (why below)",
			len(p.Images.Remove), n, frees(p.Images.Reclaim, p.Images.Partial), len(p.Images.Keep))
	case Containers:
		if len(p.Containers.Remove) == 0 {
			return "nothing to prune: no stopped container (CRI ones exited more than " + p.Containers.MinAge.String() + " ago)"
		}
		return fmt.Sprintf("will remove %d stopped containers with their writable layers, freeing %s",
			len(p.Containers.Remove), frees(p.Containers.Reclaim, p.Containers.Partial))
	case Content:
		var leases, ingests, gc int
		var total int64
		partial := false
		for _, cp := range p.Content {
			leases, ingests, gc = leases+len(cp.Leases), ingests+len(cp.Ingests), gc+len(cp.Blobs)+len(cp.Snapshots)
			total += cp.Reclaim
			partial = partial || cp.Partial
		}
		return fmt.Sprintf("will delete %d expired or left-behind leases, abort %d ingests, then collect garbage (%d blobs and snapshots held by nothing), freeing %s",
			leases, ingests, gc, frees(total, partial))
	}
	return ""
}

// empty reports whether the plan removes nothing (a content prune still
// collects garbage).
func empty(p Plan) bool {
	switch p.What {
	case Images:
		return len(p.Images.Remove) == 0
	case Containers:
		return len(p.Containers.Remove) == 0
	}
	return false
}
