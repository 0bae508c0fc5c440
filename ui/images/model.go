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
	"github.com/ctui/ctui/ui/listpage"
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
	Styles     *theme.Styles
	// Clock is what ages and times are measured against; the zero Clock
	// is the wall clock.
	Clock backend.Clock
}

// Model is the images page. It loads in its own way (the list first, then
// details, the containers and CRI's view) and embeds the list-page base for
// the rest (generation, namespace, table, size, styles, mouse, filter and
// esc, what shows before the first answer).
type Model struct {
	listpage.List[backend.Image]
	cfg  Config
	keys KeyMap

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

	loadedAt time.Time
	near     []string // reused buffer for table.Near
}

var _ page.Page = Model{}

// New returns the page and the command that loads it.
func New(cfg Config) (Model, tea.Cmd) {
	m := Model{
		List: listpage.New(listpage.Config[backend.Image]{
			ID: cfg.ID, Ctx: cfg.Ctx, Timeout: cfg.Timeout, Styles: cfg.Styles, Clock: cfg.Clock, Namespace: cfg.Namespace,
			Title: "images", Type: page.TypeImages, Caps: page.CanImageActions, Columns: Columns,
		}),
		cfg:      cfg,
		keys:     DefaultKeyMap(),
		details:  map[string]detail{},
		inflight: map[string]bool{},
		byDigest: map[string][]int{},
		byName:   map[string]int{},
	}
	return m, m.reload()
}

// reload starts a new generation and lists the images again, with the
// containers and CRI's images; replies of the old generation are dropped
// when they arrive.
func (m *Model) reload() tea.Cmd {
	m.NextGen()
	clear(m.inflight)
	m.paused = false
	m.live = live{}
	if m.cfg.Lister == nil {
		m.List.Unavailable(m.cfg.Unavailable)
		return nil
	}
	m.Begin()
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

// Update implements page.Page: the page's own loads and events first;
// the rest is the list's, after which the rows on screen get their details.
func (m Model) Update(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.Gen() {
			return m, nil
		}
		return m.loaded(msg)
	case detailsMsg, usersMsg, criImagesMsg, flushMsg:
		return m.reply(msg)
	case page.EventsMsg:
		return m.events(msg.Events)
	case page.ResyncMsg:
		return m, m.resync()
	case page.NamespaceMsg:
		// k8s.io has CRI's columns: the list makes a new table.
		if !m.SetNamespace(msg.Namespace) {
			return m, nil
		}
		clear(m.details) // sizes count content as this namespace sees it
		m.images, m.sweep, m.usedBy, m.cri = nil, 0, nil, nil
		clear(m.byName)
		clear(m.byDigest)
		return m, m.reload()
	case page.ReconnectedMsg:
		return m, m.reload()
	case tea.KeyPressMsg:
		if m.Refreshes(msg) {
			return m, m.reload()
		}
	}
	cmd, _ := m.List.Update(msg)
	switch msg.(type) {
	case page.SizeMsg, tea.KeyPressMsg, tea.MouseWheelMsg, tea.PasteMsg:
		return m, tea.Batch(cmd, m.fetch()) // the rows on screen may have changed
	}
	return m, cmd
}

// reply routes the answers of the page's own calls other than the list,
// dropping those of an older generation.
func (m Model) reply(msg tea.Msg) (page.Page, tea.Cmd) {
	switch msg := msg.(type) {
	case detailsMsg:
		if msg.gen == m.Gen() {
			return m.detailed(msg)
		}
	case usersMsg:
		if msg.gen == m.Gen() {
			return m.users(msg)
		}
	case criImagesMsg:
		if msg.gen == m.Gen() {
			return m.criImages(msg)
		}
	case flushMsg:
		if msg.gen == m.Gen() {
			return m.flush()
		}
	}
	return m, nil
}

// loaded takes a list: the first, or one events asked for. Sizes already
// known stay (they are cached by digest); new targets get theirs fetched.
func (m Model) loaded(msg loadedMsg) (page.Page, tea.Cmd) {
	m.live.listBusy = false
	if msg.err != nil {
		return m, tea.Batch(m.arm(), m.Answered(msg.err))
	}
	m.loadedAt, m.sweep = msg.at, 0
	m.setImages(msg.images)
	return m, tea.Batch(m.Answered(nil), m.fetch(), m.completeFirst(), m.arm())
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
	m.Table.SetRows(rows)
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
	m.Table.UpdateRows(rows...)
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
		cmds = append(cmds, m.Tag().Wrap(detailsCmd(m.cfg.Ctx, m.cfg.Lister, m.Namespace(), img, m.cfg.Timeout, m.Gen())))
	}
	m.near = m.Table.Near(prefetchMargin, m.near[:0])
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

// Keys implements page.Page.
func (m Model) Keys() []key.Binding { return Bindings() }

// Selected implements page.Selector: d describes the image under the
// cursor (its manifest or index and config).
func (m Model) Selected() (page.Object, bool) {
	name, ok := m.Table.SelectedID()
	return page.Object{Kind: page.KindImage, Namespace: m.Namespace(), ID: name}, ok
}

// Marked implements page.Marker: the image actions (export, push, remove)
// take every marked image.
func (m Model) Marked() []page.Object {
	names := m.Table.Marked()
	out := make([]page.Object, len(names))
	for i, n := range names {
		out[i] = page.Object{Kind: page.KindImage, Namespace: m.Namespace(), ID: n}
	}
	return out
}
