package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
)

// Socket is the runtime socket found on the node, and why it was chosen.
type Socket struct {
	Path string
	// Why is "named in the endpoint" or "autodetected: <who> at <path>".
	Why string
	// Containerd is false for a CRI-only runtime's socket (CRI-O).
	Containerd bool
}

// probeScript prints one line per socket path argument: its state as the
// node's side (the login user, or root through sudo) sees it. A link this
// user cannot follow is taken for a permission problem (root would follow
// it).
const probeScript = `for p do
  if [ -S "$p" ]; then
    if [ -r "$p" ] && [ -w "$p" ]; then echo "ok $p"; else echo "denied $p"; fi
  elif [ -e "$p" ]; then echo "notsocket $p"
  elif [ -L "$p" ] && [ "$(id -u)" != 0 ]; then echo "dirdenied $p"
  else
    d=${p%/*}
    while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
    if [ -n "$d" ] && [ ! -x "$d" ]; then echo "dirdenied $p"; else echo "missing $p"; fi
  fi
done`

// relayProbeScript is probeScript followed, in the same session, by a
// relay to the first socket that is "ok": a line "relay PATH" marks where
// the probe's lines end and the relay's bytes begin ("relay-none": no
// socket to relay to, the session ends). Through sudo, one session thus
// both finds the socket and carries a gRPC connection to it, instead of a
// probe session and then one relay session per API, each a few round trips
// and a sudo apart.
const relayProbeScript = probeScript + `
for p do
  if [ -S "$p" ] && [ -r "$p" ] && [ -w "$p" ]; then
    echo "relay $p"
    set -- "$p"
` + relayScript + `
  fi
done
echo relay-none`

// findSocket checks the socket the endpoint names, or looks for the known
// ones (backend.KnownSockets, the list autodetection uses on the node
// itself), in one command on the node. Through sudo it runs as the first
// sessions of both APIs' relays (relayProbeScript); their connections wait
// in t.spares for the first two dials.
func (t *Transport) findSocket(ctx context.Context) (Socket, error) {
	paths := []string{t.ep.Socket}
	if t.ep.Socket == "" {
		paths = backend.KnownSocketPaths()
	}
	var state map[string]string
	var err error
	if t.ep.Sudo {
		state, err = t.probeRelays(ctx, paths, 2)
	} else {
		var out []byte
		out, err = t.Run(ctx, append([]string{"sh", "-c", probeScript, "ctui-probe"}, paths...)...)
		state = probeStates(string(out))
	}
	if err != nil {
		return Socket{}, t.runError(err, "look for containerd's socket")
	}
	return t.decide(paths, state)
}

// probeStates reads the probe's lines: the state of each path.
func probeStates(out string) map[string]string {
	state := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if st, p, ok := strings.Cut(strings.TrimSpace(l), " "); ok {
			state[p] = st
		}
	}
	return state
}

// probeRelays runs relayProbeScript in n sessions at once and returns the
// probe's states (the first session's answer); the sessions that went on
// as relays are kept in t.spares for DialSocket.
func (t *Transport) probeRelays(ctx context.Context, paths []string, n int) (map[string]string, error) {
	type answer struct {
		state map[string]string
		conn  net.Conn
		path  string
		err   error
	}
	args := t.sessionArgs(false, append([]string{"sh", "-c", relayProbeScript, "ctui-probe"}, paths...))
	answers := make(chan answer, n)
	for range n {
		go func() {
			var a answer
			a.state, a.path, a.conn, a.err = t.probeRelay(ctx, args)
			answers <- a
		}()
	}
	var first answer
	for i := range n {
		a := <-answers
		if i == 0 || first.err != nil && a.err == nil {
			first = a
		}
		if a.conn != nil {
			t.mu.Lock()
			t.spares[a.path] = append(t.spares[a.path], a.conn)
			t.mu.Unlock()
		}
	}
	return first.state, first.err
}

// probeRelay runs one relayProbeScript session: the states it printed, and
// the connection to path when it went on as a relay.
func (t *Transport) probeRelay(ctx context.Context, args []string) (map[string]string, string, net.Conn, error) {
	c, err := t.pipe(args, t.Node())
	if err != nil {
		return nil, "", nil, err
	}
	pc := c.(*pipeConn)
	if dl, ok := ctx.Deadline(); ok {
		pc.r.SetReadDeadline(dl)
	}
	br := bufio.NewReader(pc)
	var out strings.Builder
	for {
		line, err := br.ReadString('\n')
		if path, ok := strings.CutPrefix(strings.TrimSpace(line), "relay "); ok {
			pc.r.SetReadDeadline(time.Time{})
			return probeStates(out.String()), path, &bufferedConn{pipeConn: pc, r: br}, nil
		}
		if strings.TrimSpace(line) == "relay-none" {
			pc.Close()
			return probeStates(out.String()), "", nil, nil
		}
		out.WriteString(line)
		if err != nil {
			pc.Close()
			return nil, "", nil, pc.failure(err)
		}
	}
}

// decide picks the socket from the probe's states, or says why none.
func (t *Transport) decide(paths []string, state map[string]string) (Socket, error) {
	as := "the login user"
	if t.ep.User != "" {
		as = t.ep.User
	}
	denied := func(p string) error {
		return backend.Errorf(backend.ErrPermission,
			"permission denied on %s for %s; connect as root or as a member of the socket's group, or add ?sudo to the endpoint to reach it through sudo -n", t.Where(p), as)
	}
	if t.ep.Socket != "" {
		p := t.ep.Socket
		switch state[p] {
		case "ok":
			return Socket{Path: p, Why: "named in the endpoint", Containerd: true}, nil
		case "denied", "dirdenied":
			return Socket{}, denied(p)
		case "notsocket":
			return Socket{}, backend.Errorf(backend.ErrNotContainerd, "%s is not a socket", t.Where(p))
		}
		return Socket{}, backend.Errorf(backend.ErrSocketMissing, "containerd socket %s does not exist on the node; is containerd running there? (leave the path out to autodetect it)", t.Where(p))
	}
	var firstDenied string
	for _, k := range backend.KnownSockets {
		switch state[k.Path] {
		case "ok":
			return Socket{Path: k.Path, Why: "autodetected on the node: " + k.What + " at " + k.Path, Containerd: k.Containerd}, nil
		case "denied", "dirdenied":
			if firstDenied == "" {
				firstDenied = k.Path
			}
		}
	}
	if firstDenied != "" {
		return Socket{}, denied(firstDenied)
	}
	return Socket{}, backend.Errorf(backend.ErrSocketMissing, "no known runtime socket exists on %s (looked for %s); is containerd running there? Name the socket in the endpoint: %s/path/to/containerd.sock",
		t.Node(), strings.Join(paths, ", "), t.Node())
}

// runError words a failed command on the node: sudo that wants a password,
// or what the command said.
func (t *Transport) runError(err error, what string) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	var re *RunError
	if !errors.As(err, &re) {
		return backend.Errorf(backend.ErrFailed, "%s on %s: %v", what, t.Node(), err)
	}
	msg := re.Msg
	if t.ep.Sudo {
		if s := SudoRefusal(msg); s != "" {
			return &backend.Error{Kind: backend.ErrPermission, Err: err, Msg: fmt.Sprintf(
				"sudo on %s %s, and ctui runs sudo -n, which never asks (sudo: %s); allow %s to run sudo without a password (NOPASSWD in sudoers) or connect as root",
				t.Node(), s, strings.TrimPrefix(firstLine(msg), "sudo: "), userOr(t.ep.User))}
		}
	}
	if re.ExitCode() == 255 {
		return &backend.Error{Kind: backend.ErrUnavailable, Err: err, Msg: fmt.Sprintf("%s on %s: ssh failed (ssh: %s)", what, t.Node(), sshMessage(msg, re.Err))}
	}
	return &backend.Error{Kind: backend.ErrFailed, Err: err, Msg: fmt.Sprintf("%s on %s: %s", what, t.Node(), sshMessage(msg, re.Err))}
}

// SudoRefusal says what sudo -n refused ("asks for a password", "does not
// allow the user to run it"), from its message; "" when msg is not sudo's.
func SudoRefusal(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "a password is required"), strings.Contains(m, "a terminal is required"):
		return "asks for a password"
	case strings.Contains(m, "is not in the sudoers file"), strings.Contains(m, "is not allowed to execute"), strings.Contains(m, "may not run sudo"):
		return "does not allow the user to run it"
	case strings.Contains(m, "sudo: command not found"), strings.Contains(m, "sudo: not found"):
		return "is not installed"
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(l)
}

func userOr(u string) string {
	if u == "" {
		return "the login user"
	}
	return u
}
