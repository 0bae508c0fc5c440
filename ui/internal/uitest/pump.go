package uitest

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/ui/page"
)

// PumpWait is how long Pump waits for a command: generous, since a test
// waits only as long as the command takes.
const PumpWait = 3 * time.Second

// Pump runs cmd as the root would for page p: every page.Reply goes to p
// (and the commands p returns are run the same way, until none is left);
// the other messages (flash, errors, describe, open) are returned in the
// order they came. With id non-zero, a reply tagged for another page fails
// the test.
func Pump[P page.Page](t testing.TB, p P, cmd tea.Cmd, id ...page.ID) (P, []tea.Msg) {
	t.Helper()
	var other []tea.Msg
	queue := Drain(cmd, PumpWait)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		r, ok := msg.(page.Reply)
		if !ok {
			other = append(other, msg)
			continue
		}
		if len(id) > 0 && r.Tag.Page != id[0] {
			t.Fatalf("reply tagged for page %d, want %d", r.Tag.Page, id[0])
		}
		next, c := p.Update(r.Msg)
		p = next.(P)
		queue = append(queue, Drain(c, PumpWait)...)
	}
	return p, other
}
