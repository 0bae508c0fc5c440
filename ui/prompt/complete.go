package prompt

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// maxCandidates bounds how many names the hint line lists.
const maxCandidates = 12

// CompletedMsg answers a tab in a path field: Value replaces Input if the
// field still holds Input; Candidates are the names that remain when more
// than one matches. The root hands it to the dialog whose ID it carries.
type CompletedMsg struct {
	ID         uint64
	Input      string
	Value      string
	Candidates []string
	Err        string // why the directory could not be read
}

// Entry is one name in a directory, for Complete.
type Entry struct {
	Name string
	Dir  bool
}

// completeCmd reads the directory the input points into and completes the
// input from its names, off the update loop.
func completeCmd(id uint64, input string) tea.Cmd {
	return func() tea.Msg {
		dir, _ := splitPath(input)
		des, err := os.ReadDir(expandHome(dirOrDot(dir)))
		if err != nil {
			msg := "cannot read " + dirOrDot(dir)
			if os.IsNotExist(err) {
				msg = "no directory " + dirOrDot(dir)
			}
			return CompletedMsg{ID: id, Input: input, Value: input, Err: msg}
		}
		entries := make([]Entry, 0, len(des))
		for _, de := range des {
			isDir := de.IsDir()
			if de.Type()&os.ModeSymlink != 0 {
				if fi, err := os.Stat(filepath.Join(expandHome(dirOrDot(dir)), de.Name())); err == nil {
					isDir = fi.IsDir()
				}
			}
			entries = append(entries, Entry{Name: de.Name(), Dir: isDir})
		}
		value, cands := Complete(input, entries)
		return CompletedMsg{ID: id, Input: input, Value: value, Candidates: cands}
	}
}

// Complete completes input from the names of the directory it points into,
// as a shell does: one match is completed (a directory gets its slash), more
// are completed to their longest common prefix and returned as candidates
// (directories with a slash). Hidden names match only a base that starts
// with a dot.
func Complete(input string, entries []Entry) (value string, candidates []string) {
	dir, base := splitPath(input)
	var match []Entry
	for _, e := range entries {
		if strings.HasPrefix(e.Name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if strings.HasPrefix(e.Name, base) {
			match = append(match, e)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].Name < match[j].Name })
	switch len(match) {
	case 0:
		return input, nil
	case 1:
		name := match[0].Name
		if match[0].Dir {
			name += "/"
		}
		return dir + name, nil
	}
	prefix := match[0].Name
	for _, e := range match[1:] {
		prefix = commonPrefix(prefix, e.Name)
	}
	for _, e := range match {
		n := e.Name
		if e.Dir {
			n += "/"
		}
		candidates = append(candidates, n)
	}
	return dir + prefix, candidates
}

// splitPath cuts input after its last slash: the directory part as typed
// (kept verbatim in the completed value) and the base to match.
func splitPath(input string) (dir, base string) {
	i := strings.LastIndex(input, "/")
	if i < 0 {
		return "", input
	}
	return input[:i+1], input[i+1:]
}

func dirOrDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// expandHome reads ~/ as the home directory, as the shell the operator
// came from would.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + strings.TrimPrefix(p, "~")
		}
	}
	return p
}

// ExpandHome is expandHome for the actions that take the path a dialog
// completed: what completion showed is what they open.
func ExpandHome(p string) string { return expandHome(p) }

func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[:i]
		}
	}
	return a[:n]
}

func joinCandidates(c []string) string {
	if len(c) > maxCandidates {
		return strings.Join(c[:maxCandidates], "  ") + "  …"
	}
	return strings.Join(c, "  ")
}
