package remote

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/pkg/sftp"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/logs"
)

// Files reads the node's files (CRI log files under /var/log/pods, a task's
// file:// log) over the SSH connection, with SFTP: one sftp session over the
// master, kept open and started again after the link dropped. SFTP reads at
// any offset with many requests in flight, so the log reader's tail (read
// backwards from the end), since (binary search) and follow work on the
// node as they do locally, without a program of ctui's on the node.
//
// Without ?sudo the session is the node's sftp subsystem, as the login user
// (what `sftp host` gets); with ?sudo it is the node's sftp-server run by
// sudo -n, since the CRI log files are root's (0640).
type Files struct {
	t *Transport

	mu   sync.Mutex
	conn *sftpConn // nil until first used, and after it was lost
}

var _ logs.FS = (*Files)(nil)

// sftpConn is one sftp session and the ssh process that carries it.
type sftpConn struct {
	c      *sftp.Client
	cmd    *exec.Cmd
	stderr *tail
	done   chan struct{} // closed when the ssh process ended
}

// Files is the node's filesystem over this connection.
func (t *Transport) Files() *Files {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files == nil {
		t.files = &Files{t: t}
	}
	return t.files
}

// LogFS is Files as the log reader takes it (the UI asks a transport for
// it without knowing the package).
func (t *Transport) LogFS() logs.FS { return t.Files() }

// sftpServerScript runs the node's sftp-server, wherever its distribution
// keeps it, for a session run through sudo (a subsystem cannot be).
const sftpServerScript = `for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/ssh/sftp-server /usr/libexec/sftp-server /usr/lib/sftp-server; do
  if [ -x "$p" ]; then exec "$p"; fi
done
echo "ctui: no sftp-server on the node (install OpenSSH's server package, which has it)" >&2
exit 127`

// client returns the open session, starting one when there is none.
func (f *Files) client() (*sftpConn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		select {
		case <-f.conn.done:
			f.conn.c.Close()
			f.conn = nil
		default:
			return f.conn, nil
		}
	}
	if err := f.t.check(); err != nil {
		return nil, err
	}
	var args []string
	if f.t.ep.Sudo {
		args = f.t.sessionArgs(false, []string{"sh", "-c", sftpServerScript})
	} else {
		args = append(f.t.muxArgs("-T", "-o", "LogLevel=ERROR", "-s"), "sftp")
	}
	cmd := exec.Command(f.t.opts.SSH[0], args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, f.failed(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, f.failed(err)
	}
	stderr := &tail{max: 2048, also: f.t.opts.Debug}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	fmt.Fprintf(f.t.opts.Debug, "ssh: %s\n", strings.Join(cmd.Args, " "))
	if err := cmd.Start(); err != nil {
		return nil, f.failed(err)
	}
	sc := &sftpConn{cmd: cmd, stderr: stderr, done: make(chan struct{})}
	go func() { cmd.Wait(); close(sc.done) }()
	sc.c, err = sftp.NewClientPipe(stdout, stdin)
	if err != nil {
		cmd.Process.Kill()
		<-sc.done
		if cerr := f.t.check(); cerr != nil {
			return nil, cerr
		}
		msg := sshMessage(stderr.String(), err)
		if f.t.ep.Sudo {
			if s := SudoRefusal(msg); s != "" {
				return nil, backend.Errorf(backend.ErrPermission, "cannot read files on %s: sudo there %s, and ctui runs sudo -n (sudo: %s)", f.t.Node(), s, msg)
			}
		}
		return nil, backend.Errorf(backend.ErrUnsupported,
			"cannot read files on %s over SSH: its sftp service did not start (%s); enable it in the node's sshd_config (Subsystem sftp ...), as `sftp %s` needs", f.t.Node(), msg, f.t.ep.Host)
	}
	f.conn = sc
	return sc, nil
}

func (f *Files) failed(err error) error {
	return backend.Errorf(backend.ErrFailed, "read files on %s: %v", f.t.Node(), err)
}

// translate passes on what the node's sftp server answered (not found,
// permission denied, end of file) and turns a session that ended under
// the call into ErrUnavailable, dropping it so that the next call starts
// another once the master is back.
func (f *Files) translate(sc *sftpConn, err error, name string) error {
	var st *sftp.StatusError
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, os.ErrClosed):
		return err
	case errors.As(err, &st) && !errors.Is(err, sftp.ErrSSHFxConnectionLost):
		return &backend.Error{Kind: backend.ErrFailed, Err: err, Msg: fmt.Sprintf("reading %s on %s: %v", name, f.t.Node(), err)}
	}
	f.mu.Lock()
	if f.conn == sc {
		f.conn = nil
		sc.c.Close()
		sc.cmd.Process.Kill()
	}
	f.mu.Unlock()
	if cerr := f.t.check(); cerr != nil {
		return cerr
	}
	return &backend.Error{Kind: backend.ErrUnavailable, Err: err,
		Msg: fmt.Sprintf("lost the SSH connection to %s while reading %s", f.t.Node(), name)}
}

// Open opens name on the node for reading.
func (f *Files) Open(name string) (logs.File, error) {
	sc, err := f.client()
	if err != nil {
		return nil, err
	}
	fh, err := sc.c.Open(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: f.translate(sc, err, name)}
	}
	return &nodeFile{f: fh, files: f, sc: sc, name: name}, nil
}

// Stat is the file at name on the node.
func (f *Files) Stat(name string) (fs.FileInfo, error) {
	sc, err := f.client()
	if err != nil {
		return nil, err
	}
	fi, err := sc.c.Stat(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: f.translate(sc, err, name)}
	}
	return fi, nil
}

// SameFile tells an open log from the file now at its path without inode
// numbers, which SFTP does not report: fi (the open file) and pi (the
// path) were taken one after the other, and the open file is looked at once
// more. If it did not change in between, a path of another size or time
// is another file (the log was rotated); if it did change, the question is
// left for the next look, which sees the same file again.
func (f *Files) SameFile(open logs.File, fi, pi fs.FileInfo) bool {
	again, err := open.Stat()
	if err != nil || again.Size() != fi.Size() || !again.ModTime().Equal(fi.ModTime()) {
		return true
	}
	return pi.Size() == fi.Size() && pi.ModTime().Equal(fi.ModTime())
}

// nodeFile is a file open on the node; its errors say when the connection
// dropped (backend.ErrUnavailable).
type nodeFile struct {
	f     *sftp.File
	files *Files
	sc    *sftpConn
	name  string
}

func (n *nodeFile) Read(p []byte) (int, error) {
	k, err := n.f.Read(p)
	return k, n.files.translate(n.sc, err, n.name)
}

func (n *nodeFile) ReadAt(p []byte, off int64) (int, error) {
	k, err := n.f.ReadAt(p, off)
	return k, n.files.translate(n.sc, err, n.name)
}

func (n *nodeFile) Seek(off int64, whence int) (int64, error) {
	o, err := n.f.Seek(off, whence)
	return o, n.files.translate(n.sc, err, n.name)
}

func (n *nodeFile) Stat() (fs.FileInfo, error) {
	fi, err := n.f.Stat()
	return fi, n.files.translate(n.sc, err, n.name)
}

func (n *nodeFile) Close() error {
	// The session may be gone: nothing is left open on the node then.
	n.f.Close()
	return nil
}

// closeFiles ends the sftp session (Transport.Close).
func (f *Files) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		f.conn.c.Close()
		f.conn.cmd.Process.Kill()
		f.conn = nil
	}
}
