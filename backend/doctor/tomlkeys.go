package doctor

import "strings"

// The key index of a config file: the line of every key path and table
// header, so evidence can say "path:line: text".

// indexKeys maps every key path and table header to its line. Values that
// span lines are not understood; a key is found by its first line.
func indexKeys(lines []string) map[string]int {
	keys := map[string]int{}
	var table []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
			continue
		case strings.HasPrefix(l, "[["):
			end := strings.Index(l, "]]")
			if end < 0 {
				continue
			}
			table = splitKey(l[2:end])
		case strings.HasPrefix(l, "["):
			end := strings.LastIndex(l, "]")
			if end < 0 {
				continue
			}
			table = splitKey(l[1:end])
		default:
			k, _, found := cutOutsideQuotes(l, '=')
			if !found {
				continue
			}
			full := append(append([]string{}, table...), splitKey(k)...)
			j := joinKey(full)
			if _, seen := keys[j]; !seen {
				keys[j] = i + 1
			}
			continue
		}
		if _, seen := keys[joinKey(table)]; !seen {
			keys[joinKey(table)] = i + 1
		}
	}
	return keys
}

func joinKey(parts []string) string { return strings.Join(parts, "\x00") }

// splitKey splits a dotted TOML key, honouring quotes.
func splitKey(s string) []string {
	var parts []string
	for {
		before, after, found := cutOutsideQuotes(s, '.')
		parts = append(parts, unquote(strings.TrimSpace(before)))
		if !found {
			return parts
		}
		s = after
	}
}

func cutOutsideQuotes(s string, sep byte) (string, string, bool) {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// line is the line of a key path in the file, 0 when not found.
func (cf *ConfigFile) line(path ...string) int {
	k := joinKey(path)
	if l, ok := cf.keys[k]; ok {
		return l
	}
	// A table only written as its sub-tables: its first sub-table.
	first := 0
	for key, l := range cf.keys {
		if strings.HasPrefix(key, k+"\x00") && (first == 0 || l < first) {
			first = l
		}
	}
	return first
}

// get walks the file's data along a key path.
func (cf *ConfigFile) get(path ...string) (any, bool) {
	var cur any = cf.Data
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}
