package table

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/theme"
)

var testCols = []Column{
	{Title: "NAME", Key: 'n', Flex: 1, Min: 8},
	{Title: "SIZE", Key: 's', Width: 6, Align: AlignRight, Numeric: true},
}

func rows(n int) []Row {
	out := make([]Row, n)
	for i := range out {
		out[i] = Row{
			ID:     fmt.Sprintf("id%05d", i),
			Cells:  []string{fmt.Sprintf("docker.io/library/img%05d:latest", i), fmt.Sprint(n - i)},
			Num:    []int64{0, int64(n - i)},
			Labels: map[string]string{"even": fmt.Sprint(i%2 == 0)},
		}
	}
	return out
}

func newTable(n, w, h int) Model {
	m := New(testCols, theme.New(theme.Options{NoColor: true}))
	m.SetSize(w, h)
	m.SetRows(rows(n))
	return m
}

func send(m Model, keys ...string) Model {
	for _, k := range keys {
		m, _ = m.Update(uitest.Press(k))
	}
	return m
}

func typeText(m Model, s string) Model {
	for _, msg := range uitest.Type(s) {
		m, _ = m.Update(msg)
	}
	return m
}

func selected(t *testing.T, m Model) string {
	t.Helper()
	id, ok := m.SelectedID()
	if !ok {
		t.Fatal("no row selected")
	}
	return id
}

func TestNavigation(t *testing.T) {
	m := newTable(100, 60, 11) // header + 10 rows
	tests := []struct {
		keys []string
		want string
	}{
		{nil, "id00000"},
		{[]string{"j", "j", "down"}, "id00003"},
		{[]string{"j", "k", "up"}, "id00000"},
		{[]string{"G"}, "id00099"},
		{[]string{"G", "g"}, "id00000"},
		{[]string{"end", "home"}, "id00000"},
		{[]string{"pgdown"}, "id00010"},
		{[]string{"pgdown", "pgdown", "pgup"}, "id00010"},
		{[]string{"pgup"}, "id00000"},
	}
	for _, tt := range tests {
		if got := selected(t, send(m, tt.keys...)); got != tt.want {
			t.Errorf("%v: cursor on %s, want %s", tt.keys, got, tt.want)
		}
	}
}

func TestMouseWheel(t *testing.T) {
	m := newTable(100, 60, 11)
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := selected(t, m); got != "id00006" {
		t.Fatalf("after two wheel-downs cursor on %s", got)
	}
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if got := selected(t, m); got != "id00003" {
		t.Fatalf("after wheel-up cursor on %s", got)
	}
}

func TestSortAndReverse(t *testing.T) {
	m := newTable(5, 60, 10)
	m = send(m, "S") // SIZE ascending: id00004 has size 1
	if got := selected(t, send(m, "g")); got != "id00004" {
		t.Fatalf("sorted by size, first row %s", got)
	}
	if col, desc := m.Sort(); col != 1 || desc {
		t.Fatalf("Sort() = %d, %v", col, desc)
	}
	m = send(m, "S")
	if _, desc := m.Sort(); !desc {
		t.Fatal("second S did not reverse")
	}
	if got := selected(t, send(m, "g")); got != "id00000" {
		t.Fatalf("reversed, first row %s", got)
	}
	if !strings.Contains(ansi.Strip(m.View()), "SIZE↓") {
		t.Fatalf("header shows no sort arrow:\n%s", m.View())
	}
}

func TestCursorFollowsRowThroughSortAndFilter(t *testing.T) {
	m := newTable(50, 60, 10)
	m = send(m, "j", "j", "j") // id00003
	m = send(m, "S")
	if got := selected(t, m); got != "id00003" {
		t.Fatalf("after sort cursor on %s", got)
	}
	m = send(m, "/")
	m = typeText(m, "img0000")
	if got := selected(t, m); got != "id00003" {
		t.Fatalf("after filter cursor on %s", got)
	}
}

func TestFilterTyping(t *testing.T) {
	m := newTable(1000, 80, 20)
	m = send(m, "/")
	if !m.Typing() {
		t.Fatal("/ did not open the filter")
	}
	m = typeText(m, "img0099")
	if m.Shown() != 10 {
		t.Fatalf("img0099 shows %d rows, want 10", m.Shown())
	}
	m = send(m, "q") // typed, not a command
	if m.Filter() != "img0099q" || m.Shown() != 0 {
		t.Fatalf("filter %q shows %d", m.Filter(), m.Shown())
	}
	if !strings.Contains(m.View(), "no rows match the filter") {
		t.Fatal("empty result not explained")
	}
	m = send(m, "backspace", "enter")
	if m.Typing() || m.Shown() != 10 || m.Info() != "10/1000" {
		t.Fatalf("enter: typing=%v shown=%d info=%s", m.Typing(), m.Shown(), m.Info())
	}
	m = send(m, "/", "esc")
	if m.Typing() || m.Filter() != "" || m.Shown() != 1000 {
		t.Fatalf("esc: typing=%v filter=%q shown=%d", m.Typing(), m.Filter(), m.Shown())
	}
}

func TestFilterInvertAndLabels(t *testing.T) {
	m := newTable(100, 80, 20)
	m.SetFilter("!img0000")
	if m.Shown() != 90 {
		t.Fatalf("!img0000 shows %d, want 90", m.Shown())
	}
	m.SetFilter("-l even=true")
	if m.Shown() != 50 {
		t.Fatalf("-l even=true shows %d, want 50", m.Shown())
	}
	m.SetFilter("-l even=true img0000")
	if m.Shown() != 5 {
		t.Fatalf("-l even=true img0000 shows %d, want 5", m.Shown())
	}
}

func TestMarks(t *testing.T) {
	m := newTable(10, 60, 10)
	m = send(m, "space", "space", "k", "space") // mark 0, 1, unmark 1
	if got := m.Marked(); len(got) != 1 || got[0] != "id00000" {
		t.Fatalf("Marked() = %v", got)
	}
	if !strings.Contains(ansi.Strip(m.View()), "*docker.io/library/img00000") {
		t.Fatalf("mark not shown:\n%s", m.View())
	}
	m.SetRows(rows(10)[1:]) // id00000 disappears: so does its mark
	if got := m.Marked(); len(got) != 0 {
		t.Fatalf("Marked() after removal = %v", got)
	}
}

func TestUpdateRowsResortsAndRefilters(t *testing.T) {
	m := newTable(3, 60, 10)
	m = send(m, "S") // ascending size: id00002(1), id00001(2), id00000(3)
	r := rows(3)[2]
	r.Cells[1], r.Num[1] = "99", 99
	m.UpdateRows(r)
	if got := selected(t, send(m, "G")); got != "id00002" {
		t.Fatalf("after update, last row %s", got)
	}
	m.SetFilter("99")
	if m.Shown() != 1 {
		t.Fatalf("filter on the updated cell shows %d", m.Shown())
	}
}

func TestNear(t *testing.T) {
	m := newTable(100, 60, 4) // 3 body rows
	m = send(m, "pgdown", "pgdown")
	got := m.Near(2, nil)
	want := []string{"id00004", "id00005", "id00006", "id00007", "id00008", "id00003", "id00002"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Near = %v, want %v", got, want)
	}
}

func TestViewFitsEverySize(t *testing.T) {
	for _, n := range []int{0, 3, 200} {
		for w := 0; w <= 120; w += 7 {
			for h := 0; h <= 30; h += 3 {
				m := newTable(n, w, h)
				m = send(m, "/")
				m = typeText(m, "img")
				v := m.View()
				lines := strings.Split(v, "\n")
				if v != "" && len(lines) > h {
					t.Fatalf("%d rows at %dx%d: %d lines", n, w, h, len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) > w {
						t.Fatalf("%d rows at %dx%d: line %q is %d wide", n, w, h, l, ansi.StringWidth(l))
					}
				}
			}
		}
	}
}

// BenchmarkFilterKeystroke10k is one filter keystroke at 10,000 rows up to
// the next frame: the key goes through Update (textinput, parse, scan over
// the lowercased rows) and then View renders the screen. The budget is
// 16 ms, one frame at 60 Hz.
func BenchmarkFilterKeystroke10k(b *testing.B) {
	m := newTable(10000, 160, 50)
	m = send(m, "/")
	keys := []tea.Msg{uitest.Press("i"), uitest.Press("m"), uitest.Press("g"), uitest.Press("backspace"), uitest.Press("backspace"), uitest.Press("backspace")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m, _ = m.Update(keys[i%len(keys)])
		_ = m.View()
	}
}

// BenchmarkFilterWorstCase10k filters with a term that matches no row, so
// every row is scanned to its end.
func BenchmarkFilterWorstCase10k(b *testing.B) {
	m := newTable(10000, 160, 50)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.SetFilter("zzzz-no-such-image")
		} else {
			m.SetFilter("")
		}
		_ = m.View()
	}
}

// BenchmarkView10k is a frame with no change: what scrolling costs.
func BenchmarkView10k(b *testing.B) {
	m := newTable(10000, 160, 50)
	m = send(m, "pgdown")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkSort10k is one Shift+letter at 10,000 rows.
func BenchmarkSort10k(b *testing.B) {
	m := newTable(10000, 160, 50)
	b.ReportAllocs()
	for b.Loop() {
		m, _ = m.Update(uitest.Press("N"))
		_ = m.View()
	}
}

func TestFilterFuzzy(t *testing.T) {
	m := New(testCols, theme.New(theme.Options{NoColor: true}))
	m.SetSize(80, 20)
	m.SetRows([]Row{
		{ID: "a", Cells: []string{"registry.k8s.io/pause:3.10", "1"}},
		{ID: "b", Cells: []string{"localhost/test/busybox:latest", "2"}},
		{ID: "c", Cells: []string{"docker.io/library/busybox:1.36", "3"}},
		{ID: "d", Cells: []string{"b-u-s-y-b-o-x/l/a/t/e/s/t", "4"}},
	})
	// Plain text stays a substring filter: no fuzzy noise.
	m.SetFilter("bbxlt")
	if m.Shown() != 0 {
		t.Fatalf("bbxlt without -f shows %d rows", m.Shown())
	}
	// -f ranks the tight match first, the scattered one after, and leaves
	// out what does not hold the characters in order.
	m.SetFilter("-f busyboxlatest")
	if m.Shown() != 2 {
		t.Fatalf("-f busyboxlatest shows %d rows, want 2", m.Shown())
	}
	if got := selected(t, m); got != "b" {
		t.Fatalf("best fuzzy match is %s, want b", got)
	}
	m.SetFilter("-f -l none=1 busybox")
	if m.Shown() != 0 {
		t.Fatalf("-f with a label selector nobody has shows %d rows", m.Shown())
	}
}

// BenchmarkFilterFuzzy10k is a fuzzy keystroke at 10,000 rows to the next
// frame, scoring and ranking every row.
func BenchmarkFilterFuzzy10k(b *testing.B) {
	m := newTable(10000, 160, 50)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.SetFilter([]string{"-f dlib5lt", "-f dlib7lt"}[i%2])
		_ = m.View()
	}
}
