// Package humanize formats sizes and ages the way ctr and k9s print them, so
// every page shows the same value the same way.
package humanize

import (
	"fmt"
	"strconv"
	"time"
)

// Size prints a size as ctr does (base 1024, "%02.1f %s"), and "-" for a
// negative (unknown) one.
func Size(n int64) string {
	if n < 0 {
		return "-"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%02.1f %s", f, units[i])
}

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
