package usage

import (
	"testing"
	"time"
)

// wanter is a page that has (or has not) a running row on screen.
type wanter bool

func (w wanter) WantsStats() bool { return bool(w) }

// The timer sleeps while the page on top has nothing to sample: a fired
// tick leaves it unarmed, Wake arms it only for a page that wants a
// sample, once, and a replaced timer's tick is not taken.
func TestTimerSleepsUntilWoken(t *testing.T) {
	tm := NewTimer(time.Hour)
	if tm.Arm() == nil {
		t.Fatal("Arm gave no tick")
	}
	old := TickMsg{seq: tm.seq}
	if tm.Wake(wanter(true)) != nil {
		t.Error("Wake armed a second tick while one is on its way")
	}
	if !tm.Fired(old) {
		t.Fatal("the armed tick did not fire")
	}
	if tm.Fired(old) {
		t.Error("a tick fired twice")
	}
	if tm.Wake(wanter(false)) != nil || tm.Wake(struct{}{}) != nil {
		t.Error("Wake armed the timer for a page with nothing to sample")
	}
	if tm.Wake(wanter(true)) == nil {
		t.Fatal("Wake did not arm the timer for a page with a running row on screen")
	}
	if tm.Fired(old) {
		t.Error("a replaced timer's tick fired")
	}
	if !tm.Fired(TickMsg{seq: tm.seq}) {
		t.Error("the woken timer's tick did not fire")
	}
	off := NewTimer(0)
	if off.Arm() != nil || off.Wake(wanter(true)) != nil {
		t.Error("stats off armed a timer")
	}
}
