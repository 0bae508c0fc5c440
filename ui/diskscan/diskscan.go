// Package diskscan is the background work the disk pages share (:du,
// :snapshots, :content, :leases and the prune previews): list what the
// stores of a namespace hold (one walk of each, as fast as `ctr content ls`),
// then measure the snapshots in batches off the update loop, so a page shows
// its rows at once and fills the sizes in as they come, with progress, and
// never blocks. Usages are kept by snapshot across reloads: a committed
// snapshot never changes (the adapter caches those too); an active one is
// measured again on each reload.
package diskscan

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
)

// Batch is how many snapshots one measuring command does before it reports,
// so progress moves and a reload or a popped page stops the work soon.
const Batch = 256

// InventoryMsg answers Scan.Inventory.
type InventoryMsg struct {
	Gen uint64
	Inv backend.DiskInventory
	Err error
	At  time.Time
}

// MeasuredMsg answers one batch of Scan.Next.
type MeasuredMsg struct {
	Gen   uint64
	Usage map[backend.SnapshotRef]backend.DiskUsage
	Err   error
}

// Scan is one page's scan of one namespace: the inventory, the usages known
// and the snapshots still to measure. Pages keep it as a value; its maps are
// touched only from Update.
type Scan struct {
	Disk    backend.DiskReader
	Ctx     context.Context
	Timeout time.Duration
	Clock   backend.Clock

	NS      string
	Gen     uint64
	Inv     backend.DiskInventory
	Loaded  bool
	At      time.Time
	Usage   map[backend.SnapshotRef]backend.DiskUsage
	pending []backend.Snapshot
	busy    bool
	// Measure is false for pages that need no snapshot usage; MediaTypes
	// is true for pages that show each blob's media type.
	Measure    bool
	MediaTypes bool
}

// Inventory lists the namespace again under a new generation; the usages
// known stay (committed ones are still right; active ones are measured
// again when the answer comes).
func (s *Scan) Inventory() tea.Cmd {
	s.Gen++
	s.busy = false
	s.pending = nil
	if s.Usage == nil {
		s.Usage = map[backend.SnapshotRef]backend.DiskUsage{}
	}
	disk, parent, timeout, ns, gen, clock, types := s.Disk, s.Ctx, s.Timeout, s.NS, s.Gen, s.Clock, s.MediaTypes
	if disk == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		inv, err := disk.DiskInventory(ctx, ns)
		if err == nil && types {
			inv.MediaTypes, err = disk.ContentMediaTypes(ctx, ns)
		}
		return InventoryMsg{Gen: gen, Inv: inv, Err: err, At: clock.Now()}
	}
}

// Loaded takes an inventory answer and returns the first measuring batch;
// ok is false for a stale answer.
func (s *Scan) Take(msg InventoryMsg) (cmd tea.Cmd, ok bool) {
	if msg.Gen != s.Gen {
		return nil, false
	}
	if msg.Err != nil {
		return nil, true
	}
	s.Inv, s.Loaded, s.At = msg.Inv, true, msg.At
	s.pending = s.pending[:0]
	exists := make(map[backend.SnapshotRef]bool, len(msg.Inv.Snapshots))
	for _, sn := range msg.Inv.Snapshots {
		exists[sn.SnapshotRef] = true
		if u, known := s.Usage[sn.SnapshotRef]; known && sn.Kind == backend.SnapshotCommitted && (u.Known || u.Reason != "") {
			continue
		}
		s.pending = append(s.pending, sn)
	}
	for r := range s.Usage {
		if !exists[r] {
			delete(s.Usage, r)
		}
	}
	if !s.Measure {
		s.pending = nil
	}
	return s.next(), true
}

// Merge takes a batch's answer and returns the next batch, nil when done;
// ok is false for a stale answer.
func (s *Scan) Merge(msg MeasuredMsg) (cmd tea.Cmd, ok bool) {
	if msg.Gen != s.Gen {
		return nil, false
	}
	s.busy = false
	for r, u := range msg.Usage {
		s.Usage[r] = u
	}
	if msg.Err != nil {
		s.pending = nil
		return nil, true
	}
	return s.next(), true
}

// Measuring reports whether batches are still under way.
func (s Scan) Measuring() bool { return s.busy || len(s.pending) > 0 }

// Progress is how many of the namespace's snapshots have a usage (or a
// reason why not), and how many there are.
func (s Scan) Progress() (done, total int) {
	total = len(s.Inv.Snapshots)
	for _, sn := range s.Inv.Snapshots {
		if u, ok := s.Usage[sn.SnapshotRef]; ok && (u.Known || u.Reason != "") {
			done++
		}
	}
	return done, total
}

// Report joins the inventory with the usages known, at the scan's clock.
func (s Scan) Report(staleAge time.Duration) backend.DiskReport {
	return s.Inv.Analyze(s.Usage, s.Clock.Now(), staleAge)
}

func (s *Scan) next() tea.Cmd {
	if len(s.pending) == 0 || s.Disk == nil {
		return nil
	}
	n := min(Batch, len(s.pending))
	batch := s.pending[:n:n]
	s.pending = s.pending[n:]
	s.busy = true
	disk, parent, timeout, ns, gen := s.Disk, s.Ctx, s.Timeout, s.NS, s.Gen
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		out, err := backend.MeasureSnapshots(ctx, disk, ns, batch)
		return MeasuredMsg{Gen: gen, Usage: out, Err: err}
	}
}

// Freed words what statfs said before and after an action that gives space
// back: the prunes' and a lease removal's flash line.
func Freed(f backend.Freed) string {
	switch {
	case !f.Measured():
		return "freed: not measured (statfs of containerd's directories failed)"
	case f.After >= f.Before:
		return "freed " + humanize.Size(f.Bytes()) + " (statfs before and after)"
	}
	return "freed nothing measurable: the disk filled by " + humanize.Size(f.Before-f.After) + " meanwhile (statfs before and after)"
}
