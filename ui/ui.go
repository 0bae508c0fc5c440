// Package ui is ctui's root model: the page stack, the header, the flash
// line and connection panel, global keys and the `:` command line, and the
// routing of messages to pages. It owns no page's data: each page (ui/images,
// ...) is a page.Page that the root sizes, styles and delivers replies to.
//
// cmd/ctui runs it with
//
//	err := ui.Run(ctx, b, ui.Options{NoColor: noColor || theme.NoColorEnv(os.LookupEnv)})
//
// or, to own the program, tea.NewProgram(ui.New(ctx, b, opts)).Run(). The
// model's View asks for the alternate screen and mouse reporting itself, so
// no program options are needed for them.
package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	checks "github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/ui/actions"
	"github.com/ctui/ctui/ui/contexts"
	doctorpage "github.com/ctui/ctui/ui/doctor"
	"github.com/ctui/ctui/ui/events"
	"github.com/ctui/ctui/ui/frame"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/shell"
	"github.com/ctui/ctui/ui/theme"
	"github.com/ctui/ctui/ui/usage"
)

//go:generate go run ./internal/gendocs -o ../docs/keybindings.md

// Options are the UI's settings from the command line.
type Options struct {
	// NoColor gives a monochrome screen (--no-color, or NO_COLOR set).
	NoColor bool
	// Notices are startup sentences the operator should see once (which
	// socket was autodetected, a deprecated setting): shown in the flash
	// line when the UI opens.
	Notices []string
	// FirstImages, when set, answers the first images page's first list:
	// cmd asks for it as soon as containerd answers, before the terminal
	// is set up.
	FirstImages *backend.ImagesPrefetch
	// LogLines is how many lines a log page keeps (--log-lines; 0 is
	// logs.DefaultRingLines).
	LogLines int
	// Registry is how pulls and pushes reach registries: --creds,
	// --hosts-dir and the rest, as ctr takes them. The zero value means
	// the node's defaults (certs.d, registries.yaml, docker's
	// config.json). Logins typed into the UI are added for the session.
	Registry backend.RegistryOptions
	// Clock is what every page measures ages and times against; the zero
	// Clock is the wall clock (tests give a fixed one).
	Clock backend.Clock
	// Program adds options to the program Run makes, and Wrap, when set,
	// wraps the root model: cmd/ctui's --trace-startup watches messages,
	// frames and terminal writes through them.
	Program []tea.ProgramOption
	Wrap    func(tea.Model) tea.Model
	// StatsInterval is how often the page on screen samples CPU and
	// memory (--stats-interval); 0 turns stats off.
	StatsInterval time.Duration
	// Doctor is where :doctor reads the node's files (--root, the
	// environment crictl sees). When set, the checks also run once in the
	// background soon after start, for the header's badge; nil runs them
	// only on :doctor, with the node's defaults.
	Doctor *checks.Options
	// Contexts lists and switches the contexts for :ctx (cmd/ctui's reads
	// ~/.config/ctui/config.yaml); nil: :ctx says there are none.
	Contexts contexts.Switcher
}

// doctorDelay is how long after start the background doctor run waits, so
// the first screen has the daemon to itself.
const doctorDelay = 3 * time.Second

// Run runs the UI on the terminal until the operator quits or ctx ends.
func Run(ctx context.Context, b *backend.Backend, opts Options) error {
	// Quitting ends the event stream and any call still running.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var m tea.Model = New(ctx, b, opts)
	if opts.Wrap != nil {
		m = opts.Wrap(m)
	}
	po := append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(frameRate)}, opts.Program...)
	_, err := tea.NewProgram(m, po...).Run()
	return err
}

// frameRate caps how often the renderer flushes a changed frame: a change
// reaches the terminal within 1/frameRate s (17 ms). Bubbletea (v2.2 on)
// stops its frame clock after half a second with nothing to draw and starts
// it again, on the same frame boundaries, when an Update renders a view, so
// an idle screen costs no wake-ups whatever the rate; the rate costs only
// while something changes every frame (a log followed, a pull's progress).
const frameRate = 60

// Model is the root model. It implements tea.Model.
type Model struct {
	ctx     context.Context
	b       *backend.Backend
	timeout time.Duration
	clock   backend.Clock
	styles  *theme.Styles
	keys    KeyMap

	ns     string
	width  int
	height int

	pages  []entry // the stack; the last is on top
	nextID page.ID
	init   tea.Cmd // the first page's load, returned by Init

	header    frame.Header
	headerSeq uint64
	// doctor is where :doctor looks.
	doctor checks.Options
	// doctorRun is the last run (the background one or :doctor's): the
	// header's badge and what :doctor opens on, one gather for both.
	doctorRun doctorpage.RanMsg
	flash     frame.Flash
	conn      frame.Conn
	cmdline   frame.Cmdline
	help      bool
	known     []string    // namespace names, for completion and :ns checks
	hub       events.Hub  // the event stream that keeps pages live (events.go)
	shells    shell.Flows // l, s and :exec (ui/shell)
	first     *backend.ImagesPrefetch
	acts      actions.Model // image and lifecycle actions: dialogs, jobs, command log
	stats     usage.Timer
	gotoID    string // the row the next containers page opens on (enter on :top)
	switcher  contexts.Switcher
}

type entry struct {
	id page.ID
	p  page.Page
}

// New builds the root model on a connected backend (either side may be
// missing, with the reason in b.NativeErr or b.CRIErr). It does no I/O:
// the first calls run from Init.
func New(ctx context.Context, b *backend.Backend, opts Options) Model {
	timeout := b.Config.Timeout
	if timeout <= 0 {
		timeout = backend.DefaultTimeout
	}
	ns := b.Config.Namespace
	if ns == "" {
		ns = backend.DefaultNamespace
	}
	st := theme.New(theme.Options{NoColor: opts.NoColor})
	m := Model{
		ctx:      ctx,
		b:        b,
		timeout:  timeout,
		clock:    opts.Clock,
		styles:   st,
		keys:     DefaultKeyMap(),
		ns:       ns,
		cmdline:  frame.NewCmdline(st, suggestions(nil)),
		first:    opts.FirstImages,
		stats:    usage.NewTimer(opts.StatsInterval),
		switcher: opts.Contexts,
	}
	m.keys.Shell.SetEnabled(!b.Config.Readonly)
	m.shells = shell.New(shell.Config{Ctx: ctx, Backend: b, Timeout: timeout, LogLines: opts.LogLines, Clock: opts.Clock})
	m.acts = actions.New(actions.Config{Ctx: ctx, Backend: b, Timeout: timeout, Styles: st, Registry: opts.Registry, Clock: opts.Clock})
	m.init = tea.Batch(m.loadHeader(), m.push(page.TypeImages), m.subscribe(), m.hub.ArmSafety(), m.stats.Arm())
	if len(opts.Notices) > 0 {
		m.init = tea.Batch(m.init, m.flash.Set(strings.Join(opts.Notices, "; "), false))
	}
	if opts.Doctor != nil {
		m.doctor = *opts.Doctor
		if b.Config.Remote == "" {
			// The header's badge: a local run costs nothing; over a slow
			// link :doctor runs only when asked.
			m.init = tea.Batch(m.init, doctorpage.RunLater(ctx, doctorpage.SourceOf(b, m.doctor, timeout), doctorDelay, 3*timeout, opts.Clock.Now))
		}
	}
	return m
}

// Init asks the terminal for its background colour and runs the header's
// and the first page's loads, which New built (Init has a value receiver:
// state it changed would be lost).
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.init)
}

// Update implements tea.Model: route msg, then wake the stats timer if the page on top now has a row to sample.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	tm, cmd := m.route(msg)
	r := tm.(Model)
	return r, tea.Batch(cmd, r.stats.Wake(r.top()))
}

// route routes a message: keys to the command line, help or the page on
// top; replies to the page that asked; the rest to the part that owns it.
func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	if actions.Handles(msg) {
		return m, m.took(m.acts.Update(msg))
	}
	if events.Handles(msg) {
		return m.updateHub(msg)
	}
	if frame.Handles(msg) {
		if cmd, answered := m.conn.Update(m.ctx, m.b, m.timeout, msg); !answered {
			return m, cmd
		}
		return m, m.restore()
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.updateKeys(msg)
	case tea.PasteMsg:
		return m.updatePaste(msg)
	case tea.MouseWheelMsg:
		return m, m.updateTop(msg)
	case page.Reply:
		return m, m.deliver(msg)
	case doctorpage.RanMsg:
		m.doctorRun = msg
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.cmdline.Input.Edit().SetWidth(max(m.width-2, 1))
		return m, m.resize()
	case shell.ReadyMsg, shell.DoneMsg:
		return m.updateExec(msg)
	case usage.TickMsg, page.StatsQueriedMsg, usage.OOMResolvedMsg, page.GotoMsg:
		return m.updateStats(msg)
	case tea.BackgroundColorMsg:
		m.styles = m.styles.WithLight(!msg.IsDark())
		m.cmdline.Input.Edit().SetStyles(m.styles.Input)
		m.acts.SetStyles(m.styles)
		return m, m.broadcast(page.StylesMsg{Styles: m.styles})
	}
	return m.updateStatus(msg)
}

// took keeps what the actions became and gives every page what they told
// (what the jobs are now, the log's new entry, a re-list after a change).
func (m *Model) took(acts actions.Model, cmd tea.Cmd) tea.Cmd {
	acts, told := acts.Told()
	m.acts = acts
	cmds := []tea.Cmd{cmd}
	for _, msg := range told {
		cmds = append(cmds, m.broadcast(msg))
	}
	return tea.Batch(cmds...)
}

// updateStatus handles the root's own messages: header, flash, connection
// and namespace list.
func (m Model) updateStatus(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case frame.HeaderMsg:
		if msg.Seq != m.headerSeq {
			return m, nil
		}
		m.header = msg.Info
		seq := m.headerSeq
		tick := tea.Tick(frame.HeaderRefresh, func(time.Time) tea.Msg { return headerTickMsg{seq: seq} })
		if err := msg.Info.ContainerdErr(); err != nil && m.b.Native != nil && page.ConnectionLost(err) {
			return m, tea.Batch(tick, m.lose(err))
		}
		return m, tick
	case headerTickMsg:
		if msg.seq != m.headerSeq {
			return m, nil
		}
		return m, m.loadHeader()
	case page.ErrMsg:
		if page.ConnectionLost(msg.Err) {
			return m, m.lose(msg.Err)
		}
		return m, m.flash.Set(msg.Err.Error(), true)
	case page.SwitchNamespaceMsg:
		cmd := m.switchNamespace(msg.Namespace)
		if m.ns == msg.Namespace && len(m.pages) > 1 {
			m.pop() // back to the list the operator came from, now in ns
		}
		return m, cmd
	case page.FlashMsg:
		return m, m.flash.Set(msg.Text, msg.Err)
	case page.DescribeMsg:
		return m, m.describe(msg.Object)
	case page.OpenMsg:
		return m, m.open(msg.Open)
	case page.OKMsg:
		if m.conn.Lost {
			return m, m.restore()
		}
	case frame.FlashExpiredMsg:
		m.flash.Expire(msg)
	case frame.NamespacesMsg:
		if msg.Err == nil {
			m.known = msg.Names
			m.cmdline.Input.Edit().SetSuggestions(suggestions(m.known))
		}
	}
	return m, nil
}

// headerTickMsg asks for a header refresh.
type headerTickMsg struct{ seq uint64 }

// loadHeader starts a header refresh; an older one still running is
// ignored when it answers.
func (m *Model) loadHeader() tea.Cmd {
	m.headerSeq++
	return frame.LoadHeader(m.ctx, m.b, m.timeout, m.headerSeq)
}

// lose shows the connection panel (the content area shrinks by its height).
func (m *Model) lose(err error) tea.Cmd {
	was := m.conn.Lost
	cmd := m.conn.Lose(err, m.clock.Now())
	if was {
		return cmd
	}
	return tea.Batch(cmd, m.resize())
}

// restore closes the connection panel and tells every page to reload what
// failed.
func (m *Model) restore() tea.Cmd {
	m.conn.Restore()
	return tea.Batch(
		m.resize(),
		m.resumeEvents(),
		m.broadcast(page.ReconnectedMsg{}),
		m.loadHeader(),
		m.flash.Set("connection restored", false),
	)
}

// View implements tea.Model.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "ctui " + m.ns
	return v
}
