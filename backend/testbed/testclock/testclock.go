// Package testclock is the clock ctui's tests build their fixtures around
// and give the pages and adapters they test, so that no test depends on
// the day it runs.
//
// The test time is the wall clock when the test binary started, frozen, so
// that ages come out exact ("60s", not "60s" or "61s"). It runs ahead of the
// wall clock by CTUI_TEST_CLOCK_AHEAD (a Go duration, e.g. 8760h): `make
// test` runs the unit tests once more a year ahead, where any code that
// reads the wall clock instead of the clock it was given shows the wrong
// age and fails that run, every time rather than on one day of the year.
package testclock

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
)

// Env names the variable that sets how far the test clock runs ahead.
const Env = "CTUI_TEST_CLOCK_AHEAD"

// Ahead is how far the test clock runs ahead of the wall clock: Env's
// duration, or 0 when it is unset. A value that does not parse panics: a
// check that silently ran at today's date would prove nothing.
var Ahead = sync.OnceValue(func() time.Duration {
	s := os.Getenv(Env)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("testclock: %s=%q is not a Go duration (say 8760h for a year ahead): %v", Env, s, err))
	}
	return d
})

var start = time.Now()

// Now is the test time: the wall clock at the test binary's start plus
// Ahead, frozen. Monotonic readings are stripped, as a time that came
// from a daemon or a file has none.
func Now() time.Time { return start.Add(Ahead()).Round(0) }

// Clock is a clock that always reads Now.
func Clock() backend.Clock { return backend.FixedClock(Now()) }

// Generous is how long a test waits for something that should happen at
// once: long enough for a loaded 2-core machine, short enough that a call
// that waits out a timeout of an hour is caught.
const Generous = 30 * time.Second

// Within runs f and fails the test when f has not returned after d. Tests
// use it, with the code under test given a timeout far longer than d,
// instead of asserting how many milliseconds a call took: a busy machine
// misses a short bound, but never a generous one.
func Within(t testing.TB, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: no answer after %v", what, d)
	}
}
