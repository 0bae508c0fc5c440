package snapshots

import (
	"time"

	"slices"
	"testing"

	"github.com/ctui/ctui/backend"
)

// TreeRows draws the parent chains in ctr snapshots tree's order, each key
// under its parent with a branch, and names a parent the snapshotter does
// not list; Rows keeps the report's order (biggest first).
func TestTreeRows(t *testing.T) {
	snap := func(key, parent string, size int64) backend.SnapshotInfo {
		return backend.SnapshotInfo{
			Snapshot: backend.Snapshot{SnapshotRef: backend.SnapshotRef{Snapshotter: "overlayfs", Key: key}, Parent: parent, Kind: backend.SnapshotCommitted},
			Usage:    backend.DiskUsage{Size: size, Known: true},
			Holders:  []backend.Holder{{Kind: backend.HeldByImage, Name: "busybox"}},
		}
	}
	rep := backend.DiskReport{Snapshots: []backend.SnapshotInfo{snap("c", "b", 30), snap("b", "a", 20), snap("a", "", 10), snap("d", "a", 40), snap("x", "gone", 5)}}
	var keys []string
	for _, r := range TreeRows(rep, testNow) {
		keys = append(keys, r.Cells[1])
	}
	want := []string{"a", "├ b", "  └ c", "└ d", "gone", "└ x"}
	if !slices.Equal(keys, want) {
		t.Errorf("tree keys %q, want %q", keys, want)
	}
	rows := TreeRows(rep, testNow)
	if rows[4].Cells[6] != "not listed by the snapshotter (a parent named by its children)" || rows[4].ID != "overlayfs/gone" {
		t.Errorf("missing parent row %+v", rows[4])
	}
	if got := Rows(rep, testNow); got[0].Cells[1] != "c" || got[0].Cells[4] != "30.0 B" {
		t.Errorf("the report's order: %+v", got[0])
	}
}

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
