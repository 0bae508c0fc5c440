package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	checks "github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/testbed/testclock"
	doctorpage "github.com/ctui/ctui/ui/doctor"
)

// TestDoctorCommandAndBadge: :doctor (and :dr) opens the doctor page once;
// a run that found failures puts "doctor: N FAIL" in the header of every
// page at 80 columns, and a clean run takes it away.
func TestDoctorCommandAndBadge(t *testing.T) {
	n := newNode(3)
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: testclock.Clock(), Doctor: &checks.Options{Root: t.TempDir()}})
	m = feed(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = run(t, m, m.Init())
	m = keys(t, m, ":")
	m = typed(t, m, "doctor")
	m = keys(t, m, "enter")
	if st := m.top().State(); st.Title != "doctor" {
		t.Fatalf(":doctor opened %q:\n%s", st.Title, screen(m))
	}
	depth := len(m.pages)
	m = keys(t, m, ":")
	m = typed(t, m, "dr")
	m = keys(t, m, "enter")
	if len(m.pages) != depth {
		t.Errorf(":dr stacked a second page: %d", len(m.pages))
	}

	fail := checks.Finding{Check: "cni", Status: checks.FAIL, Finding: "no CNI config"}
	m = feed(t, m, doctorpage.RanMsg{Findings: []checks.Finding{fail, fail, {Check: "disk", Status: checks.OK}}})
	m = keys(t, m, "esc")
	header := strings.Split(screen(m), "\n")[0]
	if !strings.Contains(header, "doctor: 2 FAIL") {
		t.Errorf("header on the images page lacks the badge:\n%s", screen(m))
	}
	m = feed(t, m, doctorpage.RanMsg{Findings: []checks.Finding{{Check: "cni", Status: checks.WARN}}})
	if strings.Contains(screen(m), "doctor:") {
		t.Errorf("badge stays after a run without failures:\n%s", screen(m))
	}
}

// TestDoctorOpensOnTheLastRun: the run behind the header's badge (the
// background one at start) is what :doctor opens on; nothing is gathered
// again until ctrl+r.
func TestDoctorOpensOnTheLastRun(t *testing.T) {
	n := newNode(3)
	clock := testclock.Clock()
	m := New(context.Background(), n.b, Options{NoColor: true, Clock: clock, Doctor: &checks.Options{Root: t.TempDir()}})
	m = feed(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m = run(t, m, m.Init())
	fail := checks.Finding{Check: "cni", Status: checks.FAIL, Finding: "no CNI config in the background run"}
	m = feed(t, m, doctorpage.RanMsg{Findings: []checks.Finding{fail, {Check: "disk", Status: checks.OK}}, At: clock.Now()})
	if !strings.Contains(strings.Split(screen(m), "\n")[0], "doctor: 1 FAIL") {
		t.Fatalf("no badge:\n%s", screen(m))
	}
	m = keys(t, m, ":")
	m = typed(t, m, "doctor")
	m = keys(t, m, "enter")
	s := screen(m)
	if !strings.Contains(s, "no CNI config in the background run") || strings.Contains(s, "running") {
		t.Errorf(":doctor does not open on the last run, or runs again:\n%s", s)
	}
}
