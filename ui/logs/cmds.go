package logs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
)

// request is everything one opening of the log is built from: values only,
// so the command never reads the model from its goroutine.
type request struct {
	finder   target.Finder
	fs       logio.FS // where the log files are: nil here, a node's over ssh://
	obj      page.Object
	previous bool
	opts     logio.Options
	timeout  time.Duration
	gen      uint64
}

// openedMsg answers openCmd: the container, the source chosen for it, and
// the reader, or why there is no log to read.
type openedMsg struct {
	gen    uint64
	ctr    target.Container
	found  bool
	src    logio.Source
	reader *logio.Reader
	err    error
}

// openCmd finds the container again (a crash-looping one has a new attempt
// each time), picks its log and starts reading it under ctx, which the page
// cancels when it is left or the log is opened again.
func openCmd(ctx context.Context, rq request) func() tea.Msg {
	return func() tea.Msg {
		fctx, cancel := context.WithTimeout(ctx, rq.timeout)
		ctr, err := rq.finder.Find(fctx, rq.obj)
		cancel()
		if err != nil {
			return openedMsg{gen: rq.gen, err: err}
		}
		msg := openedMsg{gen: rq.gen, ctr: ctr, found: true}
		msg.src, msg.err = Source(ctr, rq.previous, rq.fs)
		if msg.err != nil {
			return msg
		}
		msg.reader, msg.err = logio.Open(ctx, msg.src, rq.opts)
		return msg
	}
}

// Source picks where a container's log is: the CRI log file when CRI
// manages the container (also for a native container in k8s.io, whose task
// output goes to a fifo the CRI plugin drains into that file), else the
// file its task writes to (ctr run --log-uri file://). previous asks for the
// attempt before the current one, which only CRI keeps.
//
// fsys is where the files are read: nil for this machine, a remote node's
// files over its SSH connection.
func Source(c target.Container, previous bool, fsys logio.FS) (logio.Source, error) {
	src, err := source(c, previous, fsys)
	src.FS = fsys
	return src, err
}

func source(c target.Container, previous bool, fsys logio.FS) (logio.Source, error) {
	switch {
	case c.CRI != nil && previous:
		return logio.PreviousSourceOn(*c.CRI, fsys)
	case c.CRI != nil:
		return logio.CRISource(*c.CRI)
	case previous:
		return logio.Source{}, backend.Errorf(backend.ErrUnsupported,
			"container %s is not managed by CRI: a native task has no previous attempts, only its one log", c.Name)
	case c.Native == nil:
		return logio.Source{}, backend.Errorf(backend.ErrNotFound, "container %s is gone", c.Name)
	case c.Native.Task == nil:
		return logio.Source{}, backend.Errorf(backend.ErrNotFound,
			"container %s has no task: it was never started (or its task was deleted), so there is no output to read", c.Name)
	}
	return logio.TaskSource(*c.Native.Task)
}

// batchMsg is one receive from the reader: a batch, or closed when the
// reader has ended (end of a log not followed, error, page left).
type batchMsg struct {
	gen    uint64
	batch  logio.Batch
	closed bool
}

// waitCmd waits for the reader's next batch; Update issues it again after
// each one, so following costs nothing while the log is idle.
func waitCmd(r *logio.Reader, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		b, ok := <-r.Batches()
		return batchMsg{gen: gen, batch: b, closed: !ok}
	}
}

// noticeExpiredMsg takes a notice off the header line once it was read.
type noticeExpiredMsg struct{ seq uint64 }

// noticeTTL is how long a notice (rotated, truncated) stays on the header.
const noticeTTL = 10 * time.Second

// savedMsg answers saveCmd.
type savedMsg struct {
	path   string
	n      int
	exists bool // not written: the file exists and overwriting was not asked
	err    error
}

// saveCmd writes lines, a copy taken in Update, to path with logs.Save (a
// temporary file renamed over path). An existing file is left alone unless
// overwrite: the page asks first.
func saveCmd(path string, lines []backend.LogLine, opts logio.SaveOptions, overwrite bool) func() tea.Msg {
	return func() tea.Msg {
		if !overwrite {
			if _, err := os.Stat(path); err == nil {
				return savedMsg{path: path, exists: true}
			} else if !errors.Is(err, fs.ErrNotExist) {
				return savedMsg{path: path, err: backend.Errorf(backend.ErrFailed, "cannot save the log to %s: %v", path, err)}
			}
		}
		n, err := logio.Save(path, func(yield func(backend.LogLine) bool) {
			for _, l := range lines {
				if !yield(l) {
					return
				}
			}
		}, opts)
		return savedMsg{path: path, n: n, err: err}
	}
}
