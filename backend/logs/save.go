package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/ctui/ctui/backend"
)

// SaveOptions say what goes into a saved log besides the text.
type SaveOptions struct {
	// Timestamps prefixes each line with its RFC3339Nano time, as crictl
	// logs -t prints it (lines without a time get none).
	Timestamps bool
	// Streams prefixes each line with "stdout " or "stderr ".
	Streams bool
}

// Save writes lines (usually Ring.All, or a filtered view) to path,
// atomically: into a temporary file beside it, synced, then renamed over
// path, so a crash or a full disk never leaves a half-written file under the
// name the operator chose. It returns how many lines were written.
func Save(path string, lines iter.Seq[backend.LogLine], opts SaveOptions) (int, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, saveError(path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 256<<10)
	n := 0
	for l := range lines {
		if opts.Timestamps && !l.Time.IsZero() {
			w.WriteString(l.Time.Format(time.RFC3339Nano))
			w.WriteByte(' ')
		}
		if opts.Streams && l.Stream != "" {
			w.WriteString(l.Stream)
			w.WriteByte(' ')
		}
		w.WriteString(l.Text)
		w.WriteByte('\n')
		n++
	}
	if err := w.Flush(); err != nil {
		return 0, saveError(path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return 0, saveError(path, err)
	}
	if err := tmp.Sync(); err != nil {
		return 0, saveError(path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, saveError(path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, saveError(path, err)
	}
	done = true
	return n, nil
}

func saveError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &backend.Error{Kind: backend.ErrNotFound, Err: err,
			Msg: fmt.Sprintf("cannot save the log to %s: the directory %s does not exist", path, filepath.Dir(path))}
	case errors.Is(err, fs.ErrPermission):
		return &backend.Error{Kind: backend.ErrPermission, Err: err,
			Msg: fmt.Sprintf("cannot save the log to %s: permission denied", path)}
	}
	return &backend.Error{Kind: backend.ErrFailed, Err: err,
		Msg: fmt.Sprintf("cannot save the log to %s: %v", path, err)}
}
