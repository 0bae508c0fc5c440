package logs

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is the log page's bindings. It is data: ? help and
// docs/keybindings.md are generated from it.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown, HalfUp, HalfDown, Left, Right key.Binding

	Follow, Wrap, Timestamps, Previous, Since key.Binding
	AllStreams, Stdout, Stderr                key.Binding
	Search, Next, Prev, Filter, Apply         key.Binding
	Save, Reload                              key.Binding
}

// DefaultKeyMap follows k9s's log view (s autoscroll, w wrap, t
// timestamps, ctrl+s save) and less (/ search with n/N, & a filter that
// hides the lines that do not match, g/G, ctrl+u/ctrl+d), with p for the
// previous attempt as `kubectl logs -p`, and the file descriptor numbers
// for the streams: 1 stdout, 2 stderr, 0 both.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up (stops following)")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down (follows again at the bottom)")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "oldest line kept")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "newest line, and follow")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		HalfUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "half a page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "half a page down")),
		Left:     key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "scroll left (wrap off)")),
		Right:    key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "scroll right (wrap off)")),

		Follow:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "autoscroll: follow new lines / hold the view")),
		Wrap:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap long lines / cut them")),
		Timestamps: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timestamps (CRI logs)")),
		Previous:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous attempt's log / current (crash loops, kubectl logs -p)")),
		Since:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "since: all, 1m, 5m, 15m, 1h (cycles; CRI logs)")),
		AllStreams: key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "stdout and stderr")),
		Stdout:     key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "stdout only")),
		Stderr:     key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "stderr only (stderr lines are drawn in the warning colour)")),

		Search: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search: text, or ~regexp; highlights every match")),
		Next:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		Prev:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Filter: key.NewBinding(key.WithKeys("&", "f"), key.WithHelp("&/f", "filter: show only the kept lines that match (text, or ~regexp)")),
		Apply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep the search, filter or file name (while typing)")),

		Save:   key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save the lines shown (filter applied) to a file")),
		Reload: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "read the log again (a restarted container's new attempt)")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{
		k.Follow, k.Wrap, k.Timestamps, k.Previous, k.Since, k.AllStreams, k.Stdout, k.Stderr,
		k.Search, k.Next, k.Prev, k.Filter, k.Apply, k.Save, k.Reload,
		k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown, k.Left, k.Right,
	}
}
