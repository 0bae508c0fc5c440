package images

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// CRIImageLister is the CRI call the page needs for PINNED and IMAGE ID.
type CRIImageLister interface {
	Images(ctx context.Context) ([]backend.CRIImage, error)
}

// live is what keeps the page current between lists. An image event names
// the image only, and the image store answers a full list as fast as
// `ctr images ls -q`, so events ask for one list per Coalesce window rather
// than a lookup each; a delete removes its row at once. Container events
// ask for the containers again (USED BY), and in k8s.io every image event
// asks CRI again (its view of the same image changes with it). Each of the
// three has at most one call in flight; an event arriving meanwhile makes
// it go again after the answer, so the page ends on the node's last state.
type live struct {
	relist, ctrsDue, criDue     bool
	listBusy, ctrsBusy, criBusy bool
	armed                       bool
}

// usersMsg answers usersCmd: how many containers name each image.
type usersMsg struct {
	gen    uint64
	byName map[string]int
	err    error
}

// criImagesMsg answers criCmd.
type criImagesMsg struct {
	gen  uint64
	imgs []backend.CRIImage
	err  error
}

// flushMsg ends a Coalesce window.
type flushMsg struct{ gen uint64 }

// usersCmd counts the containers of ns by image name, from one container
// list.
func usersCmd(parent context.Context, l backend.ContainerLister, ns string, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		ctrs, err := l.Containers(ctx, ns)
		by := make(map[string]int, len(ctrs))
		for _, c := range ctrs {
			if c.Image != "" {
				by[c.Image]++
			}
		}
		return usersMsg{gen: gen, byName: by, err: err}
	}
}

// criCmd lists CRI's images.
func criCmd(parent context.Context, l CRIImageLister, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		imgs, err := l.Images(ctx)
		return criImagesMsg{gen: gen, imgs: imgs, err: err}
	}
}

// events applies a batch: deletes at once, the rest at the next flush.
func (m Model) events(evs []backend.Event) (page.Page, tea.Cmd) {
	k8s := m.withCRI()
	for _, ev := range evs {
		if ev.Namespace != m.Namespace() {
			continue
		}
		switch ev.Topic {
		case backend.TopicImageDelete:
			m.remove(ev.ID)
			m.live.relist = m.live.relist || m.live.listBusy // its answer may predate the delete
			m.live.criDue = m.live.criDue || k8s
		case backend.TopicImageCreate, backend.TopicImageUpdate:
			m.live.relist = true
			m.live.criDue = m.live.criDue || k8s
		case backend.TopicContainerCreate, backend.TopicContainerUpdate, backend.TopicContainerDelete:
			m.live.ctrsDue = m.cfg.Containers != nil
		}
	}
	return m, m.arm()
}

// arm schedules a flush unless one is scheduled or nothing is due.
func (m *Model) arm() tea.Cmd {
	l := &m.live
	if l.armed || !(l.relist || l.ctrsDue || l.criDue) {
		return nil
	}
	l.armed = true
	return m.Tag().After(page.Coalesce, flushMsg{gen: m.Gen()})
}

// flush makes the calls that are due and not already running.
func (m Model) flush() (page.Page, tea.Cmd) {
	m.live.armed = false
	return m, m.fetchLists()
}

// fetchLists starts the due calls: the image list, the containers, CRI.
func (m *Model) fetchLists() tea.Cmd {
	l := &m.live
	var cmds []tea.Cmd
	if l.relist && !l.listBusy && m.cfg.Lister != nil {
		l.relist, l.listBusy = false, true
		cmds = append(cmds, m.Tag().Wrap(loadCmd(m.cfg.Ctx, m.cfg.Lister, m.cfg.Clock, m.Namespace(), m.cfg.Timeout, m.Gen())))
	}
	if l.ctrsDue && !l.ctrsBusy && m.cfg.Containers != nil {
		l.ctrsDue, l.ctrsBusy = false, true
		cmds = append(cmds, m.Tag().Wrap(usersCmd(m.cfg.Ctx, m.cfg.Containers, m.Namespace(), m.cfg.Timeout, m.Gen())))
	}
	if l.criDue && !l.criBusy && m.withCRI() {
		l.criDue, l.criBusy = false, true
		cmds = append(cmds, m.Tag().Wrap(criCmd(m.cfg.Ctx, m.cfg.CRI, m.cfg.Timeout, m.Gen())))
	}
	return tea.Batch(cmds...)
}

// withCRI reports whether the page shows CRI's view: in k8s.io, with CRI.
func (m *Model) withCRI() bool { return m.Namespace() == backend.CRINamespace && m.cfg.CRI != nil }

// users takes the container counts.
func (m Model) users(msg usersMsg) (page.Page, tea.Cmd) {
	m.live.ctrsBusy = false
	if msg.err == nil {
		m.usedBy = msg.byName
		m.redraw()
	}
	return m, m.arm()
}

// criImages takes CRI's images. A CRI failure leaves the columns empty
// rather than failing the page: containerd may answer while CRI does not.
func (m Model) criImages(msg criImagesMsg) (page.Page, tea.Cmd) {
	m.live.criBusy = false
	if msg.err == nil {
		m.cri = indexCRI(msg.imgs)
		m.redraw()
	}
	return m, m.arm()
}

// indexCRI files each CRI image under every name containerd may know it
// by: its repo tags, its repo digests and their digests, and its id (CRI
// keeps a "sha256:<config>" name for it in k8s.io).
func indexCRI(imgs []backend.CRIImage) map[string]*backend.CRIImage {
	idx := make(map[string]*backend.CRIImage, 3*len(imgs))
	for i := range imgs {
		ci := &imgs[i]
		idx[ci.ID] = ci
		for _, t := range ci.RepoTags {
			idx[t] = ci
		}
		for _, d := range ci.RepoDigests {
			idx[d] = ci
			if _, dg, ok := strings.Cut(d, "@"); ok {
				idx[dg] = ci
			}
		}
	}
	return idx
}

// criOf finds CRI's view of img: by name, else by target digest.
func (m *Model) criOf(img backend.Image) *backend.CRIImage {
	if ci, ok := m.cri[img.Name]; ok {
		return ci
	}
	return m.cri[img.Digest]
}

// usage counts the containers using each target digest: a container names
// one of the image's names, and every name of the same target is the same
// image.
func (m Model) usage() map[string]int {
	if m.usedBy == nil {
		return nil
	}
	by := make(map[string]int, len(m.usedBy))
	for name, n := range m.usedBy {
		if i, ok := m.byName[name]; ok {
			by[m.images[i].Digest] += n
		}
	}
	return by
}
