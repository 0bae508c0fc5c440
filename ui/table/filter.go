package table

import "strings"

// filter is a parsed filter expression:
//
//	text          rows whose text contains text (case-insensitive)
//	-f text       fuzzy, as in k9s: rows that hold text's characters in
//	              order ("bbxlt" finds busybox:latest), best match first
//	!text         rows whose text does not contain it
//	-l k=v,k2=v2  rows whose labels have all these values (combinable
//	              with text: "-l app=web nginx")
type filter struct {
	text   string // lowercased
	invert bool
	ranked bool // -f: fuzzy subsequence match, best first
	labels []labelSel
}

type labelSel struct{ key, value string }

func (f filter) empty() bool { return f.text == "" && len(f.labels) == 0 }

// parseFilter reads the filter line the operator typed.
func parseFilter(s string) filter {
	var f filter
	fields := strings.Fields(s)
	var text []string
	for i := 0; i < len(fields); i++ {
		if fields[i] == "-f" {
			f.ranked = true
			continue
		}
		if fields[i] == "-l" && i+1 < len(fields) {
			i++
			for _, kv := range strings.Split(fields[i], ",") {
				k, v, _ := strings.Cut(kv, "=")
				if k != "" {
					f.labels = append(f.labels, labelSel{k, v})
				}
			}
			continue
		}
		text = append(text, fields[i])
	}
	t := strings.Join(text, " ")
	if strings.HasPrefix(t, "!") {
		f.invert = true
		t = t[1:]
	}
	f.text = strings.ToLower(t)
	return f
}

// labelsMatch tests the -l selectors alone.
func (f filter) labelsMatch(labels map[string]string) bool {
	for _, l := range f.labels {
		if v, ok := labels[l.key]; !ok || v != l.value {
			return false
		}
	}
	return true
}

// fuzzy scores a row for a -f filter: ok is false when its text does not
// hold f.text's characters in order; a lower score is a better match. The score is the span the characters cover plus how far in it
// starts, so tight, early matches come first. Like match it allocates
// nothing: a keystroke at 10,000 rows stays well under a frame.
func (f filter) fuzzy(lower string) (score int, ok bool) {
	if f.text == "" {
		return 0, true
	}
	// Greedy from each start that matches the first character would be
	// quadratic; one left-to-right pass, then a right-to-left pass from
	// the end found, tightens the span (the usual two-pass heuristic).
	j, end := 0, -1
	for i := 0; i < len(lower) && j < len(f.text); i++ {
		if lower[i] == f.text[j] {
			j++
			if j == len(f.text) {
				end = i
			}
		}
	}
	if end < 0 {
		return 0, false
	}
	j, start := len(f.text)-1, end
	for i := end; i >= 0 && j >= 0; i-- {
		if lower[i] == f.text[j] {
			j--
			start = i
		}
	}
	return (end - start) + start/8, true
}

// match tests one row; lower is the row's precomputed lowercase text, so a
// keystroke costs one substring scan per row and no allocation.
func (f filter) match(lower string, labels map[string]string) bool {
	if !f.labelsMatch(labels) {
		return false
	}
	if f.text == "" {
		return true
	}
	return strings.Contains(lower, f.text) != f.invert
}
