package logs

import (
	"iter"

	"github.com/ctui/ctui/backend"
)

// DefaultRingLines is how many lines the viewer keeps unless configured.
const DefaultRingLines = 10000

// Ring keeps the newest lines of a log, up to a fixed count, so following a
// log for hours costs the same memory as following it for a minute. Lines
// are addressed by Seq (stable while the line is kept) or by index (0 is the
// oldest kept); filters and searches run over every kept line, not only
// what is on screen.
//
// Lines must be appended in Seq order without gaps, as one Reader delivers
// them; the UI owns the Ring and changes it only in Update.
type Ring struct {
	lines []backend.LogLine
	head  int // index in lines of the oldest kept line
	n     int
}

// NewRing makes a ring for capacity lines (DefaultRingLines if <= 0).
func NewRing(capacity int) *Ring {
	if capacity <= 0 {
		capacity = DefaultRingLines
	}
	return &Ring{lines: make([]backend.LogLine, capacity)}
}

// Cap is the most lines the ring keeps.
func (r *Ring) Cap() int { return len(r.lines) }

// Len is how many lines are kept.
func (r *Ring) Len() int { return r.n }

// Append adds lines, dropping the oldest ones past the capacity. It
// returns how many old lines were dropped, so a view can shift by that much.
func (r *Ring) Append(lines ...backend.LogLine) (dropped int) {
	c := len(r.lines)
	if len(lines) >= c {
		dropped = r.n + len(lines) - c
		copy(r.lines, lines[len(lines)-c:])
		r.head, r.n = 0, c
		return dropped
	}
	for _, l := range lines {
		i := r.head + r.n
		if i >= c {
			i -= c
		}
		r.lines[i] = l
		if r.n < c {
			r.n++
		} else {
			r.head++
			if r.head == c {
				r.head = 0
			}
			dropped++
		}
	}
	return dropped
}

// Reset empties the ring (a new reader starts numbering again).
func (r *Ring) Reset() {
	clear(r.lines)
	r.head, r.n = 0, 0
}

// At returns the i-th kept line, 0 being the oldest.
func (r *Ring) At(i int) backend.LogLine {
	if i < 0 || i >= r.n {
		panic("logs: ring index out of range")
	}
	j := r.head + i
	if j >= len(r.lines) {
		j -= len(r.lines)
	}
	return r.lines[j]
}

// FirstSeq and LastSeq are the Seq of the oldest and newest kept lines (0
// when empty).
func (r *Ring) FirstSeq() uint64 {
	if r.n == 0 {
		return 0
	}
	return r.At(0).Seq
}

// LastSeq is the Seq of the newest kept line, 0 when empty.
func (r *Ring) LastSeq() uint64 {
	if r.n == 0 {
		return 0
	}
	return r.At(r.n - 1).Seq
}

// Index returns the index of the line numbered seq, and false when that
// line was dropped already or has not come yet.
func (r *Ring) Index(seq uint64) (int, bool) {
	first := r.FirstSeq()
	if r.n == 0 || seq < first || seq > r.LastSeq() {
		return 0, false
	}
	return int(seq - first), true
}

// Get returns the line numbered seq, if kept.
func (r *Ring) Get(seq uint64) (backend.LogLine, bool) {
	i, ok := r.Index(seq)
	if !ok {
		return backend.LogLine{}, false
	}
	return r.At(i), true
}

// All yields the kept lines, oldest first.
func (r *Ring) All() iter.Seq[backend.LogLine] {
	return func(yield func(backend.LogLine) bool) {
		for i := 0; i < r.n; i++ {
			if !yield(r.At(i)) {
				return
			}
		}
	}
}

// Filter returns the Seq of every kept line m matches, oldest first: the
// rows of a filtered view. A nil m matches everything.
func (r *Ring) Filter(m *Matcher) []uint64 {
	out := make([]uint64, 0, r.n)
	for l := range r.All() {
		if m.Match(l) {
			out = append(out, l.Seq)
		}
	}
	return out
}

// Search returns the Seq of the next line m matches after from (forward,
// for `n`) or before it (backward, for `N`), and false when there is none.
// A from that was dropped already searches from the oldest kept line.
func (r *Ring) Search(m *Matcher, from uint64, forward bool) (uint64, bool) {
	if r.n == 0 {
		return 0, false
	}
	first, last := r.FirstSeq(), r.LastSeq()
	if forward {
		start := first
		if from >= first {
			start = from + 1
		}
		for s := start; s <= last; s++ {
			if m.Match(r.At(int(s - first))) {
				return s, true
			}
		}
		return 0, false
	}
	if from <= first {
		return 0, false
	}
	for s := min(from-1, last); ; s-- {
		if m.Match(r.At(int(s - first))) {
			return s, true
		}
		if s == first {
			return 0, false
		}
	}
}
