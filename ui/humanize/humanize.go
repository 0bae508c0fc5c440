// Package humanize formats sizes and ages the way ctr and k9s print them, so
// every page shows the same value the same way.
package humanize

import (
	"strconv"
	"time"

	"github.com/ctui/ctui/backend"
)

// Size prints a size as ctr does (base 1024, "%02.1f %s"), and "-" for a
// negative (unknown) one: backend.Size, so pages and backend's sentences
// agree.
func Size(n int64) string { return backend.Size(n) }

// Age is how long before now t was, in the largest whole unit, as k9s
// shows it: 45s, 12m, 5h, 3d, 2y. Zero times show "-". now is a parameter
// so that rendering stays a pure function.
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := max(now.Sub(t), 0)
	switch {
	case d < 2*time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < 2*time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	case d < 2*365*24*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + "d"
	}
	return strconv.Itoa(int(d.Hours()/24/365)) + "y"
}
