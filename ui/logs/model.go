// Package logs is the log page: one container's log, followed as it grows,
// as `crictl logs -f` and `kubectl logs -f` show it, with the previous
// attempt of a crash loop, a since window, timestamps, wrap, stream and
// text filters over every kept line, search with highlight, and saving.
//
// The reading is backend/logs': a Reader on its own goroutine hands over
// batches that a re-arming command waits for, and the page keeps the
// newest lines in a Ring (10,000 by default), so an hour of following costs
// what a minute does. Only the lines on screen are drawn. Leaving the page
// (the root calls Close) cancels the reader.
package logs

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	logio "github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/target"
	"github.com/ctui/ctui/ui/textfield"
	"github.com/ctui/ctui/ui/theme"
)

// DefaultTail is how many lines of history the page opens with, as
// `kubectl logs --tail` is often given: enough context, instant on a 1 GB
// log.
const DefaultTail = 1000

// Config is what the page is built from.
type Config struct {
	ID     page.ID
	Ctx    context.Context
	Object page.Object // the row l was pressed on
	Finder target.Finder
	// FS is where the log files are read: nil for this machine, a remote
	// node's files over its SSH connection.
	FS logio.FS
	// Timeout bounds finding the container; reading has none (it follows
	// until the page is left).
	Timeout time.Duration
	Styles  *theme.Styles
	// Lines is how many lines the page keeps (logs.DefaultRingLines if 0).
	Lines int
	// Tail is how many lines of history to open with (DefaultTail if 0).
	Tail int
	// SaveDir is where ctrl+s proposes to save (os.TempDir() if "").
	SaveDir string
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
}

// sinceSteps are the windows S cycles through; 0 is the whole log.
func sinceSteps() []time.Duration {
	return []time.Duration{0, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour}
}

// prompt is what the bottom line is asking for.
type prompt int

const (
	promptNone prompt = iota
	promptSearch
	promptFilter
	promptSave
	promptOverwrite // y/N for an existing file
)

// Model is the log page.
type Model struct {
	cfg    Config
	keys   KeyMap
	gen    uint64
	cancel context.CancelFunc // ends the current reader
	reader *logio.Reader

	ctr      target.Container
	found    bool
	src      logio.Source
	previous bool
	since    int // index into sinceSteps
	opening  bool
	reading  bool
	atEnd    bool
	err      error // no log: shown in place of the lines
	readErr  error // reading stopped after some lines
	notice   string
	noticeN  uint64

	ring   *logio.Ring // changed only in Update
	stream string
	filter string
	view   *logio.Matcher // stream and filter; nil shows every line
	rows   []uint64       // Seq of each line view matches, when view != nil

	searchText string
	search     *logio.Matcher
	hit        uint64 // Seq of the current hit; 0 for none

	follow           bool
	top              uint64 // Seq of the first line shown when not following
	xoff             int
	wrap, timestamps bool
	width, height    int

	prompt   prompt
	input    textfield.Field
	inputErr string
	savePath string
}

var _ page.Page = Model{}

// New returns the page and the command that finds the container and opens
// its log.
func New(cfg Config) (Model, tea.Cmd) {
	if cfg.Tail <= 0 {
		cfg.Tail = DefaultTail
	}
	in := textinput.New()
	in.SetStyles(cfg.Styles.Input)
	m := Model{cfg: cfg, keys: DefaultKeyMap(), ring: logio.NewRing(cfg.Lines), follow: true, input: textfield.New(in)}
	return m, m.open()
}

// Close implements page.Closer: the reader stops with the page.
func (m Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
}

func (m Model) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

// open (re)opens the log under a new generation: the previous reader is
// cancelled and its late batches dropped, the kept lines cleared.
func (m *Model) open() tea.Cmd {
	m.Close()
	m.gen++
	ctx, cancel := context.WithCancel(m.cfg.Ctx)
	m.cancel, m.reader = cancel, nil
	m.ring.Reset()
	m.rows, m.hit, m.top, m.follow = m.rows[:0], 0, 0, true
	m.opening, m.reading, m.atEnd = true, false, false
	m.err, m.readErr = nil, nil
	opts := logio.Options{Tail: m.cfg.Tail, Follow: !m.previous}
	if d := sinceSteps()[m.since]; d > 0 {
		opts.Since, opts.Tail = m.cfg.Clock.Now().Add(-d), m.ring.Cap()
	}
	if m.previous {
		opts.Tail = m.ring.Cap()
	}
	rq := request{finder: m.cfg.Finder, fs: m.cfg.FS, obj: m.cfg.Object, previous: m.previous, opts: opts, timeout: m.cfg.Timeout, gen: m.gen}
	return m.tag().Wrap(openCmd(ctx, rq))
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case openedMsg:
		return m.opened(msg)
	case batchMsg:
		return m.batch(msg)
	case savedMsg:
		return m.saved(msg)
	case noticeExpiredMsg:
		if msg.seq == m.noticeN {
			m.notice = ""
		}
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.sizeInput()
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.input.Edit().SetStyles(msg.Styles.Input)
	case page.ReconnectedMsg:
		if m.err != nil {
			return m, m.open()
		}
	case tea.KeyPressMsg:
		if m.prompt != promptNone {
			return m.updatePrompt(msg)
		}
		return m.updateKey(msg)
	case tea.PasteMsg:
		if m.prompt != promptNone && m.prompt != promptOverwrite {
			return m.editPrompt(msg)
		}
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

func (m Model) opened(msg openedMsg) (page.Page, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil // its reader's context was cancelled with the reopen
	}
	m.opening = false
	if msg.found {
		m.ctr, m.found = msg.ctr, true
	}
	if msg.err != nil {
		m.err = msg.err
		if page.ConnectionLost(msg.err) {
			return m, page.Report(msg.err)
		}
		return m, nil
	}
	m.src, m.reader, m.reading = msg.src, msg.reader, true
	if m.src.Format == logio.FormatRaw {
		m.timestamps = false
		if m.stream != "" {
			m.stream = ""
			m.refilter()
		}
	}
	return m, tea.Batch(m.tag().Wrap(waitCmd(m.reader, m.gen)), func() tea.Msg { return page.OKMsg{} })
}

// batch takes lines from the reader and waits for the next ones. The view
// keeps its place by Seq unless it follows.
func (m Model) batch(msg batchMsg) (page.Page, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	if msg.closed {
		m.reading = false
		return m, nil
	}
	b := msg.batch
	m.add(b.Lines)
	m.atEnd = m.atEnd || b.AtEnd
	if b.Err != nil {
		m.readErr = b.Err
	}
	cmds := []tea.Cmd{m.tag().Wrap(waitCmd(m.reader, m.gen))}
	if b.Notice != "" {
		m.notice = b.Notice
		m.noticeN++
		cmds = append(cmds, m.tag().After(noticeTTL, noticeExpiredMsg{seq: m.noticeN}))
	}
	return m, tea.Batch(cmds...)
}

// add appends lines to the ring and the matching ones to the filtered
// rows, forgetting rows whose line the ring dropped.
func (m *Model) add(lines []backend.LogLine) {
	if len(lines) == 0 {
		return
	}
	m.ring.Append(lines...)
	if m.view == nil {
		return
	}
	for _, l := range lines {
		if m.view.Match(l) {
			m.rows = append(m.rows, l.Seq)
		}
	}
	first := m.ring.FirstSeq()
	if i := sort.Search(len(m.rows), func(i int) bool { return m.rows[i] >= first }); i > 0 {
		m.rows = m.rows[i:]
	}
}

// refilter applies the stream and the filter to every kept line.
func (m *Model) refilter() error {
	if m.stream == "" && m.filter == "" {
		m.view, m.rows = nil, nil
		return nil
	}
	q := parseQuery(m.filter)
	q.Stream = m.stream
	v, err := logio.Compile(q)
	if err != nil {
		return err
	}
	m.view, m.rows = v, m.ring.Filter(v)
	return nil
}

// parseQuery reads what was typed: ~ starts a regular expression, anything
// else is plain text. Case is smart either way.
func parseQuery(s string) logio.Query {
	if re, ok := strings.CutPrefix(s, "~"); ok {
		return logio.Query{Pattern: re, Regexp: true}
	}
	return logio.Query{Pattern: s}
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(m.bodyHeight()-1, 1))
	case key.Matches(msg, k.HalfUp):
		m.scroll(-max(m.bodyHeight()/2, 1))
	case key.Matches(msg, k.HalfDown):
		m.scroll(max(m.bodyHeight()/2, 1))
	case key.Matches(msg, k.Top):
		m.follow, m.top = false, m.ring.FirstSeq()
	case key.Matches(msg, k.Bottom):
		m.follow = true
	case key.Matches(msg, k.Left):
		m.xoff = max(m.xoff-max(m.width/4, 1), 0)
	case key.Matches(msg, k.Right):
		if !m.wrap {
			m.xoff += max(m.width/4, 1)
		}
	case key.Matches(msg, k.Follow):
		m.toggleFollow()
	case key.Matches(msg, k.Wrap):
		m.wrap, m.xoff = !m.wrap, 0
	case key.Matches(msg, k.Next):
		return m, m.step(true)
	case key.Matches(msg, k.Prev):
		return m, m.step(false)
	case msg.Code == tea.KeyEscape:
		m.clearOne()
	default:
		return m.updateAction(msg)
	}
	return m, nil
}

// updateAction handles the keys that change what is read or shown.
func (m Model) updateAction(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Timestamps):
		if m.raw() {
			return m, page.Flash("this log is raw output (ctr run --log-uri): it carries no timestamps")
		}
		m.timestamps = !m.timestamps
	case key.Matches(msg, k.AllStreams, k.Stdout, k.Stderr):
		return m, m.setStream(msg)
	case key.Matches(msg, k.Previous):
		if m.found && m.ctr.CRI == nil {
			return m, page.Flash("only CRI keeps the logs of previous attempts; " + m.name() + " is a native container with one log")
		}
		m.previous = !m.previous
		return m, m.open()
	case key.Matches(msg, k.Since):
		if m.raw() {
			return m, page.Flash("this log is raw output (ctr run --log-uri) without timestamps: it cannot be cut at a time")
		}
		m.since = (m.since + 1) % len(sinceSteps())
		return m, m.open()
	case key.Matches(msg, k.Reload):
		return m, m.open()
	case key.Matches(msg, k.Search):
		return m, m.ask(promptSearch, "/", m.searchText)
	case key.Matches(msg, k.Filter):
		return m, m.ask(promptFilter, "&", m.filter)
	case key.Matches(msg, k.Save):
		return m, m.ask(promptSave, "save to: ", m.defaultSavePath())
	}
	return m, nil
}

// raw reports whether the log is a task's raw output, without streams or
// timestamps.
func (m Model) raw() bool { return m.src.Format == logio.FormatRaw }

func (m *Model) setStream(msg tea.KeyPressMsg) tea.Cmd {
	s := ""
	switch {
	case key.Matches(msg, m.keys.Stdout):
		s = backend.StreamStdout
	case key.Matches(msg, m.keys.Stderr):
		s = backend.StreamStderr
	}
	if s != "" && m.raw() {
		return page.Flash("this log is raw output (ctr run --log-uri): stdout and stderr are mixed in one file and cannot be told apart")
	}
	m.stream = s
	_ = m.refilter() // a filter that compiled before still compiles
	m.hit = 0
	return nil
}

// toggleFollow is s: hold the view where it is, or follow again.
func (m *Model) toggleFollow() {
	if !m.follow {
		m.follow = true
		return
	}
	start, _ := m.window()
	m.follow = false
	if m.count() > 0 {
		m.top = m.at(start).Seq
	}
}

// clearOne is esc outside a prompt: the search first, then the filters;
// the root sends esc here only while State says Filtered.
func (m *Model) clearOne() {
	if m.searchText != "" {
		m.searchText, m.search, m.hit = "", nil, 0
		return
	}
	m.stream, m.filter = "", ""
	_ = m.refilter()
}

// name is how the page names its log.
func (m Model) name() string {
	switch {
	case m.src.Name != "":
		return m.src.Name
	case m.found:
		return m.ctr.Name
	}
	return m.cfg.Object.Title()
}

// defaultSavePath proposes a file in SaveDir named after the container and
// the time, so two saves never collide.
func (m Model) defaultSavePath() string {
	dir := m.cfg.SaveDir
	if dir == "" {
		dir = os.TempDir()
	}
	n := m.cfg.Object.Name
	if m.found {
		n = m.ctr.Name
	}
	if n == "" {
		n = m.cfg.Object.ID
	}
	return filepath.Join(dir, "ctui-"+fileSafe(n)+"-"+m.cfg.Clock.Now().Format("20060102-150405")+".log")
}

// fileSafe keeps letters, digits, dot, dash and underscore.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// Keys implements page.Page: what this log does not have (timestamps,
// streams and since for raw logs, previous attempts for native tasks) is
// left out of help.
func (m Model) Keys() []key.Binding {
	k := m.keys
	raw := m.raw()
	k.Timestamps.SetEnabled(!raw)
	k.Since.SetEnabled(!raw)
	k.Stdout.SetEnabled(!raw)
	k.Stderr.SetEnabled(!raw)
	k.AllStreams.SetEnabled(!raw)
	k.Previous.SetEnabled(!m.found || m.ctr.CRI != nil)
	return k.Bindings()
}

// State implements page.Page. Filtered stays true while a search or filter
// is kept, so esc clears those before it leaves the page.
func (m Model) State() page.State {
	info := ""
	if n := m.count(); n > 0 {
		start, _ := m.window()
		info = strconv.Itoa(start+1) + "/" + strconv.Itoa(n)
		if m.view != nil {
			info += " of " + strconv.Itoa(m.ring.Len())
		}
	}
	return page.State{
		Type:     page.TypeLogs,
		Title:    "logs " + m.name(),
		Typing:   m.prompt != promptNone,
		Filtered: m.searchText != "" || m.filter != "" || m.stream != "",
		Info:     info,
	}
}
