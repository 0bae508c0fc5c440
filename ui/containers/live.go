package containers

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// maxLookups is how many containers a flush looks up one by one; more than
// that and one bulk list is cheaper (two calls whatever the count).
const maxLookups = 8

// live is what keeps the list current between lists.
//
// Task events carry all a row shows (state, pid, exit status), so they
// patch rows at once, without a call. A new or changed container needs its
// record (image, runtime, labels): its id waits for the end of a Coalesce
// window and is then looked up, or, when a burst named more than
// maxLookups, the whole list is asked once. One fetch is in flight at a
// time; what arrives meanwhile waits for the next window.
//
// A reply describes the node as it was when the call was made, so a row an
// event changed after that keeps what the event said (touched).
type live struct {
	seq      uint64            // bumped by every event batch
	touched  map[string]uint64 // id -> seq of the last event that changed the row
	pending  map[string]bool   // ids to look up
	relist   bool              // the next flush lists everything
	criDue   bool              // the next flush asks CRI again
	armed    bool              // a flush is scheduled
	fetching bool              // a list or lookup is in flight
	criBusy  bool              // a CRI call is in flight
}

func newLive() live {
	return live{touched: map[string]uint64{}, pending: map[string]bool{}}
}

// after reports whether an event changed row id after a call made at sent.
func (l *live) after(id string, sent uint64) bool { return l.touched[id] > sent }

// events applies a batch of events to the rows and schedules the calls they
// still need.
func (m Model) events(evs []backend.Event) (page.Page, tea.Cmd) {
	m.live.seq++
	now := m.cfg.Clock.Now()
	for _, ev := range evs {
		if ev.Namespace != m.Namespace() {
			continue
		}
		if m.apply(ev, now) {
			m.live.touched[ev.ID] = m.live.seq
			m.live.criDue = m.live.criDue || m.withCRI()
		}
	}
	return m, m.arm()
}

// apply patches the rows for one event, or notes the call it needs. It
// reports whether the event was about a container of this page.
func (m *Model) apply(ev backend.Event, now time.Time) bool {
	isTask := strings.HasPrefix(ev.Topic, "/tasks/")
	if !isTask && !strings.HasPrefix(ev.Topic, "/containers/") {
		return false
	}
	if ev.ID == "" { // a payload this build cannot decode
		m.live.relist = true
		return false
	}
	switch ev.Topic {
	case backend.TopicContainerCreate, backend.TopicContainerUpdate, backend.TopicTaskOOM:
		m.live.pending[ev.ID] = true
	case backend.TopicContainerDelete:
		m.remove(ev.ID)
		delete(m.live.pending, ev.ID)
	case backend.TopicTaskCreate, backend.TopicTaskStart, backend.TopicTaskExit,
		backend.TopicTaskDelete, backend.TopicTaskPaused, backend.TopicTaskResumed:
		if !m.patchTask(ev, now) {
			m.live.pending[ev.ID] = true // no row yet: its create is on the way
		}
	default:
		return isTask // exec events: nothing a row shows
	}
	return true
}

// patchTask changes a row's task as the event says; false if there is no
// such row.
func (m *Model) patchTask(ev backend.Event, now time.Time) bool {
	i, ok := m.index[ev.ID]
	if !ok {
		return false
	}
	c := m.ctrs[i]
	var t backend.Task
	if c.Task != nil {
		t = *c.Task
	}
	t.ID = ev.ID
	switch ev.Topic {
	case backend.TopicTaskCreate:
		t = backend.Task{ID: ev.ID, PID: ev.PID, Status: backend.TaskCreated}
	case backend.TopicTaskStart:
		t.Status, t.PID = backend.TaskRunning, ev.PID
	case backend.TopicTaskExit:
		// An exec'd process ends with /tasks/exit too, under the
		// container's id; only the init process's pid ends the task.
		if t.PID != 0 && ev.PID != t.PID {
			return true
		}
		t.Status, t.ExitStatus, t.ExitedAt = backend.TaskStopped, ev.ExitStatus, ev.Time
	case backend.TopicTaskPaused:
		t.Status = backend.TaskPaused
	case backend.TopicTaskResumed:
		t.Status = backend.TaskRunning
	}
	if ev.Topic == backend.TopicTaskDelete {
		c.Task = nil
	} else {
		c.Task = &t
	}
	m.ctrs[i] = c
	m.Table.UpdateRows(m.row(c, now))
	return true
}

// arm schedules a flush unless one is scheduled or nothing is needed.
func (m *Model) arm() tea.Cmd {
	l := &m.live
	if l.armed || (!l.relist && len(l.pending) == 0 && !l.criDue) {
		return nil
	}
	l.armed = true
	return m.Tag().After(page.Coalesce, flushMsg{gen: m.Gen()})
}

// flush makes the calls gathered since the last one: lookups or one list,
// and CRI's containers.
func (m Model) flush() (page.Page, tea.Cmd) {
	m.live.armed = false
	return m, tea.Batch(m.fetch(), m.fetchCRI())
}

func (m *Model) fetch() tea.Cmd {
	l := &m.live
	if l.fetching || m.cfg.Lister == nil || (!l.relist && len(l.pending) == 0) {
		return nil
	}
	l.fetching = true
	getter, canGet := m.cfg.Lister.(backend.ContainerGetter)
	if l.relist || len(l.pending) > maxLookups || !canGet {
		l.relist = false
		clear(l.pending)
		return m.Tag().Wrap(loadCmd(m.cfg.Ctx, m.cfg.Lister, m.cfg.Clock, m.Namespace(), m.cfg.Timeout, m.Gen(), l.seq))
	}
	ids := make([]string, 0, len(l.pending))
	for id := range l.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	clear(l.pending)
	return m.Tag().Wrap(lookupCmd(m.cfg.Ctx, getter, m.Namespace(), ids, m.cfg.Timeout, m.Gen(), l.seq))
}

func (m *Model) fetchCRI() tea.Cmd {
	l := &m.live
	if !l.criDue || l.criBusy || !m.withCRI() {
		return nil
	}
	l.criDue, l.criBusy = false, true
	return m.Tag().Wrap(criCmd(m.cfg.Ctx, m.cfg.CRI, m.cfg.Timeout, m.Gen()))
}

// fetched ends a fetch: what waited for it gets the next window, and the
// record of touched rows is dropped, since no reply can need it any more.
func (m *Model) fetched() tea.Cmd {
	m.live.fetching = false
	clear(m.live.touched)
	return m.arm()
}

// failed ends a fetch that failed. What it was for is not retried at once
// (a daemon that is down would be asked every window) but at the next
// event or safety net, with one list; a lost connection reloads anyway.
func (m *Model) failed(err error) tea.Cmd {
	cmd := m.fetched()
	m.live.relist = true
	return cmd
}

// loaded takes a list. Rows that events changed after it was asked for
// keep what the events said: their task, their presence or absence.
func (m Model) loaded(msg loadedMsg) (page.Page, tea.Cmd) {
	if msg.err != nil {
		return m, tea.Batch(m.failed(msg.err), m.Answered(msg.err))
	}
	next := make([]backend.Container, 0, len(msg.ctrs))
	listed := make(map[string]bool, len(msg.ctrs))
	for _, c := range msg.ctrs {
		listed[c.ID] = true
		if c, ok := m.fresher(c, msg.sent); ok {
			next = append(next, c)
		}
	}
	for _, c := range m.ctrs {
		if !listed[c.ID] && m.live.after(c.ID, msg.sent) {
			next = append(next, c) // created after the list was made
		}
	}
	m.setAll(next, msg.at)
	if m.cfg.Select != "" {
		m.Table.Select(m.cfg.Select)
		m.cfg.Select = ""
	}
	return m, tea.Batch(m.fetched(), m.Answered(nil), m.sample())
}

// lookedUp takes the answer of a few lookups, with the same rule.
func (m Model) lookedUp(msg lookedUpMsg) (page.Page, tea.Cmd) {
	if msg.err != nil {
		return m, tea.Batch(m.failed(msg.err), page.Report(msg.err))
	}
	next := slices.Clone(m.ctrs)
	for _, c := range msg.found {
		c, ok := m.fresher(c, msg.sent)
		if !ok {
			continue
		}
		if i, ok := m.index[c.ID]; ok {
			next[i] = c
		} else {
			next = append(next, c)
		}
	}
	gone := make(map[string]bool, len(msg.gone))
	for _, id := range msg.gone {
		gone[id] = !m.live.after(id, msg.sent)
	}
	next = slices.DeleteFunc(next, func(c backend.Container) bool { return gone[c.ID] })
	m.setAll(next, m.cfg.Clock.Now())
	return m, m.fetched()
}

// fresher is what the page should show of c, listed by a call made at
// sent: c itself, or c with the task events gave it since; false when the
// row went away (or has not come yet) since.
func (m Model) fresher(c backend.Container, sent uint64) (backend.Container, bool) {
	if !m.live.after(c.ID, sent) {
		return c, true
	}
	i, ok := m.index[c.ID]
	if !ok {
		return c, false
	}
	c.Task = m.ctrs[i].Task
	return c, true
}

// cri takes CRI's containers and their pods, for ATTEMPT and the POD of
// each row.
func (m Model) cri(msg criMsg) (page.Page, tea.Cmd) {
	m.live.criBusy = false
	cmd := m.arm()
	if msg.err != nil {
		// CRI may be broken while containerd answers: the columns stay
		// empty rather than the page failing.
		return m, cmd
	}
	m.pods = make(map[string]backend.PodContainer, len(msg.pcs))
	for _, pc := range msg.pcs {
		m.pods[pc.ID] = pc
	}
	if msg.refs != nil {
		m.refs = msg.refs
	}
	m.setAll(m.ctrs, m.cfg.Clock.Now())
	return m, cmd
}
