package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// memoryFloor is the soft memory limit ctui keeps under while its live heap
// is small: a node's lists arrive in bursts (10,000 image records in one
// answer) that leave a live set of some 15 MB behind, and without a limit the
// Go runtime keeps the burst's pages mapped. Near the limit the runtime
// collects sooner and hands freed pages back to the kernel.
const memoryFloor = 36 << 20

// keepMemoryCompact sets a soft memory limit that follows the live heap,
// re-read after every collection (memoryLimit). So a small node keeps ctui's
// resident size low, and a huge one (more live data than the floor) never
// makes the collector run back to back. GOMEMLIMIT in the environment turns
// this off.
func keepMemoryCompact() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(memoryFloor)
	armLimitFollower(make([]metrics.Sample, 1))
}

// gcSentinel is garbage on purpose: its finalizer runs once after the next
// collection, re-reads the live heap and arms a new sentinel. (It holds a
// pointer and is larger than 16 bytes, so the tiny allocator does not batch
// it with other objects and delay its finalizer.)
type gcSentinel struct {
	_ *byte
	_ [24]byte
}

// memoryLimit is the limit for a live heap of live bytes: memoryFloor while
// one and a half times the live heap fits under it, else twice the live
// heap. The limit counts all of the runtime's memory, not only the heap:
// stacks, the collector's metadata and freed pages not yet handed back take
// some 15 MB beside a live heap of 30 MB, so a limit of one and a half times
// the live heap (as until 2026-12-05) left the heap no room at all: at :du
// on 5,000 containers the collector ran 150 times in 7 s, each after a
// megabyte of allocation, and took most of the page's time. Twice the live
// heap leaves it about the room GOGC=100 gives. Below the switch the floor
// is kept as it was, so the navigator's peak (a live heap under 24 MB) is
// bounded as before.
func memoryLimit(live int64) int64 {
	if live+live/2 <= memoryFloor {
		return memoryFloor
	}
	return 2 * live
}

func armLimitFollower(sample []metrics.Sample) {
	sample[0].Name = "/gc/heap/live:bytes"
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live := int64(sample[0].Value.Uint64())
			debug.SetMemoryLimit(memoryLimit(live))
		}
		armLimitFollower(sample)
	})
}
