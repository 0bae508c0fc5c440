package measure

import (
	"slices"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	in := []time.Duration{30, 10, 20, 40}
	if got := Median(in); got != 30 {
		t.Errorf("Median(%v) = %v, want 30 (the upper middle)", in, got)
	}
	if !slices.Equal(in, []time.Duration{30, 10, 20, 40}) {
		t.Errorf("Median sorted its argument: %v", in)
	}
	if got := Median([]float64{0.3, 0.1, 0.2}); got != 0.2 {
		t.Errorf("Median of three = %v, want 0.2", got)
	}
	if got := Median[int64](nil); got != 0 {
		t.Errorf("Median of none = %v, want 0", got)
	}
}

func TestQuantile(t *testing.T) {
	in := make([]int, 20)
	for i := range in {
		in[i] = 20 - i // 20, 19, ..., 1
	}
	for _, c := range []struct {
		q    float64
		want int
	}{{0, 1}, {0.5, 11}, {0.9, 19}, {1, 20}} {
		if got := Quantile(in, c.q); got != c.want {
			t.Errorf("Quantile(1..20, %v) = %d, want %d", c.q, got, c.want)
		}
	}
	if in[0] != 20 {
		t.Errorf("Quantile sorted its argument: %v", in)
	}
}
