package logs

import (
	"errors"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ctui/ctui/backend"
)

// Source is a log file and how to read it. Build one with CRISource,
// PreviousSource or TaskSource, which know where each kind of container
// keeps its output and say why when it cannot be read.
type Source struct {
	Path   string
	Format Format
	// Name is what the operator calls the log ("container web, attempt 2"),
	// for the sentences errors and notices are made of.
	Name string
	// FS is where Path is: nil for the machine ctui runs on, a node's
	// files over SSH for a remote node.
	FS FS
}

// CRISource is the current log of a CRI container: the file kubelet asked
// the runtime to write (ContainerStatus.LogPath, usually
// /var/log/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log).
func CRISource(c backend.PodContainer) (Source, error) {
	name := criName(c, c.Attempt)
	if c.LogPath == "" {
		return Source{}, backend.Errorf(backend.ErrNotFound,
			"%s has no log path: the runtime keeps no log file for it (the pod was created without a log directory)", name)
	}
	return Source{Path: c.LogPath, Format: FormatCRI, Name: name}, nil
}

// PreviousSource is the log of the attempt before the current one, what
// `crictl logs --previous` and `kubectl logs -p` show for a crash loop.
// kubelet keeps the last terminated attempt's file beside the current one
// until the container is removed.
func PreviousSource(c backend.PodContainer) (Source, error) {
	return PreviousSourceOn(c, nil)
}

// PreviousSourceOn is PreviousSource for a log kept on fsys (a remote
// node's files; nil is the local filesystem).
func PreviousSourceOn(c backend.PodContainer, fsys FS) (Source, error) {
	cur, err := CRISource(c)
	if err != nil {
		return Source{}, err
	}
	p, err := PreviousLogPath(c.LogPath, c.Attempt)
	if err != nil {
		return Source{}, backend.Errorf(backend.ErrNotFound, "%s: %s", cur.Name, err.Error())
	}
	if fsys == nil {
		fsys = OS
	}
	if _, err := fsys.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return Source{}, backend.Errorf(backend.ErrNotFound,
			"%s: no previous log at %s; kubelet keeps only the last terminated attempt's log and removes it with that container", cur.Name, p)
	}
	return Source{Path: p, Format: FormatCRI, Name: criName(c, c.Attempt-1), FS: fsys}, nil
}

// PreviousLogPath applies crictl's rule for --previous: the same directory
// and extension as the current log, named after the previous attempt
// (/var/log/pods/.../web/3.log -> .../web/2.log). Attempt 0 is a first run:
// there is no previous log.
func PreviousLogPath(logPath string, attempt uint32) (string, error) {
	if attempt == 0 {
		return "", backend.Errorf(backend.ErrNotFound, "no previous attempt: this is the container's first run (attempt 0), so there is no previous log")
	}
	dir, base := filepath.Split(logPath)
	ext := ""
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		ext = base[i:]
	}
	return dir + strconv.FormatUint(uint64(attempt-1), 10) + ext, nil
}

func criName(c backend.PodContainer, attempt uint32) string {
	name := c.Name
	if name == "" {
		name = c.ID
	}
	if c.PodName != "" {
		name = c.PodName + "/" + name
	}
	return "container " + name + " (attempt " + strconv.FormatUint(uint64(attempt), 10) + ")"
}

// TaskSource is the log of a native task, read from the file its shim
// appends to. Only `ctr run --log-uri file:///path` leaves such a file; the
// other ways a task's output can go are explained, with what to do instead.
func TaskSource(t backend.Task) (Source, error) {
	name := "task " + t.ID
	restart := "restart the task with `ctr run --log-uri file:///var/log/ctr/" + t.ID + ".log ...` so its output is kept in a file ctui can read"
	uri := t.Stdout
	switch {
	case uri == "":
		return Source{}, backend.Errorf(backend.ErrUnsupported,
			"%s has no stdout: it was started without output (null IO), so there is no log; %s", name, restart)
	case t.Terminal && !strings.Contains(uri, "://"):
		return Source{}, backend.Errorf(backend.ErrUnsupported,
			"%s runs with a terminal attached to the process that started it (ctr run -t); its output goes to that terminal and is not kept; %s", name, restart)
	case strings.HasPrefix(uri, "/"):
		return Source{}, backend.Errorf(backend.ErrUnsupported,
			"%s writes to the fifo %s, read only by the process that started it (ctr run without --log-uri, or an attach); nothing keeps that output, so there is no log to read; %s", name, uri, restart)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return Source{}, backend.Errorf(backend.ErrInvalid, "%s has a log URI ctui cannot parse (%q): %v", name, uri, err)
	}
	switch u.Scheme {
	case "file":
		p := u.Path
		if u.Host != "" && u.Host != "localhost" {
			p = "/" + u.Host + u.Path // file://var/log/x.log, a common slip
		}
		if !filepath.IsAbs(p) {
			return Source{}, backend.Errorf(backend.ErrInvalid, "%s has the log URI %q, whose path is not absolute", name, uri)
		}
		return Source{Path: filepath.Clean(p), Format: FormatRaw, Name: name}, nil
	case "binary":
		return Source{}, backend.Errorf(backend.ErrUnsupported,
			"%s sends its output to the logging program %s (a binary:// log URI, as nerdctl and logging drivers use); only that program knows where it goes, so read the log where it stores it, or %s", name, u.Path, restart)
	case "fifo":
		return Source{}, backend.Errorf(backend.ErrUnsupported,
			"%s writes to the fifo %s; nothing keeps that output, so there is no log to read; %s", name, u.Path, restart)
	}
	return Source{}, backend.Errorf(backend.ErrUnsupported, "%s has the log URI %q, whose scheme ctui cannot read (only file:// is a file); %s", name, uri, restart)
}
