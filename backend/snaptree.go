package backend

import "sort"

// SnapshotNode is one line of a snapshot tree, as `ctr snapshots tree`
// prints it: a snapshot under its parent, one level deeper.
type SnapshotNode struct {
	SnapshotInfo
	// Depth is 0 for a snapshot without a parent (a base layer), its
	// parent's plus one otherwise.
	Depth int
	// Children counts the snapshots whose parent it is.
	Children int
	// Missing is true for a parent that some snapshot names but the
	// snapshotter does not list (ctr prints it as a placeholder).
	Missing bool
	// Last is true for the last child of its parent, for drawing └ rather
	// than ├.
	Last bool
}

// SnapshotTree orders snapshots as parent chains: per snapshotter (sorted),
// each snapshot without a parent followed by its children, depth first, keys
// sorted at each level, which is `ctr snapshots tree`'s order (it walks the
// store in key order). A parent named but not listed is a Missing node at
// the root, as ctr's placeholder. It makes no call.
func SnapshotTree(snaps []SnapshotInfo) []SnapshotNode {
	nodes := make(map[SnapshotRef]*SnapshotNode, len(snaps))
	children := map[SnapshotRef][]SnapshotRef{}
	var refs []SnapshotRef
	for _, s := range snaps {
		nodes[s.SnapshotRef] = &SnapshotNode{SnapshotInfo: s}
		refs = append(refs, s.SnapshotRef)
	}
	for _, s := range snaps {
		if s.Parent == "" {
			continue
		}
		p := SnapshotRef{Snapshotter: s.Snapshotter, Key: s.Parent}
		if _, ok := nodes[p]; !ok {
			nodes[p] = &SnapshotNode{SnapshotInfo: SnapshotInfo{Snapshot: Snapshot{SnapshotRef: p}}, Missing: true}
			refs = append(refs, p)
		}
		children[p] = append(children[p], s.SnapshotRef)
	}
	less := func(a, b SnapshotRef) bool {
		if a.Snapshotter != b.Snapshotter {
			return a.Snapshotter < b.Snapshotter
		}
		return a.Key < b.Key
	}
	sort.Slice(refs, func(i, j int) bool { return less(refs[i], refs[j]) })
	out := make([]SnapshotNode, 0, len(refs))
	done := make(map[SnapshotRef]bool, len(refs))
	var visit func(r SnapshotRef, depth int, last bool)
	visit = func(r SnapshotRef, depth int, last bool) {
		if done[r] { // a cycle cannot happen in a snapshotter; never loop on one
			return
		}
		done[r] = true
		n := nodes[r]
		n.Depth, n.Last = depth, last
		kids := children[r]
		sort.Slice(kids, func(i, j int) bool { return less(kids[i], kids[j]) })
		n.Children = len(kids)
		out = append(out, *n)
		for i, k := range kids {
			visit(k, depth+1, i == len(kids)-1)
		}
	}
	for _, r := range refs {
		if n := nodes[r]; n.Parent == "" {
			visit(r, 0, false)
		}
	}
	// Whatever a cycle kept from the roots still gets a line.
	for _, r := range refs {
		if !done[r] {
			visit(r, 0, false)
		}
	}
	return out
}
