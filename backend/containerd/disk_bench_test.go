package containerd_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	ctd "github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/testbed"
)

// BenchmarkDiskScan measures what :du costs at scale: 10,000 image names over
// 50 distinct images and 5,000 containers, each with an active snapshot of
// its own (CTUI_DISK_NAMES, CTUI_DISK_CONTAINERS change the counts). In the
// same run, interleaved: ctui's inventory (one walk of each store), the
// measuring of every snapshot as the :du page does it (batches of 256 on
// four workers, committed usages not cached: a fresh client each round),
// Analyze over the whole, and `ctr snapshots usage` over the same snapshots.
func BenchmarkDiskScan(b *testing.B) {
	names, ctrs := envInt("CTUI_DISK_NAMES", 10000), envInt("CTUI_DISK_CONTAINERS", 5000)
	for _, v := range testbed.Versions() {
		b.Run(string(v), func(b *testing.B) {
			ctx := context.Background()
			d := testbed.Start(b, v)
			start := time.Now()
			if err := testbed.SeedDiskScale(ctx, d.Socket, "scale", 50, names, ctrs); err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded %d names over 50 images and %d containers in %v", names, ctrs, time.Since(start).Round(time.Millisecond))
			fresh := func() *ctd.Client {
				c, err := ctd.New(ctx, backend.Config{Address: d.Socket, Timeout: time.Minute})
				if err != nil {
					b.Fatal(err)
				}
				return c
			}
			var inv backend.DiskInventory
			b.Run("inventory/ctui", func(b *testing.B) {
				c := fresh()
				defer c.Close()
				for b.Loop() {
					var err error
					if inv, err = c.DiskInventory(ctx, "scale"); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(inv.Snapshots)), "snapshots")
			})
			var usage map[backend.SnapshotRef]backend.DiskUsage
			b.Run("measure/ctui", func(b *testing.B) {
				for b.Loop() {
					c := fresh()
					usage = measureAll(b, ctx, c, inv)
					c.Close()
				}
			})
			b.Run("analyze/ctui", func(b *testing.B) {
				for b.Loop() {
					_ = inv.Analyze(usage, time.Now(), time.Hour)
				}
			})
			b.Run("usage/ctr", func(b *testing.B) {
				for b.Loop() {
					if _, err := d.Ctr(ctx, "-n", "scale", "snapshots", "usage"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// measureAll measures every snapshot as ui/diskscan does.
func measureAll(b *testing.B, ctx context.Context, c *ctd.Client, inv backend.DiskInventory) map[backend.SnapshotRef]backend.DiskUsage {
	out := make(map[backend.SnapshotRef]backend.DiskUsage, len(inv.Snapshots))
	var mu sync.Mutex
	for i := 0; i < len(inv.Snapshots); i += 256 {
		batch := inv.Snapshots[i:min(i+256, len(inv.Snapshots))]
		next := make(chan backend.Snapshot)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for sn := range next {
					u, err := c.SnapshotUsage(ctx, "scale", sn.SnapshotRef, sn.Kind)
					if err != nil {
						b.Error(err)
						continue
					}
					mu.Lock()
					out[sn.SnapshotRef] = u
					mu.Unlock()
				}
			}()
		}
		for _, sn := range batch {
			next <- sn
		}
		close(next)
		wg.Wait()
	}
	return out
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
