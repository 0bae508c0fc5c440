package fake

import (
	"context"
	"sync"

	"github.com/ctui/ctui/backend"
)

// sub is one open event stream.
type sub struct {
	ns   string
	ch   chan backend.Event
	errc chan error
	once sync.Once
}

// end closes the stream with err (nil: the subscriber canceled).
func (s *sub) end(err error) {
	s.once.Do(func() {
		close(s.ch)
		s.errc <- err
		close(s.errc)
	})
}

// Events implements backend.EventSource: a stream fed by Emit that ends
// with ctx or with Break, as the real one ends with its ctx or a broken
// connection.
func (n *Native) Events(ctx context.Context, ns string) (<-chan backend.Event, <-chan error) {
	s := &sub{ns: ns, ch: make(chan backend.Event, 64), errc: make(chan error, 1)}
	n.mu.Lock()
	n.subs = append(n.subs, s)
	n.mu.Unlock()
	go func() {
		<-ctx.Done()
		n.drop(s)
		s.end(nil)
	}()
	return s.ch, s.errc
}

// Emit publishes ev to every open stream whose namespace matches, as
// containerd's exchange does. It does not block: a full stream drops ev.
func (n *Native) Emit(ev backend.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range n.subs {
		if s.ns == "" || s.ns == ev.Namespace {
			select {
			case s.ch <- ev:
			default:
			}
		}
	}
}

// Break ends every open stream with err, as a daemon restart does.
func (n *Native) Break(err error) {
	n.mu.Lock()
	subs := n.subs
	n.subs = nil
	n.mu.Unlock()
	for _, s := range subs {
		s.end(err)
	}
}

// Subscribers returns the namespaces of the open streams ("" for all).
func (n *Native) Subscribers() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, len(n.subs))
	for i, s := range n.subs {
		out[i] = s.ns
	}
	return out
}

func (n *Native) drop(s *sub) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, x := range n.subs {
		if x == s {
			n.subs = append(n.subs[:i], n.subs[i+1:]...)
			return
		}
	}
}
