package page

import (
	tea "charm.land/bubbletea/v2"

	"time"

	"github.com/ctui/ctui/backend"
)

// StatsTickMsg asks the page on screen to sample the resource use of the
// rows it shows (--stats-interval; none when stats are off). Only the page
// on top gets it, so pages below cost nothing.
type StatsTickMsg struct{}

// StatsWanter is a page that samples resource use. WantsStats tells
// whether a sample now would ask for anything: a running row on screen,
// :top's list or the node's totals. While the page on top wants none, the
// root's stats timer sleeps (no tick, no update, no frame), so an idle
// screen without a running row costs nothing; the root wakes it after the
// first message that leaves the page wanting one (a task started, a
// scroll, a page popped).
type StatsWanter interface {
	WantsStats() bool
}

// StatsQueriedMsg tells the root which stats calls a page made, for the
// command log (ctr tasks metrics, crictl stats, crictl statsp).
type StatsQueriedMsg struct {
	Queries []backend.StatsQuery
	Err     error
}

// OOMKill is one container the kernel killed for exceeding its memory
// limit, from containerd's TaskOOM event, with the pod it belongs to.
type OOMKill struct {
	Time         time.Time
	Namespace    string // containerd namespace
	ID           string // container id
	PodName      string
	PodNamespace string
	PodUID       string
	Container    string // the name in the pod spec
}

// Subject names the container for a sentence: "pod ns/name, container c"
// for a pod's, the containerd namespace and id for the rest.
func (k OOMKill) Subject() string {
	if k.PodName != "" {
		s := "container " + k.Container + " of pod " + k.PodNamespace + "/" + k.PodName
		if k.Container == "" {
			s = "a container of pod " + k.PodNamespace + "/" + k.PodName
		}
		return s
	}
	return "container " + k.Namespace + "/" + k.ID
}

// OOMMsg tells every page of an OOM kill, with the counts since ctui
// started: pages mark the row, :top and the pods page show the counts.
type OOMMsg struct {
	Kill  OOMKill
	Total int
	ByPod map[string]int // by pod UID; the root's map, read only
	ByID  map[string]int // by container id; read only
}

// GotoMsg asks the root for the containers page of Namespace with the
// cursor on container ID (enter on :top).
type GotoMsg struct{ Namespace, ID string }

// Goto returns a command that asks the root for container id's row.
func Goto(ns, id string) tea.Cmd {
	return func() tea.Msg { return GotoMsg{Namespace: ns, ID: id} }
}
