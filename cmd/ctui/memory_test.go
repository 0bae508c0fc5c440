package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestMemoryLimitFollowsLiveHeap: with more live data than the floor, the
// limit rises to twice the live heap after a collection, so the collector
// never runs back to back on a big node.
func TestMemoryLimitFollowsLiveHeap(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	// The parts of keepMemoryCompact, which the environment may turn off.
	debug.SetMemoryLimit(memoryFloor)
	armLimitFollower(make([]metrics.Sample, 1))

	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20) // 64 MiB live, above the floor
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs after GC
		if lim := debug.SetMemoryLimit(-1); lim >= 3*64<<20/2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB did not follow a 64 MiB live heap", debug.SetMemoryLimit(-1)>>20)
		}
	}
	runtime.KeepAlive(live)
	live = nil
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if lim := debug.SetMemoryLimit(-1); lim != memoryFloor {
		t.Fatalf("with the live heap gone the limit is %d MiB, want the floor %d MiB", lim>>20, memoryFloor>>20)
	}
}

// TestMemoryLimitSteps: the floor while one and a half times the live heap
// fits under it (the navigator's heap), twice the live heap above, so the
// collector has room beside the runtime's own memory.
func TestMemoryLimitSteps(t *testing.T) {
	for _, tc := range []struct{ live, want int64 }{
		{0, memoryFloor},
		{15 << 20, memoryFloor},
		{memoryFloor * 2 / 3, memoryFloor},
		{memoryFloor*2/3 + 1<<20, 2 * (memoryFloor*2/3 + 1<<20)},
		{30 << 20, 60 << 20},
	} {
		if got := memoryLimit(tc.live); got != tc.want {
			t.Errorf("memoryLimit(%d MiB) = %d MiB, want %d MiB", tc.live>>20, got>>20, tc.want>>20)
		}
	}
}
