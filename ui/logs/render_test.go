package logs

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/theme"
)

func mustCompile(t *testing.T, q logio.Query) *logio.Matcher {
	t.Helper()
	m, err := logio.Compile(q)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRenderLine(t *testing.T) {
	mono := theme.New(theme.Options{NoColor: true})
	at := time.Date(2026, 1, 10, 12, 0, 1, 234_000_000, time.FixedZone("CET", 3600))
	long := strings.Repeat("0123456789", 5) // 50 cells
	tests := []struct {
		name string
		line backend.LogLine
		o    lineOpts
		want []string // plain text of each screen line
	}{
		{"short line", backend.LogLine{Text: "hello"}, lineOpts{width: 20}, []string{"hello"}},
		{"cut with a mark", backend.LogLine{Text: long}, lineOpts{width: 10}, []string{"012345678›"}},
		{"scrolled right", backend.LogLine{Text: long}, lineOpts{width: 10, xoff: 10}, []string{"‹12345678›"}},
		{"scrolled to the end", backend.LogLine{Text: long}, lineOpts{width: 10, xoff: 40}, []string{"‹123456789"}},
		{"wrapped", backend.LogLine{Text: long}, lineOpts{width: 20, wrap: true}, []string{long[:20], long[20:40], long[40:]}},
		{"empty wrapped", backend.LogLine{}, lineOpts{width: 20, wrap: true}, []string{""}},
		{"timestamp in UTC", backend.LogLine{Text: "x", Time: at}, lineOpts{width: 40, timestamps: true}, []string{"2026-01-10T11:00:01.234Z x"}},
		{"no time: blank column", backend.LogLine{Text: "x"}, lineOpts{width: 40, timestamps: true}, []string{strings.Repeat(" ", 25) + "x"}},
		{"tabs and controls", backend.LogLine{Text: "a\tb\x07c"}, lineOpts{width: 40}, []string{"a       b^Gc"}},
		{"escape sequences stripped", backend.LogLine{Text: "\x1b[31mred\x1b[0m \x1b[2Jok"}, lineOpts{width: 40}, []string{"red ok"}},
		{"wide runes wrap by cells", backend.LogLine{Text: "日本語テキスト"}, lineOpts{width: 6, wrap: true}, []string{"日本語", "テキス", "ト"}},
		{"width zero", backend.LogLine{Text: "x"}, lineOpts{}, []string{""}},
	}
	for _, tt := range tests {
		tt.o.st = mono
		got := renderLine(tt.line, tt.o)
		plain := make([]string, len(got))
		for i, l := range got {
			plain[i] = ansi.Strip(l)
			if w := ansi.StringWidth(l); tt.o.width > 0 && w > tt.o.width {
				t.Errorf("%s: line %d is %d cells wide, more than %d", tt.name, i, w, tt.o.width)
			}
		}
		if strings.Join(plain, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %q, want %q", tt.name, plain, tt.want)
		}
		if h := lineHeight(tt.line, tt.o); h != len(got) {
			t.Errorf("%s: lineHeight %d, renderLine gave %d lines", tt.name, h, len(got))
		}
	}
}

// TestRenderLineStyles checks what tells lines and matches apart without
// colour: stderr bold, matches underlined, the current hit's matches
// reversed.
func TestRenderLineStyles(t *testing.T) {
	mono := theme.New(theme.Options{NoColor: true})
	const bold, reverse = "\x1b[1m", "7m"
	out := renderLine(backend.LogLine{Text: "plain", Stream: backend.StreamStdout}, lineOpts{width: 40, st: mono})[0]
	if out != "plain" {
		t.Errorf("stdout is drawn as is: %q", out)
	}
	errLine := renderLine(backend.LogLine{Text: "oops", Stream: backend.StreamStderr}, lineOpts{width: 40, st: mono})[0]
	if !strings.Contains(errLine, bold) {
		t.Errorf("stderr is bold without colour: %q", errLine)
	}
	s := mustCompile(t, logio.Query{Pattern: "err"})
	hit := renderLine(backend.LogLine{Text: "an ERR and an err"}, lineOpts{width: 40, st: mono, search: s})[0]
	if !strings.Contains(hit, "4mE") || !strings.Contains(hit, "4me") || !strings.Contains(hit, "m and an \x1b") || ansi.Strip(hit) != "an ERR and an err" {
		t.Errorf("both matches underlined, text intact: %q", hit)
	}
	cur := renderLine(backend.LogLine{Text: "an err"}, lineOpts{width: 40, st: mono, search: s, current: true})[0]
	if !strings.Contains(cur, reverse) {
		t.Errorf("the current hit is reversed: %q", cur)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "all", time.Minute: "1m", 15 * time.Minute: "15m", time.Hour: "1h", 90 * time.Second: "1m30s"} {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
}
