package logs

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/ctui/ctui/backend"
)

// Query is what the operator typed into the viewer's filter or search box.
type Query struct {
	Pattern string
	// Regexp takes Pattern as a Go regular expression; otherwise it is a
	// plain substring. Either way case is smart, as in less and vim: a
	// pattern with an upper-case letter matches case, one without ignores it.
	Regexp bool
	// Stream keeps only one stream ("" for both).
	Stream string
}

// Matcher is a compiled Query. The zero of *Matcher (nil) matches every line.
type Matcher struct {
	re     *regexp.Regexp
	lit    string // lower-cased when fold
	fold   bool
	stream string
}

// Compile checks and compiles q; a bad regular expression is reported as a
// sentence the viewer can show under the input box.
func Compile(q Query) (*Matcher, error) {
	m := &Matcher{stream: q.Stream}
	m.fold = !hasUpper(q.Pattern)
	if q.Regexp {
		pat := q.Pattern
		if m.fold {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, backend.Errorf(backend.ErrInvalid, "not a valid regular expression: %v", err)
		}
		m.re = re
		return m, nil
	}
	m.lit = q.Pattern
	if m.fold {
		m.lit = strings.ToLower(q.Pattern)
	}
	return m, nil
}

// Match reports whether the line passes the stream and the pattern.
func (m *Matcher) Match(l backend.LogLine) bool {
	if m == nil {
		return true
	}
	if m.stream != "" && l.Stream != m.stream {
		return false
	}
	switch {
	case m.re != nil:
		return m.re.MatchString(l.Text)
	case m.lit == "":
		return true
	case m.fold:
		return containsFold(l.Text, m.lit)
	}
	return strings.Contains(l.Text, m.lit)
}

// Find returns the byte ranges of the pattern in text, for highlighting.
func (m *Matcher) Find(text string) [][2]int {
	if m == nil {
		return nil
	}
	var out [][2]int
	switch {
	case m.re != nil:
		for _, loc := range m.re.FindAllStringIndex(text, -1) {
			if loc[1] > loc[0] {
				out = append(out, [2]int{loc[0], loc[1]})
			}
		}
	case m.lit == "":
	default:
		hay := text
		if m.fold {
			hay = lowerASCIIOnly(text)
		}
		for at := 0; ; {
			i := strings.Index(hay[at:], m.lit)
			if i < 0 {
				break
			}
			out = append(out, [2]int{at + i, at + i + len(m.lit)})
			at += i + len(m.lit)
		}
	}
	return out
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// containsFold is a case-insensitive Contains for a lower-case needle that
// allocates nothing for ASCII text, which log lines nearly always are.
func containsFold(s, lowerNeedle string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Contains(strings.ToLower(s), lowerNeedle)
		}
	}
	n := len(lowerNeedle)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerNeedle[j] {
				break
			}
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// lowerASCIIOnly lowers ASCII letters only, so byte offsets in the result
// are offsets in s (strings.ToLower may change lengths).
func lowerASCIIOnly(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
