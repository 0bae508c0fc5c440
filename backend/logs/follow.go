package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"strings"
	"time"

	"github.com/ctui/ctui/backend"
)

// flushOut sends what is pending, waiting for the receiver. It returns false
// when the context ended first.
func (fl *follower) flushOut(ctx context.Context, atEnd bool) bool {
	if len(fl.pending) == 0 && len(fl.notes) == 0 && !atEnd {
		return true
	}
	b := Batch{Lines: fl.pending, Notice: strings.Join(fl.notes, "; "), AtEnd: atEnd}
	select {
	case fl.out <- b:
		fl.pending, fl.notes = nil, nil
		return true
	case <-ctx.Done():
		return false
	}
}

// offer sends what is pending if the receiver is ready within wait, so the
// reader can keep reading while the viewer draws.
func (fl *follower) offer(ctx context.Context, atEnd bool, wait time.Duration) bool {
	if len(fl.pending) == 0 && len(fl.notes) == 0 {
		return true
	}
	if len(fl.pending) >= fl.opts.BatchLines {
		return fl.flushOut(ctx, atEnd)
	}
	b := Batch{Lines: fl.pending, Notice: strings.Join(fl.notes, "; "), AtEnd: atEnd}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case fl.out <- b:
		fl.pending, fl.notes = nil, nil
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	return true
}

func (fl *follower) fail(ctx context.Context, err error) {
	var e *backend.Error
	if !errors.As(err, &e) {
		err = &backend.Error{Kind: backend.ErrFailed, Err: err,
			Msg: fmt.Sprintf("reading the log of %s at %s failed: %v", fl.src.Name, fl.src.Path, err)}
	}
	b := Batch{Lines: fl.pending, Notice: strings.Join(fl.notes, "; "), Err: err}
	select {
	case fl.out <- b:
	case <-ctx.Done():
	}
}

// follow reads until the context ends.
func (fl *follower) follow(ctx context.Context) {
	if !fl.flushOut(ctx, true) {
		return
	}
	// A line left unfinished by the history waits FlushAfter from now, not
	// from when it was written: its end may be on its way.
	fl.lastData = time.Now()
	tick := time.NewTicker(fl.opts.PollInterval)
	defer tick.Stop()
	for ctx.Err() == nil {
		n, err := fl.readSome()
		if err != nil && fl.lostLink(err) {
			if !fl.resume(ctx, err) {
				return
			}
			continue
		}
		if err != nil {
			fl.fail(ctx, err)
			return
		}
		if fl.limited {
			fl.flushOut(ctx, true)
			return
		}
		if n > 0 {
			if !fl.offer(ctx, false, 0) {
				return
			}
			continue
		}
		// At the end of the file: hand over, then look around.
		if (fl.frag > 0 || fl.dec.pending()) && time.Since(fl.lastData) >= fl.opts.FlushAfter {
			if fl.src.Format == FormatRaw {
				fl.cutFragment()
			}
			fl.dec.flush(fl.accept)
		}
		if !fl.offer(ctx, true, fl.opts.PollInterval) {
			return
		}
		if err := fl.checkFile(); err != nil {
			if fl.lostLink(err) {
				if !fl.resume(ctx, err) {
					return
				}
				continue
			}
			fl.fail(ctx, err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// checkFile notices truncation and rotation once the open file is read to
// its end. kubelet rotates by renaming N.log to N.log.<time>, then asks the
// runtime to reopen, which creates a new N.log; the runtime may still write
// to the old file until it has reopened, so a new file is switched to only
// on the second look, after the old one was drained again. copytruncate
// rotation shows as the file becoming shorter than what was read; the lines
// written between the copy and the truncation are lost to every reader, as
// with tail -F.
func (fl *follower) checkFile() error {
	fi, err := fl.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < fl.off {
		fl.finishFragment()
		if _, err := fl.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		fl.off = 0
		fl.note("log truncated: reading it again from its start")
		return nil
	}
	pi, err := fl.fs.Stat(fl.src.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !fl.gone {
			fl.gone = true
			fl.note(fmt.Sprintf("log file removed: waiting for %s to come back", fl.src.Path))
		}
		return nil
	case err != nil:
		return nil // transient (permission change mid-rotation): look again next time
	case fl.fs.SameFile(fl.f, fi, pi):
		fl.gone, fl.rotated = false, false
		return nil
	case !fl.rotated:
		fl.rotated = true
		return nil
	}
	nf, err := fl.fs.Open(fl.src.Path)
	if err != nil {
		return nil // rotated again under us; next look
	}
	fl.finishFragment()
	fl.f.Close()
	fl.f, fl.off, fl.gone, fl.rotated = nf, 0, false, false
	fl.note(fmt.Sprintf("log rotated: following the new %s", fl.src.Path))
	return nil
}

// waitForFile polls until the log exists, then reads it from its start:
// all of it was written after the viewer started waiting.
func (fl *follower) waitForFile(ctx context.Context) bool {
	tick := time.NewTicker(fl.opts.PollInterval)
	defer tick.Stop()
	for {
		f, err := fl.fs.Open(fl.src.Path)
		if err == nil {
			fl.f, fl.off = f, 0
			if fl.gone {
				fl.note("log file back: following it again")
			}
			fl.gone = false
			return true
		}
		if !errors.Is(err, fs.ErrNotExist) && !fl.lostLink(err) {
			fl.fail(ctx, openError(fl.src, err))
			return false
		}
		if !fl.offer(ctx, false, 0) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}

// lostLink reports whether err is the connection to a remote node's files
// dropping (backend.ErrUnavailable), which resume outlasts, rather than a
// failure of the log itself.
func (fl *follower) lostLink(err error) bool {
	return fl.fs != OS && errors.Is(err, backend.ErrUnavailable)
}

// resume waits for a remote node's files to be reachable again after the
// connection dropped, then goes on reading the log from the byte it had
// reached, so no line is lost or shown twice. A file now shorter than that
// was rotated or truncated meanwhile and is read from its start, as
// checkFile does. It returns false when the context ended first.
func (fl *follower) resume(ctx context.Context, why error) bool {
	fl.f.Close()
	fl.f = nil
	fl.note(why.Error() + "; the log goes on from where it stopped once the node answers again")
	tick := time.NewTicker(fl.opts.PollInterval)
	defer tick.Stop()
	for {
		// Hand over what is pending (the notice first) while waiting.
		if !fl.offer(ctx, false, fl.opts.PollInterval) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
		f, err := fl.fs.Open(fl.src.Path)
		if err != nil {
			if fl.lostLink(err) {
				continue
			}
			if errors.Is(err, fs.ErrNotExist) {
				// Removed while the link was down: wait for it as checkFile
				// does for a removed log.
				fl.gone = true
				fl.note(fmt.Sprintf("connection back, but the log file is gone: waiting for %s to come back", fl.src.Path))
				return fl.waitForFile(ctx)
			}
			fl.fail(ctx, openError(fl.src, err))
			return false
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			if fl.lostLink(err) {
				continue
			}
			fl.fail(ctx, err)
			return false
		}
		fl.f = f
		fl.rotated = false
		if fi.Size() < fl.off {
			fl.finishFragment()
			fl.off = 0
			fl.note("connection back: the log was rotated or truncated meanwhile, reading it from its start")
			return true
		}
		if _, err := f.Seek(fl.off, io.SeekStart); err != nil {
			fl.fail(ctx, err)
			return false
		}
		fl.note("connection back: following the log again from where it stopped")
		return true
	}
}
