package du

import (
	"strings"
	"testing"

	"github.com/ctui/ctui/backend"
)

func TestItemsBiggestFirstUnknownLast(t *testing.T) {
	rep := backend.DiskReport{
		Images: []backend.ImageUsage{{Target: "sha256:a", Names: []string{"a:1", "a:2"}, Unique: 10, Shared: 5}},
		Containers: []backend.ContainerUsage{
			{ID: "c1", Image: "a:1", Snapshot: backend.SnapshotRef{Snapshotter: "overlayfs", Key: "c1"}, Usage: backend.DiskUsage{Size: 50, Known: true}},
			{ID: "c2", Usage: backend.DiskUsage{Reason: "no snapshot"}},
		},
		Snapshots: []backend.SnapshotInfo{
			{Snapshot: backend.Snapshot{SnapshotRef: backend.SnapshotRef{Snapshotter: "overlayfs", Key: "k"}, Kind: backend.SnapshotCommitted}, Usage: backend.DiskUsage{Size: 20, Known: true}},
			{Snapshot: backend.Snapshot{SnapshotRef: backend.SnapshotRef{Snapshotter: "native", Key: "x"}, Kind: backend.SnapshotActive}, Usage: backend.DiskUsage{Reason: "snapshotter native does not report usage"}},
		},
	}
	items := Items(rep)
	var order []string
	for _, it := range items {
		order = append(order, it.ID)
	}
	want := "c1 overlayfs/k sha256:a c2 native/x"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	r := Row(items[4])
	if r.Cells[2] != "-" || !strings.Contains(r.Cells[4], "orphan") || !strings.Contains(r.Cells[4], "does not report usage") {
		t.Errorf("unmeasurable orphan snapshot row %q", r.Cells)
	}
	if r := Row(items[2]); r.Cells[1] != "a:1" || r.Cells[2] != "10.0 B" || r.Cells[3] != "5.0 B" || r.Cells[4] != "+1 names" {
		t.Errorf("image row %q", r.Cells)
	}
	if r := Row(items[3]); r.Cells[2] != "-" || r.Cells[4] != "no snapshot" {
		t.Errorf("container without snapshot %q", r.Cells)
	}
}

func TestProgressLine(t *testing.T) {
	if s := ProgressLine(1024, 5051, true, nil); s != "measuring snapshots (as ctr snapshots usage): 1,024 of 5,051…" {
		t.Error(s)
	}
	if s := ProgressLine(5051, 5051, false, nil); s != "5,051 snapshots measured" {
		t.Error(s)
	}
}
