package logs

import (
	"bytes"
	"io"
	"time"
)

// How the start of a tail or a since window is found without reading the
// whole file: the file is read backwards in blocks from its end (tail) or
// probed by binary search on the timestamps (since). Both only choose a start
// offset; the lines themselves are then decoded forwards from there by the
// same decoder that follows the file, so tail, since and follow can never
// disagree about what a line is.
const (
	defaultBlockSize = 64 << 10
	// maxRecord bounds one record held while scanning backwards. A raw log
	// can have a "line" of any length; past this the scan cuts it, and the
	// tail starts in the middle of that line.
	maxRecord = 1 << 20
	// lookback bounds the search for the joined lines that straddle a start
	// offset (see orphans). containerd writes the pieces of one line
	// back to back, so they are never far apart.
	lookback = 256 << 10
	// sinceSlack is how far before the binary search's answer reading
	// starts: the two streams are written by two goroutines, so timestamps
	// can be a little out of order in the file. Lines before the window are
	// dropped on the way anyway.
	sinceSlack = 64 << 10
)

// scanBackward calls visit for each newline-terminated record of r[0:end),
// last first, with the record's offset and its bytes without the newline.
// Bytes after the last newline (a record still being written) are skipped.
// visit returns true to stop. Blocks are blockSize bytes, so the cost is
// proportional to what is visited, not to the size of the file.
func scanBackward(r io.ReaderAt, end int64, blockSize int, visit func(off int64, rec []byte) bool) error {
	pos := end
	var carry []byte // a record whose head is in a block not read yet
	seenNewline := false
	for pos > 0 {
		n := int64(blockSize)
		if n > pos {
			n = pos
		}
		pos -= n
		b := make([]byte, int(n)+len(carry))
		if _, err := r.ReadAt(b[:n], pos); err != nil && err != io.EOF {
			return err
		}
		copy(b[n:], carry)
		e := len(b)
		if !seenNewline {
			i := bytes.LastIndexByte(b, '\n')
			if i < 0 {
				carry = nil // all of it is the unfinished last record
				continue
			}
			seenNewline, e = true, i+1
		}
		for {
			j := bytes.LastIndexByte(b[:e-1], '\n')
			if j < 0 {
				break
			}
			if visit(pos+int64(j+1), b[j+1:e-1]) {
				return nil
			}
			e = j + 1
		}
		carry = b[:e]
		if len(carry) > maxRecord {
			if visit(pos, carry[:len(carry)-1]) {
				return nil
			}
			// The bytes before pos up to the previous newline are the
			// head of the line just cut: skip them like a fragment.
			carry, seenNewline = nil, false
		}
	}
	if len(carry) > 0 {
		visit(0, carry[:len(carry)-1])
	}
	return nil
}

// tailStart returns an offset from which decoding yields at least the last
// n lines of the wanted streams (want[streamOut], want[streamErr];
// malformed records when wantBad), or 0 when the file holds fewer.
//
// For CRI, a line is a run of P records ended by an F record of the same
// stream, and it is emitted at its F. Walking backwards, each F record of a
// wanted stream is therefore one of the last lines, in the order they are
// shown (a trailing run of P records with no F yet counts as the newest
// line of its stream). Once n are counted, the walk goes on until it finds
// where the earliest counted line of each stream began: the record after
// that stream's previous F. The answer is the earliest of those beginnings;
// orphans deals with lines of the other stream in flight there.
func tailStart(r io.ReaderAt, end int64, format Format, n int, want [2]bool, wantBad bool, blockSize int) (int64, error) {
	if n <= 0 {
		return end, nil
	}
	count := 0
	start := end
	done := false
	var open [2]bool
	first := [2]int64{-1, -1}
	err := scanBackward(r, end, blockSize, func(off int64, rec []byte) bool {
		if format != FormatCRI {
			count++
			start = off
			done = count >= n
			return done
		}
		s, partial, _, _, ok := criHeader(rec)
		switch {
		case !ok:
			if wantBad && count < n {
				count++
				start = min(start, off)
			}
		case !partial:
			if open[s] {
				start = min(start, first[s])
				open[s] = false
			}
			if want[s] && count < n {
				count++
				open[s] = true
			}
			first[s] = off
		default:
			if first[s] < 0 && want[s] {
				// The line of s still being written: decoded last of
				// all (flushed when reading stops), so it is always among
				// the newest, however far back it began.
				count++
				open[s] = true
			}
			first[s] = off
		}
		// A stream's line still being written is among the newest
		// wherever it began, so the walk also looks for the last record
		// of each stream, within lookback bytes of the end: a stream
		// silent for longer has nothing in flight that matters.
		done = count >= n && !open[0] && !open[1] &&
			((first[0] >= 0 && first[1] >= 0) || end-off > lookback)
		return done
	})
	if err != nil || count < n {
		return 0, err
	}
	if !done {
		// The beginning of some counted line is the start of the file.
		for s := range open {
			if open[s] {
				start = min(start, first[s])
			}
		}
	}
	return start, nil
}

// orphans says, for a CRI reading that starts at off, which streams have a
// joined line running across off: their records up to the next F belong to
// a line whose beginning is not read, and the decoder drops them rather than
// showing a line without its head. Only the last record of each stream before
// off matters; the search gives up after lookback bytes (a stream not seen
// that close to off has no line in flight there).
func orphans(r io.ReaderAt, off int64, blockSize int) ([2]bool, error) {
	var skip, decided [2]bool
	if off <= 0 {
		return skip, nil
	}
	err := scanBackward(r, off, blockSize, func(at int64, rec []byte) bool {
		s, partial, _, _, ok := criHeader(rec)
		if ok && !decided[s] {
			decided[s], skip[s] = true, partial
		}
		return (decided[0] && decided[1]) || off-at > lookback
	})
	return skip, err
}

// sinceStart returns an offset at or before the first CRI record of r[lo:end)
// written at or after since, by binary search on the record timestamps: about
// log2(size/64 KiB) reads of one block each, 15 for a 1 GB file. Records are
// appended in time order except for small reorderings between the two
// streams, which sinceSlack covers; the decoder drops what is still older.
func sinceStart(r io.ReaderAt, lo, end int64, since time.Time, blockSize int) (int64, error) {
	hi := end
	for hi-lo > int64(blockSize) {
		mid := lo + (hi-lo)/2
		off, ts, ok, err := firstTimeAfter(r, mid, hi, blockSize)
		if err != nil {
			return 0, err
		}
		switch {
		case !ok:
			hi = mid
		case ts.Before(since):
			lo = off
		default:
			hi = mid
		}
	}
	return recordStart(r, max(0, lo-sinceSlack), blockSize)
}

// firstTimeAfter finds the first record that starts after off (past the next
// newline) and before end, and has a readable timestamp.
func firstTimeAfter(r io.ReaderAt, off, end int64, blockSize int) (int64, time.Time, bool, error) {
	n := min(int64(blockSize), end-off)
	b := make([]byte, n)
	m, err := r.ReadAt(b, off)
	if err != nil && err != io.EOF {
		return 0, time.Time{}, false, err
	}
	b = b[:m]
	i := bytes.IndexByte(b, '\n')
	for i >= 0 && i+1 < len(b) {
		rec := b[i+1:]
		j := bytes.IndexByte(rec, '\n')
		if j < 0 {
			break
		}
		if _, _, tsEnd, _, ok := criHeader(rec[:j]); ok {
			if ts, ok := parseTime(rec[:tsEnd]); ok {
				return off + int64(i+1), ts, true, nil
			}
		}
		i += j + 1
	}
	return 0, time.Time{}, false, nil
}

// recordStart moves off forward to the start of a record (just past a
// newline), or leaves 0 as it is.
func recordStart(r io.ReaderAt, off int64, blockSize int) (int64, error) {
	if off <= 0 {
		return 0, nil
	}
	b := make([]byte, blockSize)
	for at := off - 1; ; at += int64(len(b)) {
		m, err := r.ReadAt(b, at)
		if i := bytes.IndexByte(b[:m], '\n'); i >= 0 {
			return at + int64(i) + 1, nil
		}
		if err == io.EOF || m == 0 {
			return at + int64(m), nil
		}
		if err != nil {
			return 0, err
		}
	}
}
