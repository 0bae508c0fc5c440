package testclock

import (
	"testing"
	"time"
)

func TestNowIsFrozenAndAhead(t *testing.T) {
	a := Now()
	if b := Now(); !a.Equal(b) {
		t.Errorf("Now moved: %v then %v", a, b)
	}
	if c := Clock().Now(); !c.Equal(a) {
		t.Errorf("Clock reads %v, Now %v", c, a)
	}
	// start is the wall clock when the binary started, a moment ago.
	if off := a.Sub(time.Now()) - Ahead(); off > time.Second || off < -10*time.Minute {
		t.Errorf("Now is %v off the wall clock plus %v", off, Ahead())
	}
}
