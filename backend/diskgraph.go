package backend

import (
	"sort"
	"strings"
)

// gcRefs returns what an object's labels make the garbage collector follow:
// content digests and snapshots.
func gcRefs(labels map[string]string) (content []string, snaps []SnapshotRef) {
	for k, v := range labels {
		switch {
		case strings.HasPrefix(k, LabelGCRefContent):
			content = append(content, v)
		case strings.HasPrefix(k, LabelGCRefSnapshot):
			sn := strings.TrimPrefix(k, LabelGCRefSnapshot)
			if i := strings.IndexByte(sn, '/'); i >= 0 {
				sn = sn[:i]
			}
			snaps = append(snaps, SnapshotRef{Snapshotter: sn, Key: v})
		}
	}
	return content, snaps
}

// blobKindOfLabel reads what a content reference label says the blob is:
// .m. a manifest of an index, .config a config, .l. a layer.
func blobKindOfLabel(k string) ItemKind {
	rest := strings.TrimPrefix(k, LabelGCRefContent)
	switch {
	case strings.HasPrefix(rest, ".m."):
		return ItemManifest
	case rest == ".config":
		return ItemConfig
	case strings.HasPrefix(rest, ".l."):
		return ItemLayer
	}
	return ItemUnknown
}

// diskGraph is the inventory indexed for reachability as containerd's
// garbage collector walks it.
type diskGraph struct {
	blobs map[string]*ContentBlob
	snaps map[SnapshotRef]*Snapshot
}

func newDiskGraph(inv DiskInventory) *diskGraph {
	g := &diskGraph{blobs: make(map[string]*ContentBlob, len(inv.Content)), snaps: make(map[SnapshotRef]*Snapshot, len(inv.Snapshots))}
	for i := range inv.Content {
		g.blobs[inv.Content[i].Digest] = &inv.Content[i]
	}
	for i := range inv.Snapshots {
		g.snaps[inv.Snapshots[i].SnapshotRef] = &inv.Snapshots[i]
	}
	return g
}

// reach collects what the roots hold: content by labels, snapshots by labels
// and by parent. Only objects that exist are collected.
func (g *diskGraph) reach(content []string, snaps []SnapshotRef) (map[string]bool, map[SnapshotRef]bool) {
	cs, ss := map[string]bool{}, map[SnapshotRef]bool{}
	var visitSnap func(r SnapshotRef)
	var visitBlob func(d string)
	visitBlob = func(d string) {
		b, ok := g.blobs[d]
		if !ok || cs[d] {
			return
		}
		cs[d] = true
		c, s := gcRefs(b.Labels)
		for _, x := range c {
			visitBlob(x)
		}
		for _, x := range s {
			visitSnap(x)
		}
	}
	visitSnap = func(r SnapshotRef) {
		s, ok := g.snaps[r]
		if !ok || ss[r] {
			return
		}
		ss[r] = true
		c, sr := gcRefs(s.Labels)
		for _, x := range c {
			visitBlob(x)
		}
		for _, x := range sr {
			visitSnap(x)
		}
		if s.Parent != "" {
			visitSnap(SnapshotRef{Snapshotter: r.Snapshotter, Key: s.Parent})
		}
	}
	for _, d := range content {
		visitBlob(d)
	}
	for _, r := range snaps {
		visitSnap(r)
	}
	return cs, ss
}

// heldBy is what snapshot r holds: its parents and what labels name, as
// reach walks them (r itself may be among them: skip it); ok is false when
// r does not exist. A snapshot without reference labels (a container's
// writable layer) holds what its parent holds, which is walked once per
// parent and kept in memo; so thousands of containers on a few images cost
// one walk per image layer, not one per container.
func (g *diskGraph) heldBy(r SnapshotRef, memo map[SnapshotRef][]SnapshotRef) (held []SnapshotRef, ok bool) {
	s, ok := g.snaps[r]
	if !ok {
		return nil, false
	}
	walk := func(from SnapshotRef) []SnapshotRef {
		_, ss := g.reach(nil, []SnapshotRef{from})
		out := make([]SnapshotRef, 0, len(ss))
		for x := range ss {
			out = append(out, x)
		}
		return out
	}
	if c, sr := gcRefs(s.Labels); len(c)+len(sr) > 0 || s.Parent == "" {
		return walk(r), true
	}
	p := SnapshotRef{Snapshotter: r.Snapshotter, Key: s.Parent}
	if held, ok = memo[p]; !ok {
		held = walk(p)
		memo[p] = held
	}
	return held, true
}

// targets groups image names by target digest, names sorted.
func targets(imgs []Image) (order []string, names map[string][]string) {
	names = map[string][]string{}
	for _, im := range imgs {
		if im.Digest == "" {
			continue
		}
		if _, ok := names[im.Digest]; !ok {
			order = append(order, im.Digest)
		}
		names[im.Digest] = append(names[im.Digest], im.Name)
	}
	for _, n := range names {
		sort.Strings(n)
	}
	return order, names
}

// mediaKind is what a target media type is.
func mediaKind(mt string) ItemKind {
	switch {
	case strings.Contains(mt, "index") || strings.Contains(mt, "manifest.list"):
		return ItemIndex
	case strings.Contains(mt, "manifest"):
		return ItemManifest
	case strings.Contains(mt, "config"):
		return ItemConfig
	case strings.Contains(mt, "layer") || strings.Contains(mt, "rootfs"):
		return ItemLayer
	}
	return ItemUnknown
}

func dedupHolders(hs []Holder) []Holder {
	if len(hs) == 0 {
		return nil
	}
	seen := map[Holder]bool{}
	out := hs[:0:0]
	for _, h := range hs {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func sortSnapRefs(rs []SnapshotRef) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
}
