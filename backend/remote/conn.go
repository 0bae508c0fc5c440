package remote

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ctui/ctui/backend"
)

// pipe runs ssh with args and returns a net.Conn over its stdin and stdout:
// one gRPC connection or one exec stream, relayed over the master. The pipes
// are the process's own, so deadlines work on them.
func (t *Transport) pipe(args []string, what string) (net.Conn, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, backend.Errorf(backend.ErrFailed, "reach %s: %v", what, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, backend.Errorf(backend.ErrFailed, "reach %s: %v", what, err)
	}
	growPipe(outW)
	growPipe(inW)
	cmd := exec.Command(t.opts.SSH[0], args...)
	cmd.Stdin, cmd.Stdout = inR, outW
	stderr := &tail{max: 2048, also: t.opts.Debug}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, backend.Errorf(backend.ErrFailed, "reach %s: cannot run %s: %v", what, t.opts.SSH[0], err)
	}
	inR.Close()
	outW.Close()
	c := &pipeConn{r: outR, w: inW, cmd: cmd, stderr: stderr, what: what, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// pipeConn is a net.Conn over a relay process's stdio.
type pipeConn struct {
	r, w   *os.File
	cmd    *exec.Cmd
	stderr *tail
	what   string
	once   sync.Once
	done   chan struct{}
}

func (c *pipeConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *pipeConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// Close ends the relay: closing its stdin lets it finish; it is killed if
// it has not after a moment.
func (c *pipeConn) Close() error {
	c.once.Do(func() {
		c.w.Close()
		c.r.Close()
		go func() {
			select {
			case <-c.done:
			case <-time.After(2 * time.Second):
				c.cmd.Process.Kill()
			}
		}()
	})
	return nil
}

// failure is why the session ended before it relayed (read failed with
// err): what ssh, sudo or the script said, with the exit status once the
// process is gone.
func (c *pipeConn) failure(err error) error {
	if c.exited(2 * time.Second) {
		return &RunError{Msg: c.Message(), Err: &exec.ExitError{ProcessState: c.cmd.ProcessState}}
	}
	return &RunError{Msg: c.Message(), Err: err}
}

// exited waits up to wait for the session's process to end (ssh writes
// why a session failed on stderr as it goes) and tells whether it has.
func (c *pipeConn) exited(wait time.Duration) bool {
	select {
	case <-c.done:
		return true
	case <-time.After(wait):
		return false
	}
}

// bufferedConn is a relay whose first bytes were read into r (the probe's
// lines, and maybe what the daemon sent at once after them).
type bufferedConn struct {
	*pipeConn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Message is what ssh or the relay said on stderr, for a connection that
// ended early.
func (c *pipeConn) Message() string { return strings.TrimSpace(c.stderr.String()) }

func (c *pipeConn) LocalAddr() net.Addr  { return sshAddr("ctui") }
func (c *pipeConn) RemoteAddr() net.Addr { return sshAddr(c.what) }

func (c *pipeConn) SetDeadline(t time.Time) error {
	c.r.SetReadDeadline(t)
	return c.w.SetWriteDeadline(t)
}
func (c *pipeConn) SetReadDeadline(t time.Time) error  { return c.r.SetReadDeadline(t) }
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return c.w.SetWriteDeadline(t) }

type sshAddr string

func (a sshAddr) Network() string { return "ssh" }
func (a sshAddr) String() string  { return string(a) }
