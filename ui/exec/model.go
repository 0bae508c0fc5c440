package exec

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
	"github.com/ctui/ctui/ui/theme"
)

// SyncTimeout bounds a one-shot command: long enough for a slow `du` or
// `cat`, short enough that a command waiting for input it will never get
// does not hold the pane forever (ExecSync gives it no stdin).
const SyncTimeout = 30 * time.Second

// Config is what the output pane is built from.
type Config struct {
	ID      page.ID
	Ctx     context.Context
	Object  page.Object // the row :exec was typed on
	Finder  target.Finder
	Execers Execers
	Args    []string
	Timeout time.Duration // finding the container; the command has SyncTimeout
	Styles  *theme.Styles
}

// Model is the pane of one `:exec CMD`: the command, where it ran, its
// stdout, then its stderr in the warning style, and its exit code.
type Model struct {
	cfg  Config
	keys KeyMap
	gen  uint64

	running bool
	target  Target
	out     backend.ExecOutput
	err     error
	lines   []outLine

	offset        int
	width, height int
}

// outLine is one line of output, sanitized, and whether it came on stderr.
type outLine struct {
	text   string
	stderr bool
}

var _ page.Page = Model{}

// New returns the pane and the command that runs Args.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{cfg: cfg, keys: DefaultKeyMap()}
	return m, m.run()
}

// ranMsg answers runCmd.
type ranMsg struct {
	gen    uint64
	target Target
	out    backend.ExecOutput
	err    error
}

func (m *Model) run() tea.Cmd {
	m.gen++
	m.running = true
	cfg, gen := m.cfg, m.gen
	return page.Tag{Page: cfg.ID, Gen: gen}.Wrap(func() tea.Msg {
		ctx, cancel := context.WithTimeout(cfg.Ctx, cfg.Timeout)
		t, err := Resolve(ctx, cfg.Finder, cfg.Execers, cfg.Object)
		cancel()
		if err != nil {
			return ranMsg{gen: gen, err: err}
		}
		ctx, cancel = context.WithTimeout(cfg.Ctx, SyncTimeout)
		defer cancel()
		out, err := t.Execer.ExecSync(ctx, backend.ExecRequest{Namespace: t.Namespace, ContainerID: t.ContainerID, Args: cfg.Args})
		return ranMsg{gen: gen, target: t, out: out, err: err}
	})
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case ranMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.running = false
		m.target, m.out, m.err = msg.target, msg.out, msg.err
		m.lines = outputLines(msg.out)
		m.offset = 0
		if msg.err != nil && page.ConnectionLost(msg.err) {
			return m, page.Report(msg.err)
		}
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clamp()
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.Top):
		m.offset = 0
	case key.Matches(msg, k.Bottom):
		m.offset = len(m.lines)
		m.clamp()
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.Again):
		if !m.running {
			return m, m.run()
		}
	}
	return m, nil
}

func (m *Model) scroll(d int) {
	m.offset += d
	m.clamp()
}

func (m *Model) clamp() {
	m.offset = max(min(m.offset, len(m.lines)-m.bodyHeight()), 0)
}

// bodyHeight is the page less the command line at the top and the exit
// line at the bottom.
func (m Model) bodyHeight() int { return max(m.height-2, 0) }

// View implements page.Page.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	return strings.Join(render(m.frame()), "\n")
}

func (m Model) frame() frame {
	return frame{
		cmd: m.cfg.Args, target: m.target, running: m.running, err: m.err, out: m.out, lines: m.lines,
		offset: m.offset, width: m.width, height: m.height, st: m.cfg.Styles,
	}
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return m.keys.Bindings() }

// State implements page.Page.
func (m Model) State() page.State {
	info := ""
	switch {
	case m.running:
		info = "running"
	case m.err == nil:
		info = "exit " + strconv.Itoa(m.out.ExitCode)
	}
	return page.State{Type: page.TypeExec, Title: "exec " + strings.Join(m.cfg.Args, " "), Info: info}
}

// outputLines splits stdout then stderr into lines safe to draw.
func outputLines(out backend.ExecOutput) []outLine {
	var lines []outLine
	for _, s := range []struct {
		b      []byte
		stderr bool
	}{{out.Stdout, false}, {out.Stderr, true}} {
		b := bytes.TrimRight(s.b, "\n")
		if len(b) == 0 {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			lines = append(lines, outLine{text: clean(l), stderr: s.stderr})
		}
	}
	return lines
}

// clean removes what would move the cursor or change a line's width:
// escape sequences, carriage returns, tabs (expanded) and other controls.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansi.Strip(s)
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\t", "    "))
}

// KeyMap is the output pane's bindings.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown, Again key.Binding
}

// DefaultKeyMap scrolls as the describe page does; ctrl+r runs the command
// again, as it refreshes elsewhere.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		Again:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run the command again")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Again, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}
}
