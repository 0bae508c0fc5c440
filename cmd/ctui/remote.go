package main

import (
	"context"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/remote"
)

// envSSH names the ssh command ctui runs for ssh:// endpoints, with
// arguments of its own (as GIT_SSH_COMMAND does for git); default "ssh".
const envSSH = "CTUI_SSH"

// openRemote connects to the node cfg.Remote names and fills in what was
// found there: the socket (autodetected on the node unless named) for both
// APIs, and the transport that carries them. ssh may prompt on the terminal
// (a password, a passphrase, an unknown host key) when prompt is set and
// there is one.
func openRemote(ctx context.Context, cfg backend.Config, getenv env, debug io.Writer, prompt bool) (backend.Config, error) {
	ep, err := remote.Parse(cfg.Remote)
	if err != nil {
		return cfg, err
	}
	if cfg.Address != "" && ep.Socket == "" {
		ep.Socket = cfg.Address
	} else if p, ok := backend.SocketPath(cfg.RuntimeEndpoint); ok && ep.Socket == "" {
		ep.Socket = p
	}
	sshCmd, _ := getenv(envSSH)
	t, sock, err := remote.Open(ctx, ep, remote.Options{
		SSH:            strings.Fields(sshCmd),
		ConnectTimeout: cfg.Timeout,
		Prompt:         prompt,
		Debug:          debug,
	})
	if err != nil {
		return cfg, err
	}
	cfg.Transport = t
	why := sock.Why + " (" + cfg.RemoteSource + ")"
	if cfg.Address == "" {
		if sock.Containerd {
			cfg.Address, cfg.AddressSource = sock.Path, why
		} else {
			cfg.AddressSource = "none: " + sock.Why + ", which serves no containerd API"
		}
	}
	if cfg.RuntimeEndpoint == "" {
		cfg.RuntimeEndpoint, cfg.RuntimeSource = "unix://"+sock.Path, why
	}
	if cfg.ImageEndpoint == "" {
		cfg.ImageEndpoint, cfg.ImageSource = cfg.RuntimeEndpoint, "same as the runtime endpoint"
	}
	return cfg, nil
}

// ttyFile reports whether f is a terminal (x/term asks the system the way
// it must be asked on each OS, so a laptop's build works too).
func ttyFile(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
