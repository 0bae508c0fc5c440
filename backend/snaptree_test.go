package backend

import (
	"fmt"
	"slices"
	"testing"
)

// SnapshotTree is ctr's tree order: roots and children by key, depth first,
// per snapshotter, a named but missing parent as a placeholder root. The
// real daemons' trees are compared with `ctr snapshots tree` in
// backend/containerd.
func TestSnapshotTree(t *testing.T) {
	snap := func(sn, key, parent string) SnapshotInfo {
		return SnapshotInfo{Snapshot: Snapshot{SnapshotRef: SnapshotRef{Snapshotter: sn, Key: key}, Parent: parent}}
	}
	in := []SnapshotInfo{
		snap("overlayfs", "c2", "b"),
		snap("overlayfs", "b", "a"),
		snap("overlayfs", "a", ""),
		snap("overlayfs", "c1", "b"),
		snap("overlayfs", "x", "gone"),
		snap("native", "n1", ""),
		snap("overlayfs", "d", "a"),
	}
	var got []string
	for _, n := range SnapshotTree(in) {
		got = append(got, fmt.Sprintf("%s %d %s kids=%d last=%v missing=%v", n.Snapshotter, n.Depth, n.Key, n.Children, n.Last, n.Missing))
	}
	want := []string{
		"native 0 n1 kids=0 last=false missing=false",
		"overlayfs 0 a kids=2 last=false missing=false",
		"overlayfs 1 b kids=2 last=false missing=false",
		"overlayfs 2 c1 kids=0 last=false missing=false",
		"overlayfs 2 c2 kids=0 last=true missing=false",
		"overlayfs 1 d kids=0 last=true missing=false",
		"overlayfs 0 gone kids=1 last=false missing=true",
		"overlayfs 1 x kids=0 last=true missing=false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("tree:\n%q\nwant\n%q", got, want)
	}
	if len(SnapshotTree(nil)) != 0 {
		t.Error("an empty store has a tree")
	}
}
