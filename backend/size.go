package backend

import "fmt"

// Size prints a size as ctr does (base 1024, "%02.1f %s": "0.0 B",
// "512.0 B", "1.5 MiB"), and "-" for a negative (unknown) one. Sentences
// from backend and the pages' columns use it, so a size reads the same
// everywhere.
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
