package backend

import (
	"io"
	"sync"
	"time"
)

// ItemKind is what one piece of content in a transfer is.
type ItemKind string

// The kinds of content an image is made of, as ctr keys its progress lines
// (index-, manifest-, config-, layer-<digest>).
const (
	ItemIndex    ItemKind = "index"
	ItemManifest ItemKind = "manifest"
	ItemConfig   ItemKind = "config"
	ItemLayer    ItemKind = "layer"
	ItemArchive  ItemKind = "archive" // the tar of an import or export
	ItemUnknown  ItemKind = "unknown"
)

// ItemStatus is where one piece of content is, with ctr's progress words
// plus the unpack step.
type ItemStatus string

// The states ctr shows (resolving, waiting, downloading, done, exists,
// uploading, committing) and the ones the transfer service adds for unpack.
const (
	StatusResolving   ItemStatus = "resolving"
	StatusWaiting     ItemStatus = "waiting"
	StatusDownloading ItemStatus = "downloading"
	StatusUploading   ItemStatus = "uploading"
	StatusCommitting  ItemStatus = "committing"
	StatusExtracting  ItemStatus = "extracting"
	StatusReading     ItemStatus = "reading"
	StatusWriting     ItemStatus = "writing"
	StatusDone        ItemStatus = "done"
	StatusExists      ItemStatus = "exists" // was already in the store or registry
)

// Finished reports whether the item needs no more work.
func (s ItemStatus) Finished() bool { return s == StatusDone || s == StatusExists }

// ProgressItem is one line of a job's progress: one blob, or the archive.
type ProgressItem struct {
	Kind   ItemKind
	Digest string // "" for the archive of an import or export
	Status ItemStatus
	Offset int64 // bytes moved so far
	Total  int64 // bytes expected; 0 when not known yet
}

// Progress is a snapshot of a running job, reported about ten times a second
// as ctr refreshes its own display. Items are in the order the job met them
// (index, manifest, config, layers), so lines do not jump around.
type Progress struct {
	Phase string // "resolving", "fetching", "unpacking", "pushing", "importing", "exporting", "done"
	Items []ProgressItem
	// Done and Total are the bytes of the whole job: the sum of the items
	// that move data (exists items count neither), or the archive's bytes.
	// Total is 0 while unknown.
	Done  int64
	Total int64
	Start time.Time
	Now   time.Time
	// Rate is bytes per second over the last few seconds, so a stall shows
	// as a falling rate rather than the average since the start.
	Rate float64
}

// Elapsed is how long the job has run.
func (p Progress) Elapsed() time.Duration {
	if p.Start.IsZero() || p.Now.Before(p.Start) {
		return 0
	}
	return p.Now.Sub(p.Start)
}

// AverageRate is bytes per second since the start.
func (p Progress) AverageRate() float64 {
	el := p.Elapsed().Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.Done) / el
}

// ETA is the time left at the current rate; ok is false when it cannot be
// known (no total yet, or nothing moving).
func (p Progress) ETA() (left time.Duration, ok bool) {
	rate := p.Rate
	if rate <= 0 {
		rate = p.AverageRate()
	}
	if p.Total <= 0 || rate <= 0 || p.Done > p.Total {
		return 0, false
	}
	return time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second)).Round(time.Second), true
}

// Fraction is Done/Total in [0,1], or -1 when Total is not known.
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return -1
	}
	f := float64(p.Done) / float64(p.Total)
	return min(max(f, 0), 1)
}

// ProgressFunc receives progress snapshots. It is called from the job's own
// goroutine and must not block: the UI hands the snapshot to a channel with
// LatestProgress or similar, never to Update directly. nil means nobody
// listens.
type ProgressFunc func(Progress)

// Report calls f with p when f is set.
func (f ProgressFunc) Report(p Progress) {
	if f != nil {
		f(p)
	}
}

// LatestProgress returns a ProgressFunc that never blocks and a channel that
// always holds the newest snapshot: a slow reader (the UI waiting for its
// next frame) skips intermediate ones instead of stalling the transfer. The
// channel is never closed; the job's own result says when it ended.
func LatestProgress() (ProgressFunc, <-chan Progress) {
	ch := make(chan Progress, 1)
	var mu sync.Mutex
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-ch: // drop the stale one
		default:
		}
		ch <- p
	}, ch
}

// RateMeter smooths a byte counter into a rate over a sliding window. Adapters
// keep one per job and fill Progress.Rate from it.
type RateMeter struct {
	Window  time.Duration // 3 s when zero
	samples []rateSample
}

type rateSample struct {
	at    time.Time
	bytes int64
}

// Observe records that done bytes had moved at now and returns the rate over
// the window.
func (m *RateMeter) Observe(now time.Time, done int64) float64 {
	w := m.Window
	if w <= 0 {
		w = 3 * time.Second
	}
	m.samples = append(m.samples, rateSample{now, done})
	cut := 0
	for cut < len(m.samples)-2 && now.Sub(m.samples[cut+1].at) >= w {
		cut++
	}
	m.samples = m.samples[cut:]
	first := m.samples[0]
	dt := now.Sub(first.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(done-first.bytes) / dt
}

// CountingReader counts the bytes read through it, safely for a progress
// poller on another goroutine. Import and export report progress with it.
type CountingReader struct {
	R io.Reader
	n int64
	m sync.Mutex
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.m.Lock()
	c.n += int64(n)
	c.m.Unlock()
	return n, err
}

// N is the number of bytes read so far.
func (c *CountingReader) N() int64 {
	c.m.Lock()
	defer c.m.Unlock()
	return c.n
}
