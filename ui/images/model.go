// Package images is the images page: the current namespace's images in a
// table, listed at once from the image store, with sizes and platforms
// filled in from the background as ImageDetails answers, how many
// containers use each, and in k8s.io CRI's view of the same image.
// containerd events keep it current (see live.go).
package images

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// maxInflight bounds concurrent ImageDetails calls: each walks the content
// store, and the daemon serves other clients too.
const maxInflight = 4

// prefetchMargin is how many rows beyond the screen get details before the
// background sweep of the rest.
const prefetchMargin = 20

// Config is what the page is built from.
type Config struct {
	ID page.ID
	// Ctx ends with the program; every call's ctx derives from it.
	Ctx context.Context
	// Lister is containerd's image API; nil when it is unavailable, and
	// then Unavailable says why.
	Lister      backend.ImageLister
	Unavailable error
	// Containers counts the containers using each image (USED BY); CRI
	// gives PINNED and IMAGE ID in k8s.io. Either may be nil.
	Containers backend.ContainerLister
	CRI        CRIImageLister
	Namespace  string
	Timeout    time.Duration
	Styles     theme.Styles
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
}

// Model is the images page.
type Model struct {
	cfg   Config
	ns    string
	gen   uint64
	keys  KeyMap
	table table.Model

	images   []backend.Image
	byDigest map[string][]int // indexes into images
	byName   map[string]int
	details  map[string]detail // cache by target digest
	inflight map[string]bool
	sweep    int                          // next index of images the background sweep looks at
	paused   bool                         // connection lost: no background calls until reconnect
	usedBy   map[string]int               // containers by image name; nil until known
	use      map[string]int               // containers by target digest, from usedBy
	cri      map[string]*backend.CRIImage // CRI's images by every name they have
	live     live

	loading  bool
	err      error
	loadedAt time.Time
	width    int
	height   int
	near     []string // reused buffer for table.Near
}

var _ page.Page = Model{}

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{
		cfg:      cfg,
		ns:       cfg.Namespace,
		keys:     DefaultKeyMap(),
		table:    table.New(Columns(cfg.Namespace), cfg.Styles),
		details:  map[string]detail{},
		inflight: map[string]bool{},
		byDigest: map[string][]int{},
		byName:   map[string]int{},
	}
	return m, m.reload()
}

func (m Model) tag() page.Tag { return page.Tag{Page: m.cfg.ID, Gen: m.gen} }

// reload starts a new generation and lists the images again, with the
// containers and CRI's images; replies of the old generation are dropped
// when they arrive.
func (m *Model) reload() tea.Cmd {
	m.gen++
	clear(m.inflight)
	m.paused = false
	m.live = live{}
	if m.cfg.Lister == nil {
		m.err = m.cfg.Unavailable
		return nil
	}
	m.loading = true
	// The list alone first: the containers (USED BY) and CRI's images
	// follow its answer, so that they do not slow the first frame.
	m.live.relist = true
	return m.fetchLists()
}

// resync lists again without a new generation: rows, sizes and cursor stay
// until the answers replace them (the safety net, a re-opened stream).
func (m *Model) resync() tea.Cmd {
	m.live.relist, m.live.ctrsDue, m.live.criDue = true, m.cfg.Containers != nil, m.withCRI()
	return m.fetchLists()
}

// Update implements page.Page.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		return m.loaded(msg)
	case detailsMsg, usersMsg, criImagesMsg, flushMsg:
		return m.reply(msg)
	case page.EventsMsg:
		return m.events(msg.Events)
	case page.ResyncMsg:
		return m, m.resync()
	case page.SizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.table.SetSize(msg.Width, msg.Height)
		return m, m.fetch()
	case page.StylesMsg:
		m.cfg.Styles = msg.Styles
		m.table.SetStyles(msg.Styles)
	case page.NamespaceMsg:
		if msg.Namespace == m.ns {
			return m, nil
		}
		m.ns = msg.Namespace
		clear(m.details) // sizes count content as this namespace sees it
		m.images, m.sweep, m.usedBy, m.cri = nil, 0, nil, nil
		clear(m.byName)
		clear(m.byDigest)
		// k8s.io has CRI's columns: a new table rather than a patched one.
		m.table = table.New(Columns(m.ns), m.cfg.Styles)
		m.table.SetSize(m.width, m.height)
		return m, m.reload()
	case page.ReconnectedMsg:
		return m, m.reload()
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	case tea.MouseWheelMsg, tea.PasteMsg: // a paste reaches the filter only while it is typing
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(msg)
		return m, tea.Batch(cmd, m.fetch())
	}
	return m, nil
}

// reply routes the answers of the page's own calls other than the list,
// dropping those of an older generation.
func (m Model) reply(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case detailsMsg:
		if msg.gen == m.gen {
			return m.detailed(msg)
		}
	case usersMsg:
		if msg.gen == m.gen {
			return m.users(msg)
		}
	case criImagesMsg:
		if msg.gen == m.gen {
			return m.criImages(msg)
		}
	case flushMsg:
		if msg.gen == m.gen {
			return m.flush()
		}
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (page.Page, tea.Cmd) {
	if !m.table.Typing() {
		switch {
		case key.Matches(msg, m.keys.Refresh):
			return m, m.reload()
		case msg.Code == tea.KeyEscape:
			m.table.ClearFilter()
			return m, m.fetch()
		}
	}
	var cmd tea.Cmd
	m.table, cmd = m.table.Update(msg)
	return m, tea.Batch(cmd, m.fetch())
}

// loaded takes a list: the first, or one events asked for. Sizes already
// known stay (they are cached by digest); new targets get theirs fetched.
func (m Model) loaded(msg loadedMsg) (page.Page, tea.Cmd) {
	m.loading, m.live.listBusy = false, false
	if msg.err != nil {
		m.err = msg.err
		return m, tea.Batch(m.arm(), page.Report(msg.err))
	}
	m.err, m.loadedAt, m.sweep = nil, msg.at, 0
	m.setImages(msg.images)
	return m, tea.Batch(func() tea.Msg { return page.OKMsg{} }, m.fetch(), m.completeFirst(), m.arm())
}

// completeFirst asks, after the first list, for what the list does not
// say: the containers using each image and, in k8s.io, CRI's view.
func (m *Model) completeFirst() tea.Cmd {
	if m.usedBy == nil && !m.live.ctrsBusy && m.cfg.Containers != nil {
		m.live.ctrsDue = true
	}
	if m.cri == nil && !m.live.criBusy && m.withCRI() {
		m.live.criDue = true
	}
	return m.fetchLists()
}

// setImages makes imgs the page's images and draws every row.
func (m *Model) setImages(imgs []backend.Image) {
	m.images = imgs
	clear(m.byDigest)
	clear(m.byName)
	for i, img := range m.images {
		m.byName[img.Name] = i
		m.byDigest[img.Digest] = append(m.byDigest[img.Digest], i)
	}
	m.redraw()
}

// redraw renders every row again, after the counts or CRI's view changed.
func (m *Model) redraw() {
	m.use = m.usage()
	rows := make([]table.Row, len(m.images))
	for i, img := range m.images {
		rows[i] = row(img, m.cached(img.Digest), m.extra(img), m.loadedAt)
	}
	m.table.SetRows(rows)
}

// extra gathers what a row shows besides the image itself.
func (m *Model) extra(img backend.Image) extra {
	x := extra{used: -1, withCRI: m.withCRI()}
	if m.use != nil {
		x.used = m.use[img.Digest]
	}
	if x.withCRI {
		x.cri = m.criOf(img)
	}
	return x
}

// remove drops the row of image name, after its delete event.
func (m *Model) remove(name string) {
	i, ok := m.byName[name]
	if !ok {
		return
	}
	imgs := make([]backend.Image, 0, len(m.images)-1)
	imgs = append(append(imgs, m.images[:i]...), m.images[i+1:]...)
	m.sweep = 0
	m.setImages(imgs)
}

func (m *Model) cached(digest string) *detail {
	if d, ok := m.details[digest]; ok {
		return &d
	}
	return nil
}

func (m Model) detailed(msg detailsMsg) (page.Page, tea.Cmd) {
	delete(m.inflight, msg.digest)
	if msg.err != nil && page.ConnectionLost(msg.err) {
		// Not the image's fault: leave it pending and stop asking until
		// the root says the daemon is back.
		m.paused = true
		return m, page.Report(msg.err)
	}
	d := detail{d: msg.details, failed: msg.err != nil}
	m.details[msg.digest] = d
	idx := m.byDigest[msg.digest]
	rows := make([]table.Row, len(idx))
	for i, ix := range idx {
		rows[i] = row(m.images[ix], &d, m.extra(m.images[ix]), m.loadedAt)
	}
	m.table.UpdateRows(rows...)
	return m, m.fetch()
}

// fetch starts details calls up to maxInflight: first for the rows on and
// near the screen, then a sweep through the rest so that sorting by size
// eventually sees every image. Digests already cached or in flight are
// skipped, so a name sharing its target with another costs nothing.
func (m *Model) fetch() tea.Cmd {
	if m.paused || m.cfg.Lister == nil || len(m.images) == 0 || len(m.inflight) >= maxInflight {
		return nil
	}
	var cmds []tea.Cmd
	want := func(img backend.Image) {
		if len(m.inflight) >= maxInflight || img.Digest == "" {
			return
		}
		if _, ok := m.details[img.Digest]; ok || m.inflight[img.Digest] {
			return
		}
		m.inflight[img.Digest] = true
		cmds = append(cmds, m.tag().Wrap(detailsCmd(m.cfg.Ctx, m.cfg.Lister, m.ns, img, m.cfg.Timeout, m.gen)))
	}
	m.near = m.table.Near(prefetchMargin, m.near[:0])
	for _, name := range m.near {
		if i, ok := m.indexOf(name); ok {
			want(m.images[i])
		}
	}
	for ; m.sweep < len(m.images) && len(m.inflight) < maxInflight; m.sweep++ {
		want(m.images[m.sweep])
	}
	return tea.Batch(cmds...)
}

// indexOf finds an image by name, which is also its row ID.
func (m Model) indexOf(name string) (int, bool) {
	i, ok := m.byName[name]
	return i, ok
}

// View implements page.Page.
func (m Model) View() string {
	switch {
	case m.err != nil && len(m.images) == 0:
		return page.Fit(m.cfg.Styles.Bad.Render("images of "+m.ns+": ")+m.err.Error(), m.width, m.height)
	case m.loading && len(m.images) == 0:
		return page.Fit(m.cfg.Styles.Dim.Render("listing the images of namespace "+m.ns+"…"), m.width, m.height)
	}
	return m.table.View()
}

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return Bindings() }

// State implements page.Page.
func (m Model) State() page.State {
	return page.State{
		Type: page.TypeImages, Caps: page.CanImageActions,
		Title:    "images",
		Typing:   m.table.Typing(),
		Filtered: m.table.Filter() != "",
		Info:     m.table.Info(),
	}
}

// Selected implements page.Selector: d describes the image under the
// cursor (its manifest or index and config).
func (m Model) Selected() (page.Object, bool) {
	name, ok := m.table.SelectedID()
	return page.Object{Kind: page.KindImage, Namespace: m.ns, ID: name}, ok
}

// Marked implements page.Marker: the image actions (export, push, remove)
// take every marked image.
func (m Model) Marked() []page.Object {
	names := m.table.Marked()
	out := make([]page.Object, len(names))
	for i, n := range names {
		out[i] = page.Object{Kind: page.KindImage, Namespace: m.ns, ID: n}
	}
	return out
}
