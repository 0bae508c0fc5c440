package contexts

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/page"
)

// Context is one named context of ctui's config file: a node (or a
// namespace of one) and how to reach it, as --context takes it.
type Context struct {
	Name            string
	Endpoint        string // a socket, unix://, or ssh://; "" autodetects
	Namespace       string
	RuntimeEndpoint string
	Sudo            bool // ssh:// through sudo -n on the node
	Readonly        bool // every change to the node refused
}

// Switcher lists the contexts and connects to one; cmd/ctui's reads
// ~/.config/ctui/config.yaml and weighs a context as --context does. It is
// the only way the page touches the outside.
type Switcher interface {
	// Contexts reads the config file again (it may have changed).
	Contexts(ctx context.Context) ([]Context, error)
	// Connect connects to the node of context name. On success the new
	// connection is kept for ctui to reopen on when the program ends,
	// and the old one is closed then; on failure nothing changes and err
	// is one sentence naming the cause.
	Connect(ctx context.Context, name string) error
}

// connectedMsg answers connectCmd when the switch failed.
type connectedMsg struct {
	name string
	err  error
}

// connectCmd connects to context name off the update loop, within timeout
// (an ssh connection, the socket probe and both APIs). Connected, it quits
// the program, whether or not the page is still open (the operator asked
// for the switch), and cmd/ctui reopens ctui on the new connection; a
// failure goes back to the page, tagged.
func connectCmd(parent context.Context, s Switcher, name string, timeout time.Duration, tag page.Tag) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		if err := s.Connect(ctx, name); err != nil {
			return page.Reply{Tag: tag, Msg: connectedMsg{name: name, err: err}}
		}
		return tea.QuitMsg{}
	}
}
