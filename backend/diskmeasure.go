package backend

import (
	"context"
	"sync"
)

// MeasureWorkers is how many snapshots MeasureSnapshots measures side by
// side: each usage is a walk of a directory in the daemon, so a few at once
// keep it busy without taking every core.
const MeasureWorkers = 4

// MeasureSnapshots asks d for the usage of each snapshot of namespace ns,
// MeasureWorkers at a time: the one measuring loop the disk pages and the
// prune previews share. A snapshot whose usage cannot be computed comes back
// with its reason (SnapshotUsage's contract); the first error (a lost daemon,
// the end of ctx) stops the work and is returned with what was measured
// before it.
func MeasureSnapshots(ctx context.Context, d DiskReader, ns string, snaps []Snapshot) (map[SnapshotRef]DiskUsage, error) {
	out := make(map[SnapshotRef]DiskUsage, len(snaps))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan Snapshot)
	for range min(MeasureWorkers, len(snaps)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sn := range next {
				u, err := d.SnapshotUsage(ctx, ns, sn.SnapshotRef, sn.Kind)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					out[sn.SnapshotRef] = u
				}
				mu.Unlock()
			}
		}()
	}
	for _, sn := range snaps {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- sn
	}
	close(next)
	wg.Wait()
	return out, first
}
