package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"time"

	"github.com/ctui/ctui/backend"
)

// NewOnly as Options.Tail shows no history: only lines written after the log
// was opened (crictl logs --tail 0 -f).
const NewOnly = -1

// Defaults for the zero values of Options.
const (
	DefaultBatchLines   = 8192
	DefaultMaxLineBytes = 1 << 20
	// DefaultPollInterval bounds follow latency: a line written to an idle
	// log is read at most this long after. See Open for why this polls.
	DefaultPollInterval = 50 * time.Millisecond
	DefaultFlushAfter   = 2 * time.Second
	// RemotePollInterval is the poll of a log on a remote node: each look
	// is a few round trips over the SSH link, so it looks less often.
	RemotePollInterval = 250 * time.Millisecond
)

// Options are crictl logs' flags, plus how lines are handed over.
type Options struct {
	// Tail is how many lines to show from the end of the log, counted after
	// the stream filter; 0 shows the whole log (crictl's default), NewOnly
	// none. The file is read backwards from its end to find them, so a
	// 1 GB log opens as fast as a small one.
	Tail int
	// Since drops lines written before it (CRI logs only: raw logs carry no
	// timestamps). The start is found by binary search on the timestamps.
	Since time.Time
	// LimitBytes stops reading after this many bytes of text (newlines
	// counted), as crictl logs --limit-bytes; 0 is no limit.
	LimitBytes int64
	// Stream is "" for both, or backend.StreamStdout / StreamStderr.
	Stream string
	// Follow keeps reading as the log grows, across rotation and truncation,
	// until the context ends.
	Follow bool

	// BatchLines caps the lines held while the receiver is busy; when
	// reached, reading waits for the receiver, so nothing is dropped and
	// memory stays bounded whatever the log's rate.
	BatchLines int
	// MaxLineBytes cuts longer lines into several, all but the last marked
	// Partial.
	MaxLineBytes int
	// PollInterval is how often an idle log is checked for new lines,
	// rotation and truncation.
	PollInterval time.Duration
	// FlushAfter is how long a line without its end (a raw line without a
	// newline, a CRI line whose F record has not come) waits before it is
	// shown anyway, marked Partial; its rest then comes as a new line.
	FlushAfter time.Duration
}

func (o Options) withDefaults() Options {
	if o.BatchLines <= 0 {
		o.BatchLines = DefaultBatchLines
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.FlushAfter <= 0 {
		o.FlushAfter = DefaultFlushAfter
	}
	return o
}

// Batch is what one receive from Reader.Batches yields: the lines read
// since the previous batch, in order, and anything the viewer should say.
type Batch struct {
	Lines []backend.LogLine
	// Notice is a sentence about the log itself (rotated, truncated,
	// removed, waiting for it to appear, limit reached), for the status line.
	// Those about the file lead with what happened and leave out the log's
	// name, which the viewer shows already: a header line cut at 80 or 100
	// columns still says it.
	Notice string
	// AtEnd is set when the batch reaches what was the end of the file: the
	// history is loaded and, when following, the viewer is live.
	AtEnd bool
	// Err ends the reading; it is the last batch before the channel closes.
	Err error
}

// Reader reads one log in its own goroutine and hands lines over in
// batches, so a bubbletea command can wait for the next batch, return it as
// a message, and be issued again (re-armed) by Update. Cancel the context
// given to Open to stop it (leaving the page); the channel then closes.
type Reader struct {
	batches chan Batch
}

// Batches delivers the lines. It closes after the last batch: at the end of
// the log when not following, when the context ends, when LimitBytes is
// reached, or after a batch carrying Err.
func (r *Reader) Batches() <-chan Batch { return r.batches }

// Open starts reading src. Errors about the request itself (bad options, a
// log that does not exist when not following, no permission) come back
// here; later ones arrive in a Batch.
//
// Following polls the file every PollInterval (50 ms) instead of using
// inotify: the poll is one fstat and one read returning 0 bytes on an idle
// log, it works the same on overlay, NFS and FUSE mounts where inotify
// misses writes, and rotation has to be checked by comparing the path's
// inode with the open file's anyway. While lines keep coming the reader
// does not sleep at all, so throughput does not depend on the interval.
func Open(ctx context.Context, src Source, opts Options) (*Reader, error) {
	if src.FS != nil && src.FS != OS && opts.PollInterval <= 0 {
		opts.PollInterval = RemotePollInterval
	}
	opts = opts.withDefaults()
	fl := &follower{src: src, opts: opts, fs: fsOf(src)}
	switch opts.Stream {
	case "":
		fl.want, fl.wantBad = [2]bool{true, true}, true
	case backend.StreamStdout:
		fl.want[streamOut] = true
	case backend.StreamStderr:
		fl.want[streamErr] = true
	default:
		return nil, backend.Errorf(backend.ErrInvalid, "stream %q: choose stdout or stderr, or none for both", opts.Stream)
	}
	if src.Format == FormatRaw && opts.Stream != "" {
		return nil, backend.Errorf(backend.ErrUnsupported,
			"the log of %s is raw output (ctr run --log-uri): stdout and stderr are mixed in one file and cannot be told apart", src.Name)
	}
	if src.Format == FormatRaw && !opts.Since.IsZero() {
		return nil, backend.Errorf(backend.ErrUnsupported,
			"the log of %s is raw output (ctr run --log-uri) without timestamps, so it cannot be cut at a time; use a tail instead", src.Name)
	}
	if src.Format != FormatCRI && src.Format != FormatRaw {
		return nil, backend.Errorf(backend.ErrInvalid, "the log of %s has no known format", src.Name)
	}
	f, err := fsOf(src).Open(src.Path)
	switch {
	case err == nil:
		fl.f = f
	case errors.Is(err, fs.ErrNotExist) && opts.Follow:
		// Waited for in the goroutine: a container that has not written
		// yet, or a log between rotation's rename and create.
	default:
		return nil, openError(src, err)
	}
	fl.out = make(chan Batch, 1)
	fl.dec = newDecoder(src.Format, opts.MaxLineBytes)
	go fl.run(ctx)
	return &Reader{batches: fl.out}, nil
}

// Read returns the lines of src that opts select, without following: what
// `crictl logs` prints.
func Read(ctx context.Context, src Source, opts Options) ([]backend.LogLine, error) {
	opts.Follow = false
	r, err := Open(ctx, src, opts)
	if err != nil {
		return nil, err
	}
	var lines []backend.LogLine
	for b := range r.Batches() {
		lines = append(lines, b.Lines...)
		if b.Err != nil {
			return lines, b.Err
		}
	}
	return lines, ctx.Err()
}

func openError(src Source, err error) error {
	var be *backend.Error
	switch {
	case errors.As(err, &be):
		// Said already by the filesystem (a remote node's connection).
		return &backend.Error{Kind: be.Kind, Err: err,
			Msg: fmt.Sprintf("cannot read the log of %s at %s: %s", src.Name, src.Path, be.Msg)}
	case errors.Is(err, fs.ErrNotExist):
		return &backend.Error{Kind: backend.ErrNotFound, Err: err,
			Msg: fmt.Sprintf("the log of %s does not exist at %s (the container may not have started yet, or its log was removed)", src.Name, src.Path)}
	case errors.Is(err, fs.ErrPermission):
		return &backend.Error{Kind: backend.ErrPermission, Err: err,
			Msg: fmt.Sprintf("cannot read the log of %s at %s: permission denied; run ctui as root", src.Name, src.Path)}
	}
	return &backend.Error{Kind: backend.ErrFailed, Err: err,
		Msg: fmt.Sprintf("cannot read the log of %s at %s: %v", src.Name, src.Path, err)}
}

const readChunk = 256 << 10

// follower is the goroutine behind a Reader. It alone touches its fields.
type follower struct {
	src     Source
	opts    Options
	out     chan Batch
	want    [2]bool
	wantBad bool

	fs   FS
	f    File
	off  int64  // bytes of f consumed into buf
	buf  []byte // buf[:frag] is a record not finished yet
	frag int
	dec  *decoder

	hist    []backend.LogLine // tail phase: lines kept until the tail is known
	inTail  bool
	seq     uint64
	sent    int64 // bytes of text delivered, for LimitBytes
	limited bool
	pending []backend.LogLine
	notes   []string

	lastData time.Time
	gone     bool // the path disappeared under the open file
	rotated  bool // a new file is at the path; drain the old one once more
}

func (fl *follower) run(ctx context.Context) {
	defer close(fl.out)
	defer func() {
		if fl.f != nil {
			fl.f.Close()
		}
	}()
	if fl.f == nil {
		fl.note(fmt.Sprintf("waiting for the log of %s to appear at %s", fl.src.Name, fl.src.Path))
		if !fl.waitForFile(ctx) {
			return
		}
	} else if err := fl.history(ctx); err != nil {
		fl.fail(ctx, err)
		return
	}
	if !fl.opts.Follow || fl.limited {
		if !fl.limited {
			fl.finishFragment()
			fl.dec.flush(fl.accept)
		}
		fl.flushOut(ctx, true)
		return
	}
	fl.follow(ctx)
}

// history positions the file for tail and since, then decodes up to the
// current end.
func (fl *follower) history(ctx context.Context) error {
	fi, err := fl.f.Stat()
	if err != nil {
		return err
	}
	end := fi.Size()
	var start int64
	switch {
	case fl.opts.Tail == NewOnly:
		// After the last newline: a record being written is read whole
		// (no newline at all yet: from the start of the file).
		err = scanBackward(fl.f, end, defaultBlockSize, func(off int64, rec []byte) bool {
			start = off + int64(len(rec)) + 1
			return true
		})
	case fl.opts.Tail > 0:
		// Under since, malformed records have no time and are dropped:
		// they must not count towards the tail either.
		wantBad := fl.wantBad && fl.opts.Since.IsZero()
		start, err = tailStart(fl.f, end, fl.src.Format, fl.opts.Tail, fl.want, wantBad, defaultBlockSize)
		fl.inTail = true
	}
	if err != nil {
		return err
	}
	if !fl.opts.Since.IsZero() && fl.src.Format == FormatCRI {
		s, err := sinceStart(fl.f, start, end, fl.opts.Since, defaultBlockSize)
		if err != nil {
			return err
		}
		start = max(start, s)
	}
	if fl.src.Format == FormatCRI && start > 0 {
		if fl.dec.skip, err = orphans(fl.f, start, defaultBlockSize); err != nil {
			return err
		}
	}
	if _, err := fl.f.Seek(start, io.SeekStart); err != nil {
		return err
	}
	fl.off = start
	for {
		n, err := fl.readSome()
		if err != nil {
			return err
		}
		if n == 0 || fl.limited {
			break
		}
		// Without a tail the history can be the whole file: hand it
		// over as it is read rather than holding it all.
		if len(fl.pending) >= fl.opts.BatchLines && !fl.flushOut(ctx, false) {
			return ctx.Err()
		}
	}
	if fl.inTail {
		fl.inTail = false
		if len(fl.hist) > fl.opts.Tail {
			fl.hist = fl.hist[len(fl.hist)-fl.opts.Tail:]
		}
		for _, l := range fl.hist {
			fl.deliver(l)
		}
		fl.hist = nil
	}
	return nil
}

// readSome reads what the file has past off and decodes the finished
// records. It returns the bytes read (0 at the end of the file).
func (fl *follower) readSome() (int, error) {
	if fl.buf == nil {
		fl.buf = make([]byte, readChunk)
	}
	if fl.frag == len(fl.buf) {
		if len(fl.buf) < fl.opts.MaxLineBytes+readChunk {
			nb := make([]byte, 2*len(fl.buf))
			copy(nb, fl.buf[:fl.frag])
			fl.buf = nb
		} else {
			fl.cutFragment()
		}
	}
	n, err := fl.f.Read(fl.buf[fl.frag:])
	if err == io.EOF {
		err = nil
	}
	if n == 0 || err != nil {
		return n, err
	}
	fl.off += int64(n)
	fl.lastData = time.Now()
	data := fl.buf[:fl.frag+n]
	for !fl.limited {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		fl.dec.record(data[:i], fl.accept)
		data = data[i+1:]
	}
	fl.frag = copy(fl.buf, data)
	if fl.limited {
		fl.frag = 0
	}
	return n, nil
}

// cutFragment hands over a record too long to hold, as a Partial line.
func (fl *follower) cutFragment() {
	if fl.frag == 0 {
		return
	}
	if fl.src.Format == FormatRaw {
		fl.dec.emitCapped(backend.LogLine{Partial: true}, fl.buf[:fl.frag], func(l backend.LogLine) {
			l.Partial = true
			fl.accept(l)
		})
	} else {
		fl.dec.record(fl.buf[:fl.frag], fl.accept)
	}
	fl.frag = 0
}

// finishFragment decodes the unfinished last record when reading stops or
// the file is replaced: a raw line without its newline is shown as Partial;
// a CRI record without its newline is decoded as it is.
func (fl *follower) finishFragment() {
	fl.cutFragment()
}

// accept filters a decoded line and keeps it for delivery.
func (fl *follower) accept(l backend.LogLine) {
	switch l.Stream {
	case backend.StreamStdout:
		if !fl.want[streamOut] {
			return
		}
	case backend.StreamStderr:
		if !fl.want[streamErr] {
			return
		}
	default:
		if !fl.wantBad {
			return
		}
	}
	if !fl.opts.Since.IsZero() && l.Time.Before(fl.opts.Since) {
		return
	}
	if fl.inTail {
		fl.hist = append(fl.hist, l)
		if n := fl.opts.Tail; len(fl.hist) >= 2*n && len(fl.hist) > 1024 {
			fl.hist = append(fl.hist[:0], fl.hist[len(fl.hist)-n:]...)
		}
		return
	}
	fl.deliver(l)
}

// deliver numbers a line and queues it, cutting at LimitBytes.
func (fl *follower) deliver(l backend.LogLine) {
	if fl.limited {
		return
	}
	if lim := fl.opts.LimitBytes; lim > 0 {
		left := lim - fl.sent
		if int64(len(l.Text))+1 > left {
			if left <= 0 {
				fl.stopAtLimit()
				return
			}
			l.Text, l.Partial = l.Text[:left], true
			fl.sent = lim
			fl.seq++
			l.Seq = fl.seq
			fl.pending = append(fl.pending, l)
			fl.stopAtLimit()
			return
		}
		fl.sent += int64(len(l.Text)) + 1
	}
	fl.seq++
	l.Seq = fl.seq
	fl.pending = append(fl.pending, l)
}

func (fl *follower) stopAtLimit() {
	fl.limited = true
	fl.note(fmt.Sprintf("stopped after %d bytes, the byte limit", fl.opts.LimitBytes))
}

func (fl *follower) note(s string) { fl.notes = append(fl.notes, s) }
