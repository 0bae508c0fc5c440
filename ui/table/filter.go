package table

import "strings"

// filter is a parsed filter expression:
//
//	text          rows whose text contains text (case-insensitive)
//	!text         rows whose text does not contain it
//	-l k=v,k2=v2  rows whose labels have all these values (combinable
//	              with text: "-l app=web nginx")
type filter struct {
	text   string // lowercased
	invert bool
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

// match tests one row; lower is the row's precomputed lowercase text, so a
// keystroke costs one substring scan per row and no allocation.
func (f filter) match(lower string, labels map[string]string) bool {
	for _, l := range f.labels {
		if v, ok := labels[l.key]; !ok || v != l.value {
			return false
		}
	}
	if f.text == "" {
		return true
	}
	return strings.Contains(lower, f.text) != f.invert
}
