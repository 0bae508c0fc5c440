package prune

import (
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Options
		err  string
	}{
		{args: []string{"images"}, want: Options{What: Images, MinAge: DefaultMinAge, StaleAge: backend.DefaultStaleAge}},
		{args: []string{"images", "-A"}, want: Options{What: Images, AllNamespaces: true, MinAge: DefaultMinAge, StaleAge: backend.DefaultStaleAge}},
		{args: []string{"containers", "30m"}, want: Options{What: Containers, MinAge: 30 * time.Minute, StaleAge: backend.DefaultStaleAge}},
		{args: []string{"content"}, want: Options{What: Content, MinAge: DefaultMinAge, StaleAge: backend.DefaultStaleAge}},
		{args: nil, err: "prune what?"},
		{args: []string{"volumes"}, err: "prune images, containers or content"},
		{args: []string{"containers", "soon"}, err: "give an age"},
		{args: []string{"content", "-A"}, err: "current namespace"},
	} {
		got, err := ParseArgs(tc.args)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%v: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	res := backend.PruneResult{Removed: []string{"image a"}, Skipped: []backend.PruneSkip{{What: "image b", Reason: "container x uses it since the preview"}}, GC: true}
	s := Outcome(res, backend.Freed{Before: 100 << 20, After: 150 << 20})
	for _, want := range []string{"freed 50.0 MiB (statfs before and after)", "removed 1", "skipped image b (container x uses it since the preview)", "garbage collected"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	if s := Outcome(res, backend.Freed{Before: 150 << 20, After: 100 << 20}); !strings.Contains(s, "freed nothing measurable") {
		t.Error(s)
	}
	if s := Outcome(res, backend.Freed{Err: backend.Errorf(backend.ErrFailed, "statfs")}); !strings.Contains(s, "freed: not measured") {
		t.Error(s)
	}
}

func TestSummaryAndRows(t *testing.T) {
	p := Plan{What: Images, Images: backend.PruneImagesPlan{
		Remove:  []backend.PruneImage{{Namespace: "default", Target: "sha256:a", Names: []string{"a:1", "a:2"}, Reclaim: 1 << 20}},
		Keep:    []backend.PruneKeep{{Namespace: "default", Target: "sha256:b", Names: []string{"pause:3"}, Reason: "the pod sandbox image"}},
		Reclaim: 1 << 20,
	}}
	if s := Summary(p); s != "will remove 1 images (2 names) no container uses, freeing 1.0 MiB; keeps 1 (why below)" {
		t.Error(s)
	}
	rows := Rows(p)
	if len(rows) != 2 || rows[0].Cells[0] != "remove" || rows[0].Cells[2] != "a:1 (+1 names)" || rows[1].Cells[4] != "the pod sandbox image" {
		t.Errorf("rows %+v", rows)
	}
}
