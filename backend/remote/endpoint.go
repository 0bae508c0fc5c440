// Package remote reaches a node's containerd over SSH, with the operator's
// own OpenSSH client: ~/.ssh/config, the agent, ProxyJump, known_hosts and
// ControlMaster work as they do for `ssh host`, and ctui never asks for, sees
// or stores a password (ssh prompts on the terminal itself).
//
// One SSH connection (a ControlMaster that ctui starts and owns, on a control
// socket in a private directory) carries everything: the containerd socket
// through OpenSSH's unix-socket forwarding (no program needed on the node),
// or, when the socket needs root, through a relay run by `sudo -n` on the
// node for each gRPC connection; commands on the node (socket detection, log
// files, exec through ctr); and TCP streams to the node's loopback (CRI's
// exec stream server).
package remote

import (
	"net"
	"net/url"
	"path"
	"strings"

	"github.com/ctui/ctui/backend"
)

// Scheme is how an endpoint names a node reached over SSH.
const Scheme = "ssh://"

// IsSSH reports whether an endpoint names a remote node (ssh://...).
func IsSSH(ep string) bool { return strings.HasPrefix(strings.TrimSpace(ep), Scheme) }

// Endpoint is ssh://[user@]host[:port][/path/to/containerd.sock][?sudo].
type Endpoint struct {
	User string // "" lets ssh choose (its config, then the local user)
	Host string // a name ssh resolves, an address, or a Host alias of ~/.ssh/config
	Port string // "" lets ssh choose
	// Socket is containerd's socket on the node; "" means autodetect it
	// there as ctui does locally.
	Socket string
	// Sudo runs the node's side through `sudo -n` (the socket needs root
	// and the login user is not root).
	Sudo bool
}

// Parse reads an ssh:// endpoint. A password in it is refused: ssh asks for
// one itself when it needs it, and a password on a command line or in an
// environment variable leaks into process lists and shell histories.
func Parse(s string) (Endpoint, error) {
	s = strings.TrimSpace(s)
	var e Endpoint
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "ssh" {
		return e, backend.Errorf(backend.ErrInvalid, "endpoint %q: want ssh://[user@]host[:port][/path/to/containerd.sock][?sudo]", s)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return e, backend.Errorf(backend.ErrInvalid, "endpoint %q holds a password; ctui never takes one: ssh asks for it, or use a key (ssh-agent, ~/.ssh/config)", redact(u))
		}
		e.User = u.User.Username()
	}
	e.Host, e.Port = u.Hostname(), u.Port()
	if e.Host == "" {
		return e, backend.Errorf(backend.ErrInvalid, "endpoint %q names no host: want ssh://[user@]host[:port][/path/to/containerd.sock]", s)
	}
	if strings.HasPrefix(e.Host, "-") || strings.HasPrefix(e.User, "-") {
		return e, backend.Errorf(backend.ErrInvalid, "endpoint %q: a host or user may not start with '-'", s)
	}
	if u.Path != "" && u.Path != "/" {
		e.Socket = path.Clean(u.Path)
	}
	for k, v := range u.Query() {
		switch k {
		case "sudo":
			switch strings.ToLower(v[len(v)-1]) {
			case "", "1", "true", "yes":
				e.Sudo = true
			case "0", "false", "no":
			default:
				return e, backend.Errorf(backend.ErrInvalid, "endpoint %q: sudo=%q: use ?sudo, ?sudo=true or ?sudo=false", s, v[len(v)-1])
			}
		default:
			return e, backend.Errorf(backend.ErrInvalid, "endpoint %q: unknown option %q (ssh:// takes only ?sudo)", s, k)
		}
	}
	return e, nil
}

func redact(u *url.URL) string {
	c := *u
	c.User = url.User(u.User.Username())
	return c.String()
}

// Node is ssh://[user@]host[:port], the node without the socket: what the
// header and sentences call it.
func (e Endpoint) Node() string {
	s := Scheme
	if e.User != "" {
		s += e.User + "@"
	}
	if e.Port != "" {
		return s + net.JoinHostPort(e.Host, e.Port)
	}
	if strings.Contains(e.Host, ":") {
		return s + "[" + e.Host + "]"
	}
	return s + e.Host
}

// String is the endpoint in the form Parse reads.
func (e Endpoint) String() string {
	s := e.Node() + e.Socket
	if e.Sudo {
		s += "?sudo"
	}
	return s
}

// Where names the socket on the node, for sentences: ssh://host/path.
func (e Endpoint) Where(socket string) string {
	return e.Node() + socket
}

// knownHostsName is the node as known_hosts names it (ssh-keygen -R): the
// host, or [host]:port on another port than ssh's default.
func (e Endpoint) knownHostsName() string {
	if e.Port == "" || e.Port == "22" {
		return e.Host
	}
	return "'[" + e.Host + "]:" + e.Port + "'"
}

// sshArgs are the arguments that name the node to ssh: -l, -p and the host.
func (e Endpoint) sshArgs() []string {
	var a []string
	if e.User != "" {
		a = append(a, "-l", e.User)
	}
	if e.Port != "" {
		a = append(a, "-p", e.Port)
	}
	return append(a, e.Host)
}
