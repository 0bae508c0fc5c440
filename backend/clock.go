package backend

import "time"

// Clock tells the time ctui measures ages, "x ago", deadlines and
// timestamps against. The zero Clock is the wall clock; tests give pages
// and adapters a fixed one so that what they show does not depend on the
// day the tests run.
type Clock func() time.Time

// Now is the clock's time, or the wall clock's for the zero Clock.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Since is the time elapsed on the clock since t.
func (c Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// FixedClock is a Clock that always reads t.
func FixedClock(t time.Time) Clock { return func() time.Time { return t } }
