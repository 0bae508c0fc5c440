// Package events keeps the one containerd event stream the lists live on:
// it opens it as a command, re-arms the wait after each batch, filters what
// no page uses, re-subscribes a broken stream with backoff and says when the
// pages should list again. The root hands each batch to every page.
package events

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// How the lists stay live. The root keeps one containerd event stream open
// for the life of the program and hands each batch of events to every page
// as page.EventsMsg; pages patch their rows. Nothing polls: the only timer
// that runs while nothing happens is the safety net, which re-lists the page
// on screen every safetyNet in case an event was missed.
const (
	// safetyNet is how often the page on screen lists again although
	// events keep it current: a slow guard against a lost event (a broken
	// stream already re-lists when it reopens). At 5,000 containers a list
	// costs ctui some 70 ms of CPU and containerd as much again (decoding
	// and encoding every record), so every five minutes keeps an idle
	// screen near zero: 0.05% of a core rather than 0.25% once a minute.
	safetyNet = 5 * time.Minute
	// eventBatch bounds how many events that are already waiting go to the
	// pages in one message, so a burst is a few updates, not thousands.
	eventBatch = 256
	// resubscribeMin and resubscribeMax bound the wait before opening a
	// broken stream again; it doubles while the daemon keeps refusing.
	resubscribeMin = 250 * time.Millisecond
	resubscribeMax = 30 * time.Second
	// streamHealthy is how long a stream must have lived for its end to
	// count as a fresh failure (backoff back to the minimum) rather than
	// one more of a series.
	streamHealthy = 5 * time.Second
	// resyncGrace is how long a re-opened stream must hold before the
	// pages list again to fill the gap: a stream that breaks at once (the
	// daemon is still down) must not cost a re-list per attempt.
	resyncGrace = 500 * time.Millisecond
	// headerDebounce folds the events of a burst into one header refresh,
	// so that CRI conditions (NetworkReady once a CNI pod is up) follow
	// what happens on the node without a call per event.
	headerDebounce = 2 * time.Second
)

// Hub is the root's event stream state. The stream itself lives in the
// commands; the hub keeps only what it needs to re-arm, cancel and recover
// them.
type Hub struct {
	gen     uint64 // bumped by every subscribe: older stream messages are dropped
	sub     subscription
	cancel  context.CancelFunc
	opened  time.Time
	backoff time.Duration
	broken  bool // a stream broke: the next one that holds is followed by a re-list

	safetySeq  uint64
	headerSoon bool // a header refresh is already scheduled
}

// subscription is one open stream, as values a command can wait on.
type subscription struct {
	gen  uint64
	ns   string
	ch   <-chan backend.Event
	errc <-chan error
}

// Messages of the hub. Each carries the generation of the stream it belongs
// to, so that one from a stream canceled by a namespace switch is dropped.
type (
	streamOpenedMsg struct{ sub subscription }
	// BatchMsg is a burst of events the pages want.
	BatchMsg struct {
		gen    uint64
		Events []backend.Event
	}
	streamEndedMsg struct {
		gen uint64
		err error
	}
	resubscribeMsg struct{ gen uint64 }
	resyncDueMsg   struct{ gen uint64 }
	// SafetyMsg is the safety net's timer.
	SafetyMsg     struct{ Seq uint64 }
	headerSoonMsg struct{}
)

// Handles reports whether msg is one of the hub's, for Update.
func Handles(msg tea.Msg) bool {
	switch msg.(type) {
	case streamOpenedMsg, BatchMsg, streamEndedMsg, resubscribeMsg, resyncDueMsg, SafetyMsg, headerSoonMsg:
		return true
	}
	return false
}

// Open reports whether a stream is open now.
func (h Hub) Open() bool { return h.sub.ch != nil }

// Namespace is the namespace the open stream keeps events of for the pages.
func (h Hub) Namespace() string { return h.sub.ns }

// Gen counts the subscriptions made.
func (h Hub) Gen() uint64 { return h.gen }

// Broken reports whether a stream broke and the re-list that follows its
// return has not happened yet.
func (h Hub) Broken() bool { return h.broken }

// SafetySeq is the sequence of the safety net's timer now armed.
func (h Hub) SafetySeq() uint64 { return h.safetySeq }

// Subscribe opens a stream for namespace ns in place of the one open now,
// whose ctx it cancels; nil src (no native side) opens none. Opening is a
// command: the call must not run in Update.
//
// The stream is of every namespace, filtered in the command to ns plus the
// events that change another namespace's counts or the namespaces
// themselves. containerd publishes /namespaces/create in the new namespace,
// so a stream of the current namespace alone would never see it.
func (h *Hub) Subscribe(parent context.Context, src backend.EventSource, ns string) tea.Cmd {
	if h.cancel != nil {
		h.cancel()
	}
	h.gen++
	h.sub, h.cancel = subscription{}, nil
	if src == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(parent)
	h.cancel = cancel
	gen := h.gen
	return func() tea.Msg {
		ch, errc := src.Events(ctx, "")
		return streamOpenedMsg{sub: subscription{gen: gen, ns: ns, ch: ch, errc: errc}}
	}
}

// Resume opens the stream again at once after the connection came back, if
// it broke. No re-list follows: page.ReconnectedMsg already reloads every
// page.
func (h *Hub) Resume(parent context.Context, src backend.EventSource, ns string) tea.Cmd {
	if h.Open() || src == nil {
		return nil
	}
	h.broken = false
	return h.Subscribe(parent, src, ns)
}

// wait returns the command that waits for the stream's next events: it
// blocks until one the UI wants arrives, then takes whatever else is
// already waiting, so a burst arrives as one message. The model re-arms it
// after each message.
func (s subscription) wait() tea.Cmd {
	return func() tea.Msg {
		for ev := range s.ch {
			if s.wants(ev) {
				return BatchMsg{gen: s.gen, Events: s.drain([]backend.Event{ev})}
			}
		}
		return streamEndedMsg{gen: s.gen, err: <-s.errc}
	}
}

// drain appends the wanted events already in the channel, without waiting.
func (s subscription) drain(batch []backend.Event) []backend.Event {
	for len(batch) < eventBatch {
		select {
		case ev, ok := <-s.ch:
			if !ok {
				return batch // the next wait reports the end
			}
			if s.wants(ev) {
				batch = append(batch, ev)
			}
		default:
			return batch
		}
	}
	return batch
}

// wants keeps the events some page can use: the current namespace's
// tasks, containers, images and sandboxes; from the others only those that
// change a count on the namespaces page; every namespace's own. Snapshot
// and content events, and exec'd processes being added and started (a
// kubelet probe is three events every few seconds), never wake the UI;
// nor does a busy k8s.io while the operator looks at another namespace.
func (s subscription) wants(ev backend.Event) bool {
	switch {
	case strings.HasPrefix(ev.Topic, "/namespaces/"):
		return true
	case ev.Namespace == s.ns:
		switch ev.Topic {
		case "/tasks/exec-added", "/tasks/exec-started":
			return false
		}
		for _, p := range []string{"/tasks/", "/containers/", "/images/", "/sandboxes/"} {
			if strings.HasPrefix(ev.Topic, p) {
				return true
			}
		}
		return false
	}
	switch ev.Topic {
	case backend.TopicImageCreate, backend.TopicImageDelete,
		backend.TopicContainerCreate, backend.TopicContainerDelete,
		backend.TopicTaskStart, backend.TopicTaskDelete, backend.TopicTaskOOM:
		return true
	}
	return false
}

// Out is what a hub message asks of the root besides the command Update
// returns.
type Out struct {
	// Events go to every page (page.EventsMsg).
	Events []backend.Event
	// Resync: every page lists again under its generation
	// (page.ResyncMsg), after a broken stream came back and held.
	Resync bool
	// Safety: the safety net is due; the page on screen lists again
	// unless the connection is lost.
	Safety bool
	// Header: refresh the header after a burst.
	Header bool
	// Resubscribe: open the stream again (Subscribe with the current
	// namespace).
	Resubscribe bool
	// Ended: the stream broke with Err (nil when its ctx ended); a new
	// subscription is already scheduled by the command.
	Ended bool
	Err   error
}

// Update handles the hub's messages.
func (h *Hub) Update(msg tea.Msg) (tea.Cmd, Out) {
	switch msg := msg.(type) {
	case streamOpenedMsg:
		if msg.sub.gen != h.gen {
			return nil, Out{}
		}
		h.sub, h.opened = msg.sub, time.Now()
		cmds := []tea.Cmd{h.sub.wait()}
		if h.broken {
			gen := h.gen
			cmds = append(cmds, tea.Tick(resyncGrace, func(time.Time) tea.Msg { return resyncDueMsg{gen: gen} }))
		}
		return tea.Batch(cmds...), Out{}
	case BatchMsg:
		if msg.gen != h.gen {
			return nil, Out{}
		}
		h.backoff = 0
		return h.sub.wait(), Out{Events: msg.Events}
	case streamEndedMsg:
		if msg.gen != h.gen {
			return nil, Out{}
		}
		return h.ended(), Out{Ended: true, Err: msg.err}
	case resubscribeMsg:
		if msg.gen != h.gen {
			return nil, Out{}
		}
		return nil, Out{Resubscribe: true}
	case resyncDueMsg:
		if msg.gen != h.gen || h.sub.ch == nil || !h.broken {
			return nil, Out{}
		}
		h.broken = false
		return nil, Out{Resync: true}
	case SafetyMsg:
		if msg.Seq != h.safetySeq {
			return nil, Out{}
		}
		return h.ArmSafety(), Out{Safety: true}
	case headerSoonMsg:
		h.headerSoon = false
		return nil, Out{Header: true}
	}
	return nil, Out{}
}

// ended schedules a new subscription after a broken stream, sooner when
// the last one held for a while.
func (h *Hub) ended() tea.Cmd {
	lived := time.Since(h.opened)
	h.sub, h.broken = subscription{}, true
	switch {
	case h.backoff == 0 || lived >= streamHealthy:
		h.backoff = resubscribeMin
	default:
		h.backoff = min(2*h.backoff, resubscribeMax)
	}
	gen := h.gen
	return tea.Tick(h.backoff, func(time.Time) tea.Msg { return resubscribeMsg{gen: gen} })
}

// ArmSafety schedules the next safety-net re-list.
func (h *Hub) ArmSafety() tea.Cmd {
	h.safetySeq++
	seq := h.safetySeq
	return tea.Tick(safetyNet, func(time.Time) tea.Msg { return SafetyMsg{Seq: seq} })
}

// HeaderAfter schedules one header refresh for a burst that creates or
// removes containers or starts or removes tasks: what goes with a CRI
// condition changing (a CNI pod coming up). /tasks/exit is left out: exec
// probes end with one every few seconds on a busy node.
func (h *Hub) HeaderAfter(events []backend.Event) tea.Cmd {
	if h.headerSoon {
		return nil
	}
	for _, ev := range events {
		switch ev.Topic {
		case backend.TopicContainerCreate, backend.TopicContainerDelete,
			backend.TopicTaskStart, backend.TopicTaskDelete:
			h.headerSoon = true
			return tea.Tick(headerDebounce, func(time.Time) tea.Msg { return headerSoonMsg{} })
		}
	}
	return nil
}
