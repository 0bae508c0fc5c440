package diskscan

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// stores is a fake DiskReader: n active snapshots of one container each,
// every one measuring 1 KiB.
type stores struct{ n int }

func (s stores) DiskInventory(context.Context, string) (backend.DiskInventory, error) {
	inv := backend.DiskInventory{Namespace: "default"}
	for i := range s.n {
		key := fmt.Sprintf("c%04d", i)
		inv.Snapshots = append(inv.Snapshots, backend.Snapshot{SnapshotRef: backend.SnapshotRef{Snapshotter: "overlayfs", Key: key}, Kind: backend.SnapshotActive})
		inv.Containers = append(inv.Containers, backend.Container{ID: key, Snapshotter: "overlayfs", SnapshotKey: key})
	}
	return inv, nil
}

func (stores) SnapshotUsage(context.Context, string, backend.SnapshotRef, backend.SnapshotKind) (backend.DiskUsage, error) {
	return backend.DiskUsage{Size: 1024, Inodes: 1, Known: true}, nil
}

func (stores) ContainerdRoots(context.Context) ([]backend.DiskRoot, error) { return nil, nil }

func (stores) ContentMediaTypes(context.Context, string) (map[string]string, error) { return nil, nil }

// step runs cmd and returns the page's replies (the root's tag taken off).
func step(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for _, msg := range uitest.Drain(cmd, uitest.PumpWait) {
		if r, ok := msg.(page.Reply); ok {
			out = append(out, r.Msg)
		}
	}
	return out
}

// TestAnalyzeByTime: while snapshots are measured the report is made again
// only when AnalyzeEvery has passed on the page's clock since the last one,
// and always after the last batch; then the page has no work left (no
// command, nothing measuring).
func TestAnalyzeByTime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := backend.Clock(func() time.Time { return now })
	b, cmd := NewBase(BaseConfig{
		ID: 1, Ctx: context.Background(), Namespace: "default", Disk: stores{n: 3*Batch + 10}, Timeout: time.Minute,
		Styles: theme.New(theme.Options{NoColor: true}), Clock: clock, Title: "test", Measure: true,
		Columns: []table.Column{{Title: "NAME", Flex: 1}},
		Rows: func(rep backend.DiskReport, _ time.Time) []table.Row {
			return []table.Row{{ID: "x", Cells: []string{fmt.Sprint(rep.Measured)}}}
		},
		Summary: func(rep backend.DiskReport) string { return "" },
	})
	deliver := func(msgs []tea.Msg) tea.Cmd {
		t.Helper()
		var next []tea.Cmd
		for _, msg := range msgs {
			c, _ := b.Update(msg)
			next = append(next, c)
		}
		return tea.Batch(next...)
	}
	measured := func(msgs []tea.Msg) tea.Cmd {
		t.Helper()
		var batch []tea.Msg
		var other []tea.Msg
		for _, m := range msgs {
			if _, ok := m.(MeasuredMsg); ok {
				batch = append(batch, m)
			} else {
				other = append(other, m)
			}
		}
		if len(batch) != 1 {
			t.Fatalf("want one measured batch, got %d (and %d other messages)", len(batch), len(other))
		}
		return deliver(batch)
	}
	cmd = deliver(step(t, cmd)) // the inventory: analysed at once, nothing measured
	if b.Report.ToMeasure != 3*Batch+10 || b.Report.Measured != 0 || !b.Scan.Measuring() {
		t.Fatalf("after the inventory: report %d of %d, measuring %v", b.Report.Measured, b.Report.ToMeasure, b.Scan.Measuring())
	}
	cmd = measured(step(t, cmd)) // no time passed: not analysed again
	if done, _ := b.Scan.Progress(); done != Batch || b.Report.Measured != 0 {
		t.Fatalf("after one batch at once: progress %d, report %d", done, b.Report.Measured)
	}
	now = now.Add(AnalyzeEvery)
	cmd = measured(step(t, cmd)) // AnalyzeEvery later: analysed
	if b.Report.Measured != 2*Batch {
		t.Fatalf("after a batch %v later: report %d, want %d", AnalyzeEvery, b.Report.Measured, 2*Batch)
	}
	cmd = measured(step(t, cmd)) // at once again: not analysed
	if b.Report.Measured != 2*Batch {
		t.Fatalf("after a third batch at once: report %d", b.Report.Measured)
	}
	cmd = measured(step(t, cmd)) // the last batch: always analysed
	if b.Report.Measured != 3*Batch+10 || b.Scan.Measuring() {
		t.Fatalf("after the last batch: report %d, measuring %v", b.Report.Measured, b.Scan.Measuring())
	}
	if msgs := step(t, cmd); len(msgs) != 0 {
		t.Fatalf("work left after the last batch: %v", msgs)
	}
}
