package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/remote"
	"github.com/ctui/ctui/ui/contexts"
)

// contextSwitcher is :ctx's way out of the UI: it reads config.yaml's
// contexts and connects to one as `ctui --context NAME` would, then keeps
// the connection until the UI has quit, when run closes the old backend
// and reopens the UI on the new one. Reopening, rather than swapping the
// backend under a running UI, leaves nothing of the old node behind: every
// page, stream, timer and job was built on the old connection.
type contextSwitcher struct {
	o      options // the command line, as parsed
	getenv env
	exeDir string
	debug  io.Writer

	mu   sync.Mutex
	next *switched
}

// switched is a context connected to, waiting for the UI to reopen on it.
type switched struct {
	cfg      backend.Config
	b        *backend.Backend
	warnings []string
}

var _ contexts.Switcher = (*contextSwitcher)(nil)

// Contexts reads config.yaml again, so that a context added while ctui
// runs is there.
func (s *contextSwitcher) Contexts(context.Context) ([]contexts.Context, error) {
	file, err := loadCtuiConfig(ctuiConfigPath(s.getenv))
	if err != nil {
		return nil, err
	}
	out := make([]contexts.Context, 0, len(file.Contexts))
	for _, x := range file.Contexts {
		sudo := x.Sudo
		if ep, err := remote.Parse(x.Endpoint); err == nil && remote.IsSSH(x.Endpoint) {
			sudo = sudo || ep.Sudo
		}
		out = append(out, contexts.Context{Name: x.Name, Endpoint: x.Endpoint, Namespace: x.Namespace,
			RuntimeEndpoint: x.RuntimeEndpoint, Sudo: sudo, Readonly: x.Readonly})
	}
	return out, nil
}

// Connect weighs context name as --context does, with the endpoint and
// namespace flags of the command line left out (the operator chose the
// context's node now); the other flags (--timeout, --readonly, --debug)
// still count. ssh runs in BatchMode: it cannot prompt under the UI.
func (s *contextSwitcher) Connect(ctx context.Context, name string) error {
	o := s.o
	o.context = name
	o.address, o.namespace, o.runtimeEP, o.imageEP = "", "", "", ""
	cfg, warnings, err := buildConfig(&o, s.getenv, s.exeDir, backend.IsSocket)
	if err != nil {
		return err
	}
	if cfg.Remote != "" {
		if cfg, err = openRemote(ctx, cfg, s.getenv, s.debug, false); err != nil {
			return err
		}
	}
	b, _ := connect(ctx, cfg, false, nil, s.getenv, s.debug)
	if b.Native == nil && b.CRI == nil {
		b.Close()
		return fmt.Errorf("cannot reach the node's runtime: containerd: %v; CRI: %v", b.NativeErr, b.CRIErr)
	}
	if err := ctx.Err(); err != nil { // the UI quit, or gave up, meanwhile
		b.Close()
		return backend.Errorf(backend.ErrCanceled, "connect to context %s: %v", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next != nil { // a second switch before the UI quit: the last wins
		s.next.b.Close()
	}
	s.next = &switched{cfg: cfg, b: b, warnings: warnings}
	return nil
}

// take returns the context connected to since the last take, nil if none.
func (s *contextSwitcher) take() *switched {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.next
	s.next = nil
	return n
}
