package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

var st = theme.New(theme.Options{NoColor: true})

// blockingPull reports progress every millisecond until canceled, and then
// fails as the backend does.
func blockingPull(ctx context.Context, progress backend.ProgressFunc) (string, error) {
	start := time.Now()
	for i := int64(1); ; i++ {
		progress.Report(backend.Progress{Phase: "fetching", Done: i << 10, Total: 1 << 30, Start: start, Now: time.Now(), Rate: 1 << 20,
			Items: []backend.ProgressItem{{Kind: backend.ItemLayer, Digest: "sha256:0123456789abcdef0123", Status: backend.StatusDownloading, Offset: i << 10, Total: 1 << 30}}})
		select {
		case <-ctx.Done():
			return "", backend.Errorf(backend.ErrCanceled, "pull x: canceled; nothing of it was kept")
		case <-time.After(time.Millisecond):
		}
	}
}

func TestRunnerThrottlesAndCancels(t *testing.T) {
	r := NewRunner(context.Background(), nil)
	loop := uitest.NewLoop(t)
	id, cmd := r.Start(Spec{Action: backend.PullOptions{Ref: "x"}, Namespace: "default", Via: "containerd", Background: true, Run: blockingPull}, time.Now())
	loop.Run(cmd)
	// At 1000 reports/s the page hears at most one per Interval: a busy
	// machine may deliver fewer, never more. Listen for at least 500ms and
	// at least 3 updates (waiting generously for them).
	var updates int
	begin := time.Now()
	for time.Since(begin) < 500*time.Millisecond || updates < 3 {
		msg, ok := loop.Next(30 * time.Second)
		if !ok {
			t.Fatalf("%d progress updates, then none for 30s", updates)
		}
		if pm, ok := msg.(ProgressMsg); ok {
			updates++
			loop.Run(r.Progress(pm))
		}
	}
	if el := time.Since(begin); updates > int(el/Interval)+2 {
		t.Errorf("%d updates in %v at 1000 reports/s, want at most one per %v", updates, el, Interval)
	}
	if r.Running() != 1 || !strings.HasPrefix(Summary(r.Jobs()), "⟳ 1 job") {
		t.Fatalf("running %d, summary %q", r.Running(), Summary(r.Jobs()))
	}
	if !r.Cancel(id) {
		t.Fatal("cancel refused")
	}
	if j, _ := r.Job(id); Outcome(j, time.Now()) != "canceling…" {
		t.Errorf("outcome while canceling: %q", Outcome(j, time.Now()))
	}
	for {
		msg, ok := loop.Next(2 * time.Second)
		if !ok {
			t.Fatal("job did not end after cancel")
		}
		if dm, ok := msg.(DoneMsg); ok {
			j, _ := r.Finish(dm)
			if !j.Canceled() || Outcome(j, time.Now()) != "canceled" || r.Running() != 0 || Summary(r.Jobs()) != "" {
				t.Fatalf("after cancel: %+v outcome %q", j, Outcome(j, time.Now()))
			}
			break
		}
		if pm, ok := msg.(ProgressMsg); ok {
			loop.Run(r.Progress(pm))
		}
	}
}

func TestCanceledWhateverTheError(t *testing.T) {
	r := NewRunner(context.Background(), nil)
	id, _ := r.Start(Spec{Action: backend.PullOptions{Ref: "x"}, Background: true}, time.Now())
	r.Cancel(id)
	j, _ := r.Finish(DoneMsg{ID: id, Err: errors.New("rpc error: context canceled"), At: time.Now()})
	if !j.Canceled() {
		t.Fatalf("%v", j.Err)
	}
}

func TestRowsAndDetail(t *testing.T) {
	start := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	running := Job{ID: 3, Background: true, Job: backend.Job{Action: backend.PullOptions{Ref: "docker.io/library/nginx:1"}, Namespace: "default", Via: "containerd", Started: start,
		Progress: backend.Progress{Phase: "fetching", Done: 10 << 20, Total: 40 << 20, Rate: 5 << 20, Start: start, Now: start.Add(2 * time.Second),
			Items: []backend.ProgressItem{{Kind: backend.ItemLayer, Digest: "sha256:abcdef0123456789", Status: backend.StatusDownloading, Offset: 10 << 20, Total: 40 << 20}}}}}
	failed := Job{ID: 2, Job: backend.Job{Action: backend.TagOptions{Source: "a", Target: "b"}, Started: start, Finished: start.Add(time.Second),
		Err: backend.Errorf(backend.ErrAlreadyExists, "tag a as b: b already exists")}}
	done := Job{ID: 1, Background: true, Job: backend.Job{Action: backend.ExportOptions{Refs: []string{"a"}, Path: "a.tar"}, Started: start, Finished: start.Add(1500 * time.Millisecond)}}
	for _, c := range []struct {
		j    Job
		want []string
	}{
		{running, []string{"3", "pull", "docker.io/library/nginx:1", " 25% 10.0 MiB/40.0 MiB", "5.0 MiB/s", "6s", "fetching 4s"}},
		{failed, []string{"2", "tag", "a -> b", "-", "-", "-", "failed: tag a as b: b already exists"}},
		{done, []string{"1", "export", "a -> a.tar", "-", "-", "-", "done in 1s"}},
	} {
		r := Row(c.j, start.Add(4*time.Second))
		got := []string{r.Cells[colID], r.Cells[colKind], r.Cells[colSubject], r.Cells[colProgress], r.Cells[colRate], r.Cells[colETA], r.Cells[colOutcome]}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("row\n got %q\nwant %q", got, c.want)
		}
	}
	d := ansi.Strip(Detail(st, running, start.Add(4*time.Second), 80, 20))
	for _, want := range []string{"job 3: pull docker.io/library/nginx:1", "via", "containerd", "layer", "abcdef012345", "downloading", "10.0 MiB/40.0 MiB"} {
		if !strings.Contains(d, want) {
			t.Errorf("detail lacks %q:\n%s", want, d)
		}
	}
	for _, w := range []int{0, 1, 10, 40} {
		for _, l := range strings.Split(Detail(st, failed, start, w, 5), "\n") {
			if ansi.StringWidth(l) > w {
				t.Errorf("width %d: %q", w, l)
			}
		}
	}
}

func TestPageCancelsAndShowsDetail(t *testing.T) {
	start := testclock.Now()
	js := []Job{
		{ID: 2, Background: true, Job: backend.Job{Action: backend.PullOptions{Ref: "big"}, Started: start}},
		{ID: 1, Background: true, Job: backend.Job{Action: backend.PullOptions{Ref: "small"}, Started: start, Finished: start}},
	}
	var p page.Page
	p, _ = New(Config{Styles: st, Jobs: js, Now: start})
	p, _ = p.Update(page.SizeMsg{Width: 120, Height: 10})
	if !p.State().Filtered {
		t.Error("esc should belong to the page while a running job is selected")
	}
	_, cmd := p.Update(uitest.Press("esc"))
	if msgs := uitest.Drain(cmd, time.Second); len(msgs) != 1 || msgs[0] != (CancelMsg{ID: 2}) {
		t.Fatalf("esc on a running job yields %v", msgs)
	}
	p, _ = p.Update(uitest.Press("j"))
	if p.State().Filtered {
		t.Error("esc on a finished job should go back a page")
	}
	if _, cmd := p.Update(uitest.Press("x")); cmd != nil {
		t.Error("x on a finished job cancels something")
	}
	p, _ = p.Update(uitest.Press("enter"))
	if v := ansi.Strip(p.View()); !strings.Contains(v, "job 1: pull small") {
		t.Fatalf("detail:\n%s", v)
	}
	p, _ = p.Update(uitest.Press("esc"))
	if v := ansi.Strip(p.View()); !strings.Contains(v, "OUTCOME") {
		t.Fatalf("esc does not leave the detail:\n%s", v)
	}
}

var _ tea.Msg = ChangedMsg{}
