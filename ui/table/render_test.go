package table

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestLayout(t *testing.T) {
	cols := []Column{
		{Title: "REF", Flex: 2, Min: 10},
		{Title: "DIGEST", Width: 12},
		{Title: "SIZE", Width: 8},
		{Title: "PLATFORMS", Flex: 1, Min: 9},
	}
	tests := []struct {
		name  string
		total int
		want  []int
	}{
		{"zero", 0, []int{0, 0, 0, 0}},
		{"exact minimum", 1 + 10 + 12 + 8 + 9 + 3, []int{10, 12, 8, 9}},
		{"extra split 2:1", 1 + 10 + 12 + 8 + 9 + 3 + 30, []int{30, 12, 8, 19}},
		{"rounding goes to the last flex", 1 + 10 + 12 + 8 + 9 + 3 + 1, []int{10, 12, 8, 10}},
		{"too narrow hides the right", 25, []int{10, 12, 0, 0}},
		{"narrower still cuts", 15, []int{10, 3, 0, 0}},
		{"one cell", 2, []int{1, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := layout(cols, tt.total, nil)
			if !equal(got, tt.want) {
				t.Fatalf("layout(%d) = %v, want %v", tt.total, got, tt.want)
			}
			var b strings.Builder
			renderLine(&b, " ", []string{strings.Repeat("r", 50), "d", "s", "p"}, cols, got)
			if w := ansi.StringWidth(b.String()); w > max(tt.total, 1) && tt.total > 0 {
				t.Fatalf("line %q is %d wide, more than %d", b.String(), w, tt.total)
			}
		})
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFit(t *testing.T) {
	tests := []struct {
		in    string
		w     int
		right bool
		want  string
	}{
		{"abc", 5, false, "abc  "},
		{"abc", 5, true, "  abc"},
		{"abcdef", 4, false, "abc…"},
		{"abcdef", 4, true, "abc…"},
		{"abc", 3, false, "abc"},
		{"abc", 0, false, ""},
		{"日本語", 4, false, "日… "},
		{"", 2, false, "  "},
	}
	for _, tt := range tests {
		var b strings.Builder
		fit(&b, tt.in, tt.w, tt.right)
		if b.String() != tt.want {
			t.Errorf("fit(%q, %d, %v) = %q, want %q", tt.in, tt.w, tt.right, b.String(), tt.want)
		}
	}
}

func TestRenderLine(t *testing.T) {
	cols := []Column{{Title: "A", Width: 3}, {Title: "B", Width: 4, Align: AlignRight}, {Title: "C", Width: 2}}
	tests := []struct {
		name   string
		mark   string
		cells  []string
		widths []int
		want   string
	}{
		{"all", " ", []string{"x", "12", "yy"}, []int{3, 4, 2}, " x     12 yy"},
		{"marked", "*", []string{"x", "12", "yy"}, []int{3, 4, 2}, "*x     12 yy"},
		{"missing cells", " ", []string{"x"}, []int{3, 4, 2}, " x          "},
		{"hidden middle", " ", []string{"x", "12", "yy"}, []int{3, 0, 2}, " x   yy"},
		{"cut", " ", []string{"xxxxx", "123456", "y"}, []int{3, 4, 2}, " xx… 123… y "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			renderLine(&b, tt.mark, tt.cells, cols, tt.widths)
			if b.String() != tt.want {
				t.Fatalf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestParseFilter(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": "front"}
	tests := []struct {
		expr   string
		text   string
		labels map[string]string
		want   bool
	}{
		{"", "anything", nil, true},
		{"Nginx", "docker.io/library/nginx:1", nil, true},
		{"nginx", "docker.io/library/busybox", nil, false},
		{"!nginx", "docker.io/library/busybox", nil, true},
		{"!nginx", "docker.io/library/nginx", nil, false},
		{"!", "x", nil, true},
		{"-l app=web", "x", labels, true},
		{"-l app=db", "x", labels, false},
		{"-l app=web,tier=front", "x", labels, true},
		{"-l app=web,tier=back", "x", labels, false},
		{"-l app=web nginx", "nginx", labels, true},
		{"-l app=web nginx", "busybox", labels, false},
		{"-l app=web", "x", nil, false},
		{"-l", "-l", nil, true}, // a lone -l is text
	}
	for _, tt := range tests {
		f := parseFilter(tt.expr)
		if got := f.match(strings.ToLower(tt.text), tt.labels); got != tt.want {
			t.Errorf("filter %q on %q %v = %v, want %v", tt.expr, tt.text, tt.labels, got, tt.want)
		}
	}
}

func TestLayoutNaturalAndDrop(t *testing.T) {
	cols := []Column{
		{Title: "REF", Flex: 3, Min: 20},
		{Title: "DIGEST", Width: 19},
		{Title: "SIZE", Width: 10},
		{Title: "PLATFORMS", Flex: 1, Min: 9, Drop: 1},
		{Title: "CREATED", Width: 8, Drop: 2},
		{Title: "USED BY", Width: 7, Drop: 3},
	}
	natural := []int{29, 19, 7, 11, 3, 1}
	tests := []struct {
		name  string
		total int
		want  []int
	}{
		// 1 gutter + 29+19+10+11+8+7 + 5 spaces = 90: everything fits, the
		// rest goes to the flexible columns 3:1.
		{"wide: all at natural width or more", 100, []int{29 + 7, 19, 10, 11 + 3, 8, 7}},
		// At 80, USED BY and CREATED go before the reference is cut.
		{"80 columns drop the least useful first", 80, []int{29 + 5, 19, 10, 11 + 2, 0, 0}},
		// Narrower than every natural width: minimums, left to right.
		{"very narrow falls back to minimums", 50, []int{20, 19, 8, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := layout(cols, tt.total, natural)
			if !equal(got, tt.want) {
				t.Fatalf("layout(%d) = %v, want %v", tt.total, got, tt.want)
			}
			var b strings.Builder
			renderLine(&b, " ", []string{strings.Repeat("r", 29), "d", "s", "p", "c", "u"}, cols, got)
			if w := ansi.StringWidth(b.String()); w > tt.total {
				t.Fatalf("line %q is %d wide, more than %d", b.String(), w, tt.total)
			}
		})
	}
}
