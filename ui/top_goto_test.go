package ui

import (
	"fmt"
	"testing"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// Enter on a :top row opens the containers page of that container's
// namespace with the cursor on its row, even when the row is far down the
// list (not the first row the page would open on) and in another
// namespace than the current one (fakes: the root's
// routing is what is tested; :top's own GotoMsg is ui/top's test).
func TestTopEnterLandsOnTheContainersRow(t *testing.T) {
	n := newNode(0)
	for i := range 40 {
		id := fmt.Sprintf("k-%02d", i)
		n.native.Ctrs["k8s.io"] = append(n.native.Ctrs["k8s.io"], backend.Container{ID: id, Image: "busybox",
			Task: &backend.Task{ID: id, PID: uint32(1000 + i), Status: backend.TaskRunning}})
	}
	m := start(t, n, 100, 24)
	m = keys(t, m, ":")
	m = typed(t, m, "top")
	m = keys(t, m, "enter")
	if got := m.top().State().Title; got != "top" {
		t.Fatalf(":top did not open: page %q\n%s", got, screen(m))
	}
	for range 30 {
		m = keys(t, m, "j")
	}
	want, ok := m.top().(page.Selector).Selected()
	if !ok || want.Namespace != "k8s.io" {
		t.Fatalf(":top selected %+v, %v; want a k8s.io container down the list", want, ok)
	}
	m = keys(t, m, "enter")
	p := m.top()
	if got := p.State().Title; got != "containers" {
		t.Fatalf("enter opened %q, want containers\n%s", got, screen(m))
	}
	got, ok := p.(page.Selector).Selected()
	if !ok || got.Namespace != "k8s.io" || got.ID != want.ID || m.ns != "k8s.io" {
		t.Errorf("containers page on %+v (namespace %s), want the row of %+v\n%s", got, m.ns, want, screen(m))
	}
}
