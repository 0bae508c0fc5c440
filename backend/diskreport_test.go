package backend

import (
	"testing"
	"time"
)

// TestAnalyzeContainersShareParents: containers on one image hold their
// writable layer and, as children, the image's layers, whether the parent's
// walk is shared (a plain writable layer) or not (one with labels of its
// own); a container whose snapshot is gone holds nothing.
func TestAnalyzeContainersShareParents(t *testing.T) {
	snap := func(key, parent string, kind SnapshotKind, labels map[string]string) Snapshot {
		return Snapshot{SnapshotRef: SnapshotRef{Snapshotter: "overlayfs", Key: key}, Parent: parent, Kind: kind, Labels: labels}
	}
	inv := DiskInventory{
		Namespace: "default",
		Images:    []Image{{Name: "img:1", Digest: "sha256:m"}},
		Content: []ContentBlob{
			{Digest: "sha256:m", Size: 10, Labels: map[string]string{LabelGCRefContent + ".config": "sha256:c"}},
			{Digest: "sha256:c", Size: 5, Labels: map[string]string{LabelGCRefSnapshot + "overlayfs": "L2"}},
		},
		Snapshots: []Snapshot{
			snap("L1", "", SnapshotCommitted, nil),
			snap("L2", "L1", SnapshotCommitted, nil),
			snap("A1", "L2", SnapshotActive, nil),
			snap("A2", "L2", SnapshotActive, nil),
			snap("A3", "L2", SnapshotActive, map[string]string{LabelGCRefContent: "sha256:c"}),
		},
		Containers: []Container{
			{ID: "c1", Snapshotter: "overlayfs", SnapshotKey: "A1"},
			{ID: "c2", Snapshotter: "overlayfs", SnapshotKey: "A2"},
			{ID: "c3", Snapshotter: "overlayfs", SnapshotKey: "A3"},
			{ID: "gone", Snapshotter: "overlayfs", SnapshotKey: "A9"},
		},
	}
	rep := inv.Analyze(map[SnapshotRef]DiskUsage{}, time.Unix(0, 0), 0)
	holders := map[string][]Holder{}
	for _, s := range rep.Snapshots {
		holders[s.Key] = s.Holders
	}
	children := []Holder{{HeldByChild, "c1"}, {HeldByChild, "c2"}, {HeldByChild, "c3"}}
	for key, want := range map[string][]Holder{
		"L1": append(children, Holder{HeldByImage, "img:1"}),
		"L2": append(children, Holder{HeldByImage, "img:1"}),
		"A1": {{HeldByContainer, "c1"}},
		"A2": {{HeldByContainer, "c2"}},
		"A3": {{HeldByContainer, "c3"}},
	} {
		got := holders[key]
		if len(got) != len(want) {
			t.Errorf("%s held by %v, want %v", key, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s held by %v, want %v", key, got, want)
				break
			}
		}
	}
	for _, cu := range rep.Containers {
		if cu.ID == "gone" && cu.Usage.Reason != "snapshot overlayfs/A9 does not exist" {
			t.Errorf("container gone: %+v", cu.Usage)
		}
	}
}
