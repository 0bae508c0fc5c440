// Package jobs runs ctui's image actions in the background and shows them:
// the Runner starts each action on a goroutine of its own and feeds its
// progress to the UI through a re-arming command, about ten times a second
// whatever rate the backend reports at; the jobs page (:jobs) lists running
// and finished jobs and cancels one with esc or x.
//
// Pull, push, import and export are background jobs the operator keeps
// browsing through; tag and remove are quick, but run through the same
// Runner so that they are never on the update loop and are logged alike.
package jobs

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// Interval is the least time between two progress updates of one job: the
// screen does not need more, and a fast pull would otherwise redraw the UI
// for every chunk.
const Interval = 100 * time.Millisecond

// keepFinished bounds how many finished jobs the list remembers.
const keepFinished = 100

// ID numbers jobs for the life of the program.
type ID uint64

// Job is a job as the jobs page shows it.
type Job struct {
	ID ID
	backend.Job
	// Background jobs report progress and are counted by the status
	// line's indicator; tag and remove are not.
	Background bool
	// Canceling is set when the operator canceled the job and it has
	// not ended yet.
	Canceling bool
}

// Canceled reports whether the job ended because it was canceled.
func (j Job) Canceled() bool { return !j.Running() && errors.Is(j.Err, backend.ErrCanceled) }

// Run does the work of a job on its own goroutine and returns a note for
// the command log (how the registry was reached, what was imported). It
// must end soon after ctx is canceled; progress never blocks.
type Run func(ctx context.Context, progress backend.ProgressFunc) (note string, err error)

// Spec is a job to start.
type Spec struct {
	Action     backend.Action
	Namespace  string
	Via        string // "containerd" or "CRI", for "which path was used"
	Background bool
	Run        Run
}

// StartMsg asks the root to start a job a page built (a prune, a lease
// removal): the root guards it (--readonly), shows it in :jobs, and puts its
// outcome in the flash line and :log with its command line.
type StartMsg struct{ Spec Spec }

// ProgressMsg carries the newest progress of a running job.
type ProgressMsg struct {
	ID       ID
	Progress backend.Progress
}

// DoneMsg says a job ended, with the Run's note and error.
type DoneMsg struct {
	ID   ID
	Note string
	Err  error
	At   time.Time
	// Last is the progress reported after the last ProgressMsg, if any.
	Last *backend.Progress
}

// stream is where one running job's progress arrives.
type stream struct {
	ch   <-chan backend.Progress
	done chan struct{}
}

// Runner starts jobs and keeps their state. The root model holds it as a
// value field; its maps are touched only from Update.
type Runner struct {
	ctx     context.Context
	next    ID
	jobs    []Job // oldest first
	cancels map[ID]context.CancelFunc
	streams map[ID]stream
	clock   backend.Clock
}

// NewRunner returns a runner whose jobs end when ctx ends (ctui quits) and
// whose jobs' ends are stamped with clock.
func NewRunner(ctx context.Context, clock backend.Clock) Runner {
	return Runner{ctx: ctx, cancels: map[ID]context.CancelFunc{}, streams: map[ID]stream{}, clock: clock}
}

// Start records the job and returns the commands that run it and watch its
// progress. The Run's goroutine is the command's: nothing blocks Update.
func (r *Runner) Start(s Spec, now time.Time) (ID, tea.Cmd) {
	r.next++
	id := r.next
	ctx, cancel := context.WithCancel(r.ctx)
	report, ch := backend.LatestProgress()
	done := make(chan struct{})
	r.cancels[id] = cancel
	r.streams[id] = stream{ch: ch, done: done}
	r.jobs = append(r.jobs, Job{ID: id, Background: s.Background, Job: backend.Job{
		Action: s.Action, Namespace: s.Namespace, Via: s.Via, Started: now,
	}})
	r.trim()
	run, clock := s.Run, r.clock
	work := func() tea.Msg {
		// The last report is kept here as well: the watcher may
		// already have taken it off the channel when the job ends.
		var mu sync.Mutex
		var last *backend.Progress
		note, err := run(ctx, func(p backend.Progress) {
			mu.Lock()
			last = &p
			mu.Unlock()
			report(p)
		})
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return DoneMsg{ID: id, Note: note, Err: err, At: clock.Now(), Last: last}
	}
	if !s.Background {
		return id, work
	}
	return id, tea.Batch(work, watch(id, ch, done, 0))
}

// watch waits wait, then for the next progress of the job, and returns it;
// nil once the job is done (its DoneMsg carries the rest).
func watch(id ID, ch <-chan backend.Progress, done <-chan struct{}, wait time.Duration) tea.Cmd {
	return func() tea.Msg {
		if wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-done:
				return nil
			}
		}
		select {
		case p := <-ch:
			return ProgressMsg{ID: id, Progress: p}
		case <-done:
			return nil
		}
	}
}

// Progress records a job's progress and re-arms its watch, Interval later.
func (r *Runner) Progress(msg ProgressMsg) tea.Cmd {
	i, ok := r.index(msg.ID)
	st, live := r.streams[msg.ID]
	if !ok || !live || !r.jobs[i].Running() {
		return nil
	}
	r.jobs[i].Progress = msg.Progress
	return watch(msg.ID, st.ch, st.done, Interval)
}

// Finish records a job's end and returns it. A job the operator canceled
// is canceled whatever error the interrupted call came back with.
func (r *Runner) Finish(msg DoneMsg) (Job, bool) {
	i, ok := r.index(msg.ID)
	if !ok {
		return Job{}, false
	}
	if c := r.cancels[msg.ID]; c != nil {
		c() // releases the context
	}
	delete(r.cancels, msg.ID)
	delete(r.streams, msg.ID)
	j := &r.jobs[i]
	j.Finished, j.Note, j.Err = msg.At, msg.Note, msg.Err
	if msg.Last != nil {
		j.Progress = *msg.Last
	}
	if j.Canceling && msg.Err != nil && !errors.Is(msg.Err, backend.ErrCanceled) {
		j.Err = &backend.Error{Kind: backend.ErrCanceled, Err: msg.Err, Msg: j.Title() + ": canceled"}
	}
	j.Canceling = false
	return *j, true
}

// Cancel cancels a running job; false if it is not running.
func (r *Runner) Cancel(id ID) bool {
	i, ok := r.index(id)
	if !ok || !r.jobs[i].Running() {
		return false
	}
	if c := r.cancels[id]; c != nil {
		c()
	}
	r.jobs[i].Canceling = true
	return true
}

// Jobs returns a copy of every job, newest first.
func (r Runner) Jobs() []Job {
	out := make([]Job, len(r.jobs))
	for i, j := range r.jobs {
		out[len(r.jobs)-1-i] = j
	}
	return out
}

// Job returns one job.
func (r Runner) Job(id ID) (Job, bool) {
	i, ok := r.index(id)
	if !ok {
		return Job{}, false
	}
	return r.jobs[i], true
}

// Running counts the background jobs still running.
func (r Runner) Running() int {
	n := 0
	for _, j := range r.jobs {
		if j.Background && j.Running() {
			n++
		}
	}
	return n
}

func (r Runner) index(id ID) (int, bool) {
	for i := len(r.jobs) - 1; i >= 0; i-- {
		if r.jobs[i].ID == id {
			return i, true
		}
	}
	return 0, false
}

// trim forgets the oldest finished jobs beyond keepFinished.
func (r *Runner) trim() {
	finished := 0
	for _, j := range r.jobs {
		if !j.Running() {
			finished++
		}
	}
	if finished <= keepFinished {
		return
	}
	out := r.jobs[:0]
	for _, j := range r.jobs {
		if !j.Running() && finished > keepFinished {
			finished--
			continue
		}
		out = append(out, j)
	}
	clear(r.jobs[len(out):])
	r.jobs = out
}
