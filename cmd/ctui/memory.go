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

// keepMemoryCompact sets a soft memory limit that follows the live heap:
// memoryFloor, or one and a half times the live heap once that is larger,
// re-read after every collection. So a small node keeps ctui's resident size
// low, and a huge one (more live data than the floor) never makes the
// collector run back to back: the limit always leaves the heap the room to
// grow by half that ctui's GOGC=50 gives it anyway. GOMEMLIMIT in the
// environment turns this off.
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

func armLimitFollower(sample []metrics.Sample) {
	sample[0].Name = "/gc/heap/live:bytes"
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live := int64(sample[0].Value.Uint64())
			debug.SetMemoryLimit(max(memoryFloor, live+live/2))
		}
		armLimitFollower(sample)
	})
}
