package uitest

import "testing"

func TestNames(t *testing.T) {
	for _, s := range []string{"j", "G", "enter", "esc", "ctrl+r", "space", "/", ":", "?", "pgdown", "tab"} {
		if got := Press(s).String(); got != s {
			t.Errorf("Press(%q).String() = %q", s, got)
		}
	}
}
