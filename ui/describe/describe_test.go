package describe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

func TestFindMatches(t *testing.T) {
	lower := []string{`"args": [`, `  "sh", "args"`, `nothing`, `aaaa`}
	tests := []struct {
		q    string
		want []match
	}{
		{"", nil},
		{"args", []match{{0, 1}, {1, 9}}},
		{"aa", []match{{3, 0}, {3, 2}}}, // overlapping occurrences count once
		{"zzz", nil},
	}
	for _, tt := range tests {
		if got := findMatches(lower, tt.q); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%q: %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	tx := split("{\n\t\"Name\": \"Ünïcode ÄB\"\r\n}\n")
	if len(tx.lines) != 3 || tx.lines[1] != `    "Name": "Ünïcode ÄB"` {
		t.Fatalf("lines %q", tx.lines)
	}
	// Only ASCII is lowered, so byte offsets agree between the two.
	if tx.lower[1] != `    "name": "Ünïcode Äb"` || len(tx.lower[1]) != len(tx.lines[1]) {
		t.Errorf("lower %q", tx.lower[1])
	}
	if tx.width != 24 {
		t.Errorf("width %d", tx.width)
	}
}

func TestRenderBodyWindow(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	tx := split("short\n0123456789abcdefghij\n\n日本語の行です")
	tests := []struct {
		name          string
		offset, xoff  int
		width, height int
		want          []string
	}{
		{"fits", 0, 0, 30, 10, []string{"short", "0123456789abcdefghij", "", "日本語の行です"}},
		{"cut right", 0, 0, 8, 2, []string{"short", "0123456›"}},
		{"scrolled right", 1, 5, 8, 3, []string{"‹6789ab›", "", "‹の行で›"}},
		{"past the end of a line", 0, 10, 6, 1, []string{"‹"}},
		{"tiny", 1, 0, 2, 1, []string{"01"}},
		{"nothing", 0, 0, 0, 3, nil},
	}
	for _, tt := range tests {
		f := newFrame(st)
		f.t, f.offset, f.xoff, f.width, f.height = tx, tt.offset, tt.xoff, tt.width, tt.height
		out := renderBody(f)
		var got []string
		if out != "" {
			got = strings.Split(ansi.Strip(out), "\n")
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		for _, l := range strings.Split(out, "\n") {
			if w := ansi.StringWidth(l); w > max(tt.width, 0) {
				t.Errorf("%s: line %q is %d wide", tt.name, l, w)
			}
		}
	}
}

func TestHighlightMarksEveryMatchAndTheCurrentOne(t *testing.T) {
	st := theme.New(theme.Options{NoColor: true})
	hit, cur := st.Marked.Underline(true), st.Cursor
	got := highlight(`"Args": ["args"]`, `"args": ["args"]`, "args", 10, hit, cur)
	want := `"` + hit.Render("Args") + `": ["` + cur.Render("args") + `"]`
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := highlight("plain", "plain", "zz", -1, hit, cur); got != "plain" {
		t.Errorf("no match changed the line: %q", got)
	}
}

// spec is a container document as long as a real OCI spec.
func spec() string {
	var b strings.Builder
	b.WriteString("{\n  \"ID\": \"web\",\n  \"Spec\": {\n    \"process\": {\n      \"args\": [\"sleep\", \"3600\"]\n    },\n    \"env\": [\n")
	for i := range 400 {
		fmt.Fprintf(&b, "      \"VAR_%03d=%s\",\n", i, strings.Repeat("x", i%90))
	}
	b.WriteString("      \"LAST=args\"\n    ]\n  }\n}")
	return b.String()
}

func open(t *testing.T, d *fake.Describer, obj page.Object, w, h int) page.Page {
	t.Helper()
	m, cmd := New(Config{ID: 7, Ctx: context.Background(), Object: obj, Native: d, Runtime: d, Timeout: time.Second,
		Styles: theme.New(theme.Options{NoColor: true})})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: w, Height: h})
	p, _ = uitest.Pump(t, p, cmd, 7)
	return p
}

func keys(t *testing.T, p page.Page, ks ...string) page.Page {
	t.Helper()
	for _, k := range ks {
		var cmd tea.Cmd
		p, cmd = p.Update(uitest.Press(k))
		p, _ = uitest.Pump(t, p, cmd, 7)
	}
	return p
}

func screen(p page.Page) string { return ansi.Strip(p.View()) }

func ctrDoc() *fake.Describer {
	return &fake.Describer{Docs: map[string]string{"container default/web": spec()}}
}

func TestScrollAndFlipToYAML(t *testing.T) {
	obj := page.Object{Kind: page.KindContainer, Namespace: "default", ID: "web"}
	p := open(t, ctrDoc(), obj, 60, 10)
	if s := screen(p); !strings.HasPrefix(s, "{\n  \"ID\": \"web\",") || strings.Count(s, "\n") != 9 {
		t.Fatalf("first screen:\n%s", s)
	}
	if st := p.State(); st.Title != "describe container web" || st.Info != "json 1-10/414" {
		t.Errorf("state %+v", st)
	}
	p = keys(t, p, "G")
	if s := screen(p); !strings.HasSuffix(s, "  }\n}") {
		t.Errorf("G does not reach the end:\n%s", s)
	}
	p = keys(t, p, "g", "j", "j")
	if st := p.State(); st.Info != "json 3-12/414" {
		t.Errorf("after g j j: %q", st.Info)
	}
	p = keys(t, p, "y")
	s := screen(p)
	if !strings.HasPrefix(s, "ID: web\nSpec:") || p.State().Info[:4] != "yaml" {
		t.Errorf("y shows YAML from the top:\n%s", s)
	}
	p = keys(t, p, "y")
	if s := screen(p); !strings.HasPrefix(s, "{") {
		t.Errorf("y again shows JSON:\n%s", s)
	}
}

func TestSearchHighlightsAndSteps(t *testing.T) {
	obj := page.Object{Kind: page.KindContainer, Namespace: "default", ID: "web"}
	p := open(t, ctrDoc(), obj, 60, 10)
	p = keys(t, p, "/")
	if !p.State().Typing {
		t.Fatal("/ does not start typing")
	}
	for _, m := range uitest.Type("ARGS") {
		p, _ = p.Update(m)
	}
	if st := p.State(); !st.Typing || !st.Filtered || !strings.HasSuffix(st.Info, "match 1/2") {
		t.Errorf("while typing: %+v", st)
	}
	p = keys(t, p, "enter")
	if st := p.State(); st.Typing || !st.Filtered {
		t.Errorf("enter keeps the search: %+v", st)
	}
	if s := screen(p); !strings.Contains(s, `"args": [`) || !strings.HasSuffix(s, "/ARGS  1/2  (n/N next/previous, esc clears)") {
		t.Errorf("first match on screen, search line last:\n%s", s)
	}
	p = keys(t, p, "n")
	if s := screen(p); !strings.Contains(s, `"LAST=args"`) || !strings.HasSuffix(p.State().Info, "match 2/2") {
		t.Errorf("n goes to the last match:\n%s", s)
	}
	p = keys(t, p, "n")
	if !strings.HasSuffix(p.State().Info, "match 1/2") {
		t.Errorf("n wraps around: %q", p.State().Info)
	}
	p = keys(t, p, "N")
	if !strings.HasSuffix(p.State().Info, "match 2/2") {
		t.Errorf("N wraps back: %q", p.State().Info)
	}
	// The match is drawn with the cursor style (reverse in monochrome).
	if raw := p.View(); !strings.Contains(raw, theme.New(theme.Options{NoColor: true}).Cursor.Render("args")) {
		t.Errorf("current match not highlighted:\n%q", raw)
	}
	p = keys(t, p, "esc")
	if st := p.State(); st.Filtered || strings.Contains(st.Info, "match") {
		t.Errorf("esc clears the search: %+v", st)
	}
}

func TestSearchWithoutMatch(t *testing.T) {
	p := open(t, ctrDoc(), page.Object{Kind: page.KindContainer, Namespace: "default", ID: "web"}, 60, 10)
	p = keys(t, p, "/", "q", "z", "enter", "n")
	if s := screen(p); !strings.Contains(s, "/qz  no match") {
		t.Errorf("no match:\n%s", s)
	}
}

func TestEveryKindAsksTheRightSide(t *testing.T) {
	d := &fake.Describer{Docs: map[string]string{
		"container ns1/c":  `{"a":1}`,
		"image ns1/busy":   `{"a":1}`,
		"namespace ns1":    `{"a":1}`,
		"pod p1":           `{"a":1}`,
		"pod container c1": `{"a":1}`,
	}}
	for _, o := range []page.Object{
		{Kind: page.KindContainer, Namespace: "ns1", ID: "c"},
		{Kind: page.KindImage, Namespace: "ns1", ID: "busy"},
		{Kind: page.KindNamespace, ID: "ns1"},
		{Kind: page.KindPod, ID: "p1", Name: "web"},
		{Kind: page.KindPodContainer, ID: "c1"},
	} {
		if s := screen(open(t, d, o, 40, 5)); s != "{\n  \"a\": 1\n}" {
			t.Errorf("%v: %q", o, s)
		}
	}
	if len(d.Calls) != 5 {
		t.Errorf("calls %q", d.Calls)
	}
}

func TestUnavailableSideSaysWhy(t *testing.T) {
	criErr := backend.Errorf(backend.ErrCRIUnavailable, "CRI is off on this node")
	m, cmd := New(Config{ID: 7, Ctx: context.Background(), Object: page.Object{Kind: page.KindPod, ID: "p", Name: "web"},
		CRIErr: criErr, Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 80, Height: 5})
	msgs := uitest.Drain(cmd, time.Second)
	var report tea.Cmd
	p, report = p.Update(msgs[0].(page.Reply).Msg)
	if s := strings.TrimSpace(screen(p)); s != "pod web: CRI is off on this node" {
		t.Errorf("screen %q", s)
	}
	if got := uitest.Drain(report, time.Second); len(got) != 1 || !errors.Is(got[0].(page.ErrMsg).Err, backend.ErrCRIUnavailable) {
		t.Errorf("not reported: %v", got)
	}
	// A missing native side with no reason still says something.
	m, cmd = New(Config{ID: 7, Ctx: context.Background(), Object: page.Object{Kind: page.KindImage, ID: "i"},
		Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	p = m
	p, _ = p.Update(page.SizeMsg{Width: 80, Height: 5})
	p, _ = uitest.Pump(t, p, cmd, 7)
	if s := screen(p); !strings.Contains(s, "cannot describe") {
		t.Errorf("screen %q", s)
	}
}

func TestRefreshDropsStaleReplyAndKeepsPlace(t *testing.T) {
	d := ctrDoc()
	obj := page.Object{Kind: page.KindContainer, Namespace: "default", ID: "web"}
	p := open(t, d, obj, 60, 10)
	p = keys(t, p, "j", "j", "j")
	var first tea.Cmd
	p, first = p.Update(uitest.Press("ctrl+r"))
	stale := uitest.Drain(first, time.Second)
	var second tea.Cmd
	p, second = p.Update(uitest.Press("ctrl+r"))
	d.SetDoc("container default/web", `{"changed": true}`)
	p, _ = p.Update(stale[0].(page.Reply).Msg) // the older read: dropped
	if !strings.Contains(screen(p), `"process": {`) || p.State().Info != "json 4-13/414" {
		t.Errorf("stale reply applied or place lost: %s", p.State().Info)
	}
	p, _ = uitest.Pump(t, p, second, 7)
	if s := screen(p); s != "{\n  \"changed\": true\n}" {
		t.Errorf("after refresh:\n%s", s)
	}
}

func TestViewFitsEverySize(t *testing.T) {
	d := ctrDoc()
	obj := page.Object{Kind: page.KindContainer, Namespace: "default", ID: "web"}
	for _, w := range []int{0, 1, 2, 3, 7, 40, 200} {
		for _, h := range []int{0, 1, 2, 5, 30} {
			p := open(t, d, obj, w, h)
			for _, k := range []string{"", "G", "right", "right", "/", "x", "enter", "n", "y"} {
				if k != "" {
					p = keys(t, p, k)
				}
				v := p.View()
				lines := strings.Split(v, "\n")
				if v != "" && len(lines) > h {
					t.Fatalf("%dx%d after %q: %d lines", w, h, k, len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) > w {
						t.Fatalf("%dx%d after %q: line %q is %d wide", w, h, k, ansi.Strip(l), ansi.StringWidth(l))
					}
				}
			}
		}
	}
}

func BenchmarkViewBigSpec(b *testing.B) {
	var sb strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&sb, "  \"line %d\": \"%s\",\n", i, strings.Repeat("v", i%200))
	}
	d := &fake.Describer{Docs: map[string]string{"container default/big": "{\n" + sb.String() + "  \"end\": 1\n}"}}
	m, cmd := New(Config{ID: 7, Ctx: context.Background(), Object: page.Object{Kind: page.KindContainer, Namespace: "default", ID: "big"},
		Native: d, Timeout: time.Second, Styles: theme.New(theme.Options{})})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 40})
	for _, msg := range uitest.Drain(cmd, 5*time.Second) {
		p, _ = p.Update(msg.(page.Reply).Msg)
	}
	p, _ = p.Update(uitest.Press("G"))
	b.ResetTimer()
	for b.Loop() {
		p, _ = p.Update(uitest.Press("k"))
		_ = p.View()
	}
}

// A k8s.io container's record starts with the pod CRI says it (or the
// sandbox it is) belongs to, by the sandbox's metadata: a crictl runp pod
// has no pod labels to read it from. A container CRI does not know, and
// other namespaces, show the record as containerd gave it.
func TestContainerDescribeNamesItsPod(t *testing.T) {
	runp := backend.PodRef{SandboxID: "sb9", Name: "runp", Namespace: "tools", UID: "u9", Container: "app"}
	d := &fake.Describer{
		Docs: map[string]string{"container k8s.io/c9": `{"ID": "c9", "Labels": {}}`, "container k8s.io/native": `{"ID": "native"}`,
			"container default/c9": `{"ID": "c9"}`},
		PodsByID: map[string]backend.PodRef{"c9": runp},
	}
	s := screen(open(t, d, page.Object{Kind: page.KindContainer, Namespace: "k8s.io", ID: "c9"}, 60, 20))
	want := "{\n  \"Pod\": {\n    \"SandboxID\": \"sb9\",\n    \"Name\": \"runp\",\n    \"Namespace\": \"tools\",\n    \"UID\": \"u9\",\n    \"Container\": \"app\"\n  },\n  \"ID\": \"c9\","
	if !strings.HasPrefix(s, want) {
		t.Errorf("k8s.io container:\n%s\nwant it to start\n%s", s, want)
	}
	for _, o := range []page.Object{{Kind: page.KindContainer, Namespace: "k8s.io", ID: "native"}, {Kind: page.KindContainer, Namespace: "default", ID: "c9"}} {
		if s := screen(open(t, d, o, 60, 20)); strings.Contains(s, "Pod") {
			t.Errorf("%v: %s", o, s)
		}
	}
}
