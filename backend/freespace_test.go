//go:build linux

package backend

import (
	"errors"
	"path/filepath"
	"testing"
)

// Filesystems groups directories by device and measures each once; a
// missing one is marked, not counted; MeasureFreed brackets its action.
func TestFilesystemsAndFreeSpace(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	missing := filepath.Join(a, "not-there")
	fss := Filesystems([]DiskRoot{{What: "content", Path: a}, {What: "state", Path: missing}, {What: "snapshotter overlayfs", Path: b}, {What: "proc", Path: "/proc"}})
	if len(fss) != 3 {
		t.Fatalf("%d filesystems, want 3 (tmp twice, missing, proc): %+v", len(fss), fss)
	}
	if len(fss[0].Dirs) != 2 || fss[0].Dirs[1].Path != b || fss[0].Err != nil || fss[0].Space.Total == 0 {
		t.Errorf("first filesystem %+v, want both temp dirs with its space", fss[0])
	}
	if !fss[1].Missing || fss[1].Err == nil {
		t.Errorf("missing dir: %+v", fss[1])
	}
	free, err := FreeSpace([]string{a, missing, b})
	if err != nil || free <= 0 || free > int64(fss[0].Space.Total) {
		t.Errorf("FreeSpace = %d, %v; the filesystem has %d in all", free, err, fss[0].Space.Total)
	}
	if _, err := FreeSpace([]string{missing}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("FreeSpace of nothing that exists: %v, want ErrUnsupported", err)
	}
	ran := false
	f, err := MeasureFreed([]string{a}, func() error { ran = true; return errors.New("boom") })
	if !ran || err == nil || err.Error() != "boom" || !f.Measured() || f.Before <= 0 {
		t.Errorf("MeasureFreed: %+v %v (ran %v)", f, err, ran)
	}
	if (Freed{Before: 10, After: 4}).Bytes() != 0 || (Freed{Before: 4, After: 10}).Bytes() != 6 || (Freed{Before: 4, After: 10, Err: err}).Bytes() != 0 {
		t.Error("Freed.Bytes: a disk that filled, or no measure, frees nothing")
	}
}
