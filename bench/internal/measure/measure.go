// Package measure holds what the benches compute alike: the median (and
// other quantiles) of a round's figures and the time a command takes.
package measure

import (
	"bytes"
	"cmp"
	"fmt"
	"os/exec"
	"slices"
	"time"
)

// Median is the middle of xs (the upper one of an even count), the zero
// value for none; xs is left as it was.
func Median[T cmp.Ordered](xs []T) T { return Quantile(xs, 0.5) }

// Quantile is the value a fraction q of the way up xs in order: the element
// at index len(xs)*q rounded down, so 0.5 is Median, 0.9 the p90 and 1 the
// largest; the zero value for none. xs is left as it was.
func Quantile[T cmp.Ordered](xs []T, q float64) T {
	if len(xs) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(int(float64(len(s))*q), len(s)-1)]
}

// Command runs name with args to its end and returns how long it took;
// a failure says what the command wrote on stderr.
func Command(name string, args ...string) (time.Duration, error) {
	cmd := exec.Command(name, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %v: %w: %s", name, args, err, errb.String())
	}
	return time.Since(start), nil
}
