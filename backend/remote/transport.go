package remote

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ctui/ctui/backend"
)

// Options are how ctui runs ssh.
type Options struct {
	// SSH is the ssh command with arguments of its own (CTUI_SSH, as
	// GIT_SSH_COMMAND for git); empty means "ssh" from PATH.
	SSH []string
	// ConnectTimeout bounds the TCP connect (ssh's ConnectTimeout); zero
	// means backend.DefaultTimeout.
	ConnectTimeout time.Duration
	// Prompt lets the first connection ask on the terminal (a password, a
	// passphrase, an unknown host key), as `ssh host` would. Without it, and
	// always when reconnecting under the UI, ssh runs in BatchMode and fails
	// with its own message instead of asking.
	Prompt bool
	// Debug receives ssh's messages and the commands ctui runs (--debug).
	Debug io.Writer
}

// Transport is one SSH connection to a node: a ControlMaster that ctui owns,
// with a control socket in a private directory. It reconnects by itself
// (without prompting) when the connection drops; until then every dial fails
// at once with ErrUnavailable and a sentence saying so.
type Transport struct {
	ep   Endpoint
	opts Options
	dir  string // 0700: the control socket and the forwarded sockets
	ctl  string

	mu       sync.Mutex
	up       bool
	lost     error                 // why the connection is down, while it is
	forwards map[string]string     // socket on the node -> forwarded local socket
	spares   map[string][]net.Conn // socket on the node -> relays the probe opened, for the first dials
	files    *Files                // the node's files over sftp, once asked for
	master   *exec.Cmd
	closed   bool
	closing  chan struct{}
	exited   chan string // the master's last words when it ends
	wg       sync.WaitGroup
}

var _ backend.Transport = (*Transport)(nil)

// readyMark is what ssh's LocalCommand prints once the connection is
// authenticated and the master is listening on its control socket.
const readyMark = "ctui-ssh-ready"

// Open connects to the node and finds containerd's socket there (the one
// the endpoint names, else the first of backend.KnownSockets that exists),
// checking that it can be reached as the endpoint says (as the login user,
// or through sudo -n).
func Open(ctx context.Context, ep Endpoint, opts Options) (*Transport, Socket, error) {
	if len(opts.SSH) == 0 {
		opts.SSH = []string{"ssh"}
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = backend.DefaultTimeout
	}
	if opts.Debug == nil {
		opts.Debug = io.Discard
	}
	dir, err := os.MkdirTemp("", "ctui-ssh-")
	if err != nil {
		return nil, Socket{}, backend.Errorf(backend.ErrFailed, "connect to %s: %v", ep.Node(), err)
	}
	t := &Transport{ep: ep, opts: opts, dir: dir, ctl: filepath.Join(dir, "ctl"),
		forwards: map[string]string{}, spares: map[string][]net.Conn{}, closing: make(chan struct{}), exited: make(chan string, 1)}
	if err := t.startMaster(ctx, opts.Prompt); err != nil {
		os.RemoveAll(dir)
		return nil, Socket{}, err
	}
	t.wg.Add(1)
	go t.supervise()
	sock, err := t.findSocket(ctx)
	if err != nil {
		t.Close()
		return nil, Socket{}, err
	}
	return t, sock, nil
}

// Endpoint is what the transport was opened with.
func (t *Transport) Endpoint() Endpoint { return t.ep }

// Where names a socket on the node: ssh://user@host/path.
func (t *Transport) Where(socket string) string { return t.ep.Where(socket) }

// Node is ssh://[user@]host[:port].
func (t *Transport) Node() string { return t.ep.Node() }

// Sudo reports whether the node's side runs through sudo -n.
func (t *Transport) Sudo() bool { return t.ep.Sudo }

func (t *Transport) base() []string {
	return append([]string(nil), t.opts.SSH...)
}

// startMaster starts the ControlMaster and waits until it is authenticated
// (its LocalCommand prints readyMark) or has ended (its message says why).
func (t *Transport) startMaster(ctx context.Context, prompt bool) error {
	args := t.base()[1:]
	args = append(args, "-M", "-S", t.ctl,
		"-o", "ControlPersist=no",
		"-o", "PermitLocalCommand=yes",
		"-o", "LocalCommand=echo "+readyMark,
		"-o", "ExitOnForwardFailure=yes",
		"-o", "StreamLocalBindUnlink=yes",
		"-o", "ServerAliveInterval=10",
		"-o", "ServerAliveCountMax=3",
		"-o", fmt.Sprintf("ConnectTimeout=%d", int((t.opts.ConnectTimeout+time.Second-1)/time.Second)),
		"-N")
	if !prompt {
		args = append(args, "-o", "BatchMode=yes")
	}
	t.mu.Lock()
	for remote, local := range t.forwards {
		args = append(args, "-L", local+":"+remote)
	}
	t.mu.Unlock()
	args = append(args, t.ep.sshArgs()...)
	cmd := exec.Command(t.opts.SSH[0], args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return backend.Errorf(backend.ErrFailed, "connect to %s: %v", t.ep.Node(), err)
	}
	stderr := &tail{max: 4096, also: t.opts.Debug}
	cmd.Stderr = stderr
	if !prompt {
		// No terminal to prompt on: its own process group, so a Ctrl+C
		// on the operator's terminal does not end the connection.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	fmt.Fprintf(t.opts.Debug, "ssh: %s\n", strings.Join(cmd.Args, " "))
	if err := cmd.Start(); err != nil {
		return backend.Errorf(backend.ErrFailed, "connect to %s: cannot run %s: %v (install OpenSSH's client, or name it with CTUI_SSH)", t.ep.Node(), t.opts.SSH[0], err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == readyMark && !ok {
				ok = true
				ready <- true
			}
		}
		if !ok {
			ready <- false
		}
	}()
	waited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(waited)
		select {
		case t.exited <- stderr.String():
		default:
		}
	}()
	select {
	case ok := <-ready:
		if ok {
			t.mu.Lock()
			t.master, t.up, t.lost = cmd, true, nil
			t.mu.Unlock()
			return nil
		}
		<-waited
		<-t.exited
		return connectError(t.ep, stderr.String(), cmd.ProcessState)
	case <-ctx.Done():
		cmd.Process.Kill()
		<-waited
		<-t.exited
		return backend.Errorf(backend.ErrCanceled, "connect to %s: canceled", t.ep.Node())
	}
}

// supervise waits for the master to end and starts another, without
// prompting, until the transport is closed: a dropped link or a restarted
// sshd is then a daemon that went away and came back, which the UI's
// connection panel already handles.
func (t *Transport) supervise() {
	defer t.wg.Done()
	for {
		var last string
		select {
		case <-t.closing:
			return
		case last = <-t.exited:
		}
		t.mu.Lock()
		t.up = false
		t.lost = lostError(t.ep, last)
		t.dropSpares()
		t.mu.Unlock()
		fmt.Fprintf(t.opts.Debug, "ssh: connection to %s lost: %s\n", t.ep.Node(), strings.TrimSpace(last))
		delay := 250 * time.Millisecond
		for {
			select {
			case <-t.closing:
				return
			case <-time.After(delay):
			}
			ctx, cancel := context.WithTimeout(context.Background(), t.opts.ConnectTimeout+5*time.Second)
			err := t.startMaster(ctx, false)
			cancel()
			if err == nil {
				fmt.Fprintf(t.opts.Debug, "ssh: reconnected to %s\n", t.ep.Node())
				break
			}
			t.mu.Lock()
			t.lost = lostError(t.ep, errText(err))
			t.mu.Unlock()
			if delay < 2*time.Second {
				delay *= 2
			}
		}
	}
}

func errText(err error) string {
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		return be.Err.Error()
	}
	return err.Error()
}

// Close ends the connection and removes the private directory.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.closing)
	m, files := t.master, t.files
	t.dropSpares()
	t.mu.Unlock()
	if files != nil {
		files.close()
	}
	if m != nil && m.Process != nil {
		m.Process.Signal(syscall.SIGTERM)
	}
	t.wg.Wait()
	return os.RemoveAll(t.dir)
}

// dropSpares closes the relays no dial took (t.mu held).
func (t *Transport) dropSpares() {
	for k, cs := range t.spares {
		for _, c := range cs {
			c.Close()
		}
		delete(t.spares, k)
	}
}

// check says why nothing can be dialed now: the connection is down (and
// being re-established) or the transport is closed.
func (t *Transport) check() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return backend.Errorf(backend.ErrCanceled, "the SSH connection to %s is closed", t.ep.Node())
	}
	if !t.up {
		return t.lost
	}
	return nil
}

// muxArgs runs one more session over the master: a command, a forward, a
// stdio relay. ControlMaster=no keeps it from ever becoming a second
// connection, BatchMode from ever prompting.
func (t *Transport) muxArgs(extra ...string) []string {
	args := t.base()[1:]
	args = append(args, "-S", t.ctl, "-o", "ControlMaster=no", "-o", "BatchMode=yes")
	args = append(args, extra...)
	return append(args, t.ep.sshArgs()...)
}

// DialSocket connects to a unix socket on the node: through the master's
// forwarding of that socket, or, with sudo, through a relay that sudo -n
// runs on the node for this one connection.
func (t *Transport) DialSocket(ctx context.Context, socket string) (net.Conn, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if t.ep.Sudo {
		return t.relay(ctx, socket)
	}
	local, err := t.forward(ctx, socket)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", local)
	if err != nil {
		if cerr := t.check(); cerr != nil {
			return nil, cerr
		}
		fmt.Fprintf(t.opts.Debug, "ssh: dial the forward of %s: %v\n", socket, err)
		return nil, backend.Errorf(backend.ErrUnavailable, "the SSH connection to %s dropped; reconnecting", t.Node())
	}
	return c, nil
}

// forward asks the master to forward socket (once; a new master gets the
// same forwards on its command line) and returns the local end.
func (t *Transport) forward(ctx context.Context, socket string) (string, error) {
	t.mu.Lock()
	local, ok := t.forwards[socket]
	t.mu.Unlock()
	if ok {
		return local, nil
	}
	t.mu.Lock()
	local = filepath.Join(t.dir, fmt.Sprintf("fwd%d.sock", len(t.forwards)))
	t.mu.Unlock()
	cmd := exec.CommandContext(ctx, t.opts.SSH[0], t.muxArgs("-O", "forward", "-L", local+":"+socket)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if cerr := t.check(); cerr != nil {
			return "", cerr
		}
		return "", backend.Errorf(backend.ErrFailed, "forward %s over SSH: %s", t.Where(socket), sshMessage(string(out), err))
	}
	t.mu.Lock()
	t.forwards[socket] = local
	t.mu.Unlock()
	return local, nil
}

// relayScript connects its stdin and stdout to the unix socket $1, with
// socat where the node has it, else python3.
const relayScript = `if command -v socat >/dev/null 2>&1; then exec socat - "UNIX-CONNECT:$1"; fi
if command -v python3 >/dev/null 2>&1; then exec python3 -c '
import os, socket, sys, threading
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
def up():
    while True:
        b = os.read(0, 65536)
        if not b:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(b)
threading.Thread(target=up, daemon=True).start()
while True:
    b = s.recv(65536)
    if not b:
        break
    os.write(1, b)
' "$1"; fi
echo "ctui: neither socat nor python3 is on the node to reach $1 through sudo" >&2
exit 127`

func (t *Transport) relay(ctx context.Context, socket string) (net.Conn, error) {
	t.mu.Lock()
	if cs := t.spares[socket]; len(cs) > 0 {
		t.spares[socket] = cs[1:]
		t.mu.Unlock()
		return cs[0], nil
	}
	t.mu.Unlock()
	return t.pipe(t.sessionArgs(false, []string{"sh", "-c", relayScript, "ctui-relay", socket}), t.Where(socket))
}

// DialTCP connects to addr as the node sees it (127.0.0.1:port is the
// node's loopback), through ssh's stdio forwarding over the master.
func (t *Transport) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	return t.pipe(t.muxArgs("-W", addr), t.ep.Node()+" -> "+addr)
}

// remoteCommand is argv as one command line for the node's shell, through
// sudo -n when the endpoint says so.
func (t *Transport) remoteCommand(argv []string) []string {
	q := make([]string, 0, len(argv)+3)
	if t.ep.Sudo {
		q = append(q, "sudo", "-n", "--")
	}
	for _, a := range argv {
		q = append(q, ShellQuote(a))
	}
	return []string{strings.Join(q, " ")}
}

// Command runs argv on the node over the connection (through sudo -n when
// the endpoint says so). With tty, ssh gives it a terminal (-tt), whose size
// follows the local one.
func (t *Transport) Command(ctx context.Context, tty bool, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, t.opts.SSH[0], t.sessionArgs(tty, argv)...)
}

// sessionArgs are ssh's arguments for argv run on the node over the master.
func (t *Transport) sessionArgs(tty bool, argv []string) []string {
	flag := "-T"
	if tty {
		flag = "-tt"
	}
	args := t.muxArgs(flag, "-o", "LogLevel=ERROR")
	args = append(args, "--")
	return append(args, t.remoteCommand(argv)...)
}

// Run runs argv on the node and returns its stdout; a failure carries
// ssh's or the command's message.
func (t *Transport) Run(ctx context.Context, argv ...string) ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	cmd := t.Command(ctx, false, argv...)
	var stdout bytes.Buffer
	stderr := &tail{max: 4096}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err := cmd.Run()
	if err != nil {
		if cerr := t.check(); cerr != nil {
			return nil, cerr
		}
		return stdout.Bytes(), &RunError{Msg: strings.TrimSpace(stderr.String()), Err: err}
	}
	return stdout.Bytes(), nil
}

// RunError is a command on the node that failed: its exit status and what
// it (or ssh, or sudo) said on stderr.
type RunError struct {
	Msg string
	Err error
}

func (e *RunError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return e.Err.Error()
}

func (e *RunError) Unwrap() error { return e.Err }

// ExitCode is the command's exit status (-1 when it did not exit).
func (e *RunError) ExitCode() int {
	var x *exec.ExitError
	if errors.As(e.Err, &x) {
		return x.ExitCode()
	}
	return -1
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=/.,:@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tail keeps the last max bytes written to it, and copies everything to
// also (a debug log).
type tail struct {
	mu   sync.Mutex
	buf  []byte
	max  int
	also io.Writer
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.also != nil {
		t.also.Write(p)
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
