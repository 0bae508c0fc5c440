package doctor

import (
	"context"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	checks "github.com/ctui/ctui/backend/doctor"
)

// RanMsg is a finished doctor run, worst first. The page sends it on to the
// root, whose header shows a badge while the last run found failures; the
// root's own background run at start answers with it too.
type RanMsg struct {
	Findings []checks.Finding
	At       time.Time
}

// Fails is how many checks failed.
func (r RanMsg) Fails() int { return checks.Count(r.Findings, checks.FAIL) }

// Badge is the header's "doctor: 2 FAIL", or "" when nothing failed.
func Badge(r RanMsg) string {
	if n := r.Fails(); n > 0 {
		return "doctor: " + strconv.Itoa(n) + " FAIL"
	}
	return ""
}

// Source is what a run reads: the connected node and where its files are.
type Source struct {
	Backend *backend.Backend
	Options checks.Options
	// Unavailable says why the checks cannot run here (a remote node:
	// they read the files of the machine ctui runs on).
	Unavailable error
}

// SourceOf is the node :doctor checks: the connected backend, the files
// under o's root; a remote node's only when o reads them there (o.Node).
// A zero o.Timeout is timeout.
func SourceOf(b *backend.Backend, o checks.Options, timeout time.Duration) Source {
	if o.Timeout <= 0 {
		o.Timeout = timeout
	}
	src := Source{Backend: b, Options: o}
	if r := b.Config.Remote; r != "" && o.Node == nil {
		src.Unavailable = checks.RemoteRefusal(r)
	}
	return src
}

// RunCmd gathers the node's facts and runs every check, as `ctui doctor`
// does, and answers with a RanMsg. Built from values only; ctx bounds it.
func RunCmd(ctx context.Context, src Source, now func() time.Time) func() tea.Msg {
	return func() tea.Msg {
		f := checks.Gather(ctx, src.Backend, src.Options)
		fs := checks.Run(f, checks.Checks())
		checks.SortWorstFirst(fs)
		return RanMsg{Findings: fs, At: now()}
	}
}

// loadedMsg is the page's own copy of a run, tagged with its generation.
type loadedMsg struct {
	gen uint64
	ran RanMsg
}

// RunLater runs the checks once after delay, in the background: the root
// uses it at start so the header's badge appears without opening :doctor,
// after the first screen has had the daemon to itself.
func RunLater(ctx context.Context, src Source, delay, timeout time.Duration, now func() time.Time) tea.Cmd {
	return tea.Tick(delay, func(time.Time) tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return RunCmd(cctx, src, now)()
	})
}
