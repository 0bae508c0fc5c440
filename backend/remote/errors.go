package remote

import (
	"fmt"
	"os"
	"strings"

	"github.com/ctui/ctui/backend"
)

// sshMessage is what ssh said, without its chatter (warnings about added
// host keys, banners' blank lines), as one line; err when it said nothing.
func sshMessage(stderr string, err error) string {
	var keep []string
	for _, l := range strings.Split(strings.ReplaceAll(stderr, "\r", ""), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Warning: Permanently added") || strings.Trim(l, "@ ") == "" {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) == 0 {
		if err != nil {
			return err.Error()
		}
		return "ssh ended without a message"
	}
	msg := strings.Join(keep, " ")
	if len(msg) > 400 {
		msg = msg[:400] + "..."
	}
	return msg
}

// sshCause is the underlying error of an SSH failure: ssh's own words.
type sshCause struct{ msg string }

func (c sshCause) Error() string { return "ssh: " + c.msg }

// connectError words why the first connection failed, naming the cause
// first and quoting ssh.
func connectError(ep Endpoint, stderr string, ps *os.ProcessState) error {
	var err error
	if ps != nil {
		err = fmt.Errorf("ssh exited with status %d", ps.ExitCode())
	}
	msg := sshMessage(stderr, err)
	kind, why := classify(ep, msg)
	return &backend.Error{Kind: kind, Err: sshCause{msg}, Msg: fmt.Sprintf("cannot connect to %s: %s (ssh: %s)", ep.Node(), why, msg)}
}

// lostError is the sentence for a connection that dropped (or cannot be
// made again) while ctui runs; the UI shows it in the connection panel.
func lostError(ep Endpoint, stderr string) error {
	msg := sshMessage(stderr, nil)
	_, why := classify(ep, msg)
	return &backend.Error{Kind: backend.ErrUnavailable, Err: sshCause{msg}, Msg: fmt.Sprintf("lost the SSH connection to %s: %s; reconnecting (ssh: %s)", ep.Node(), why, msg)}
}

// classify tells the usual SSH failures apart by ssh's (stable, decades
// old) wording.
func classify(ep Endpoint, msg string) (error, string) {
	m := strings.ToLower(msg)
	user := ep.User
	if user == "" {
		user = "your user"
	}
	switch {
	case strings.Contains(m, "could not resolve hostname"), strings.Contains(m, "name or service not known"):
		return backend.ErrUnavailable, "the host name " + ep.Host + " does not resolve; check the name (or a Host entry in ~/.ssh/config)"
	case strings.Contains(m, "remote host identification has changed"), strings.Contains(m, "host key for") && strings.Contains(m, "has changed"):
		return backend.ErrPermission, "the host key of " + ep.Host + " does not match the one in known_hosts (a reinstalled node, or someone in between); check it, then fix known_hosts (ssh-keygen -R " + ep.knownHostsName() + ")"
	case strings.Contains(m, "host key verification failed"):
		return backend.ErrPermission, "the host key of " + ep.Host + " is not the one known_hosts holds, or is unknown; run `ssh " + strings.Join(ep.sshArgs(), " ") + "` once to check and accept it"
	case strings.Contains(m, "permission denied (") || strings.Contains(m, "too many authentication failures"):
		return backend.ErrPermission, "the node refused the login as " + user + " (no key or password it accepts); load your key into ssh-agent or name it in ~/.ssh/config"
	case strings.Contains(m, "connection refused"):
		return backend.ErrUnavailable, "nothing accepts SSH connections there (is sshd running, and on that port?)"
	case strings.Contains(m, "timed out"), strings.Contains(m, "timeout"):
		return backend.ErrTimeout, "the node did not answer in time"
	case strings.Contains(m, "no route to host"), strings.Contains(m, "network is unreachable"):
		return backend.ErrUnavailable, "the node cannot be reached from here"
	case strings.Contains(m, "closed by remote host"), strings.Contains(m, "connection reset"), strings.Contains(m, "broken pipe"), strings.Contains(m, "closed by"):
		return backend.ErrUnavailable, "the node closed the connection"
	}
	return backend.ErrFailed, "ssh failed"
}
