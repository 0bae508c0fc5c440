package containerd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/pkg/cio"

	"github.com/ctui/ctui/backend"
)

// remoteIOScript makes the fifos a task process is wired to on the node
// (the shim opens them by path, so they must be on its machine), prints
// their directory, then relays them over the session's own stdio: stdin
// into in (with "$1" = in), out to stdout, err to stderr (with "$2" = err).
// It ends when the shim closes out and err (the process and its output are
// done), and takes the fifos with it.
const remoteIOScript = `d=$(mktemp -d "${TMPDIR:-/tmp}/ctui-exec.XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM PIPE
mkfifo -m 600 "$d/in" "$d/out" "$d/err" || exit 1
echo "$d"
exec 3<&0
in=
if [ "$1" = in ]; then cat <&3 >"$d/in" & in=$!; fi
e=
if [ "$2" = err ]; then cat "$d/err" >&2 & e=$!; fi
cat "$d/out"
[ -n "$e" ] && wait "$e"
[ -n "$in" ] && kill "$in" 2>/dev/null
exit 0`

// remoteIOUnblock ends a relay whose fifos the shim never opened (the
// process did not start): holding each fifo open both ways lets the relay's
// blocked opens through, removing them stops later ones, and closing them
// gives its readers the end of the stream. Killing the local ssh is not
// enough: a session over a ControlMaster hands its stdio to the master,
// which keeps it until the node's side ends.
const remoteIOUnblock = `cd "$1" 2>/dev/null || exit 0
exec 3<>out 4<>err 5<>in
rm -f out err in`

// remoteIO is a process's stdio on a remote node: one session over the
// SSH connection makes the fifos there and relays them, so native exec
// works over ssh:// with everything else (exit code, resize, kill, delete)
// through containerd's task API as locally.
type remoteIO struct {
	cfg     cio.Config
	t       backend.Transport
	timeout time.Duration
	dir     string
	kill    func()
	done    chan struct{} // the session and the copy of its output ended
	once    sync.Once
}

func (r *remoteIO) Config() cio.Config { return r.cfg }
func (r *remoteIO) Wait()              { <-r.done }
func (r *remoteIO) Close() error {
	r.Cancel()
	return nil
}

// Cancel ends the relay unless it ended by itself (the process exited and
// the shim closed its fifos).
func (r *remoteIO) Cancel() {
	r.once.Do(func() {
		select {
		case <-r.done:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		defer cancel()
		_ = r.t.Command(ctx, false, "sh", "-c", remoteIOUnblock, "ctui-exec-cancel", r.dir).Run()
		r.kill()
	})
}

// remoteIOCreator gives the process fifos on the node relayed to in, out
// and errw (nil errw: a terminal, whose output all comes on out).
func (c *Client) remoteIOCreator(in io.Reader, out, errw io.Writer, tty bool) cio.Creator {
	return func(string) (cio.IO, error) {
		return startRemoteIO(c.transport, c.timeout, in, out, errw, tty)
	}
}

func startRemoteIO(t backend.Transport, timeout time.Duration, in io.Reader, out, errw io.Writer, tty bool) (cio.IO, error) {
	inFlag, errFlag := "-", "-"
	if in != nil {
		inFlag = "in"
	}
	if !tty {
		errFlag = "err"
	}
	cmd := t.Command(context.Background(), false, "sh", "-c", remoteIOScript, "ctui-exec", inFlag, errFlag)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stdin io.WriteCloser
	if in != nil {
		if stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	said := &lastWords{}
	if errw != nil {
		cmd.Stderr = io.MultiWriter(errw, said)
	} else {
		cmd.Stderr = said
	}
	if err := cmd.Start(); err != nil {
		return nil, backend.Errorf(backend.ErrFailed, "exec over SSH on %s: %v", t.Node(), err)
	}
	kill := func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	br := bufio.NewReader(stdout)
	dirC := make(chan string, 1)
	go func() {
		l, _ := br.ReadString('\n')
		dirC <- strings.TrimSpace(l)
	}()
	var dir string
	select {
	case dir = <-dirC:
	case <-time.After(timeout):
	}
	if !strings.HasPrefix(dir, "/") {
		kill()
		cmd.Wait()
		return nil, backend.Errorf(backend.ErrUnavailable, "exec over SSH on %s: the node did not make the process's fifos (%s)", t.Node(), said.String())
	}
	r := &remoteIO{t: t, timeout: timeout, dir: dir, kill: kill, done: make(chan struct{})}
	r.cfg = cio.Config{Terminal: tty, Stdout: dir + "/out"}
	if in != nil {
		r.cfg.Stdin = dir + "/in"
		go func() {
			io.Copy(stdin, in)
			stdin.Close()
		}()
	}
	if !tty {
		r.cfg.Stderr = dir + "/err"
	}
	go func() {
		io.Copy(out, br)
		cmd.Wait()
		close(r.done)
	}()
	return r, nil
}

// lastWords keeps the end of what the session said on stderr, for the
// sentence when it fails before the process starts.
type lastWords struct {
	mu  sync.Mutex
	buf []byte
}

func (w *lastWords) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if len(w.buf) > 1024 {
		w.buf = w.buf[len(w.buf)-1024:]
	}
	return len(p), nil
}

func (w *lastWords) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := strings.TrimSpace(string(w.buf))
	if s == "" {
		return "it said nothing"
	}
	return fmt.Sprintf("it said: %s", s)
}
