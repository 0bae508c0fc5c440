package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/ui/internal/uitest"
)

// TestStoresOnRealDaemons walks :snapshots, :content, :leases and :prune
// content on containerd 1.6 and 2.x: an orphan snapshot (prepared by ctr,
// its gc.root label taken off, so nothing holds it) and expired leases are marked; ctrl+d removes a lease
// after the question; :prune content deletes the other expired lease and
// its garbage collection takes the orphan snapshot, as ctr then lists.
func TestStoresOnRealDaemons(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			// containerd's scheduler collects garbage on its own (at start,
			// and after enough changes), which would take orphan-snap
			// before the page lists it; here only an explicit collection
			// (ctrl+d's lease removal, :prune content) runs one.
			dm := testbed.Start(t, v, testbed.WithConfigExtra("[plugins.\"io.containerd.gc.v1.scheduler\"]\n  mutation_threshold = 1000000\n  deletion_threshold = 0\n  startup_delay = \"1h\"\n"))
			const ns = "default"
			if err := dm.ImportTestImages(ctx, ns); err != nil {
				t.Fatal(err)
			}
			ctr := func(args ...string) string {
				t.Helper()
				out, err := dm.Ctr(ctx, append([]string{"-n", ns}, args...)...)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			// ctr marks what it prepares as a GC root; without the label
			// the snapshot is held by nothing until the next collection.
			ctr("snapshots", "prepare", "orphan-snap")
			ctr("snapshots", "label", "orphan-snap", "containerd.io/gc.root=")
			ctr("leases", "create", "--id", "old-pull", "--expires", "1ms")
			ctr("leases", "create", "--id", "old-import") // 24h, as ctr's pulls and imports
			ctr("leases", "create", "--id", "kept", "--expires", "0")
			time.Sleep(10 * time.Millisecond) // the leases' expiry passes

			cfg := backend.Config{Address: dm.Socket, Namespace: ns, Timeout: 20 * time.Second}
			nc, err := containerd.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			b := &backend.Backend{Config: cfg, Native: nc, CRIErr: backend.Errorf(backend.ErrUnsupported, "no CRI in this test")}
			defer b.Close()
			// A clock two hours ahead: old-import, created now with a day
			// to live, then looks left behind (older than an hour).
			clock := backend.Clock(func() time.Time { return time.Now().Add(2 * time.Hour) })
			d := &driver{t: t, m: New(ctx, b, Options{NoColor: true, Clock: clock}), loop: uitest.NewLoop(t)}
			d.send(tea.WindowSizeMsg{Width: 180, Height: 40})
			d.loop.Run(d.m.Init())

			d.command("snapshots")
			d.shows("snapshots", "orphan-snap")
			d.until("measured", 30*time.Second, func(m Model) bool { return !strings.Contains(body(m), "measuring") })
			s := body(d.m)
			if !strings.Contains(s, "held by nothing (:prune content collects them)") || !strings.Contains(s, "orphan: held by nothing") || !strings.Contains(s, "image localhost/test/busybox") {
				t.Fatalf(":snapshots:\n%s", s)
			}
			// A child of the image's top layer (a GC root, as ctr prepares
			// it), then t: the parent chains.
			top, err := dm.LastCommittedSnapshot(ctx, ns)
			if err != nil {
				t.Fatal(err)
			}
			ctr("snapshots", "prepare", "child-snap", top)
			d.keys("ctrl+r")
			d.until("child-snap measured", 30*time.Second, func(m Model) bool {
				return strings.Contains(body(m), "child-snap") && !strings.Contains(body(m), "measuring")
			})
			d.keys("t")
			d.until("the tree", 10*time.Second, func(m Model) bool { return strings.Contains(body(m), "└ child-snap") })
			if s := body(d.m); !strings.Contains(s, top+" ") || strings.Index(s, top+" ") > strings.Index(s, "└ child-snap") {
				t.Fatalf(":snapshots t: child-snap is not under %s:\n%s", top, s)
			}
			d.command("content")
			d.shows("content", "blobs")
			s = body(d.m)
			if !strings.Contains(s, "localhost/test/busybox") || !strings.Contains(s, "application/vnd.") || !strings.Contains(s, "layer") || !strings.Contains(s, "manifest") {
				t.Fatalf(":content:\n%s", s)
			}
			d.command("leases")
			d.shows("leases", "old-pull")
			s = body(d.m)
			if !strings.Contains(s, "2 expired or left behind") || !strings.Contains(s, "held on purpose (no expiry)") {
				t.Fatalf(":leases:\n%s", s)
			}
			d.keys("/")
			d.send(uitest.Type("old-pull")...)
			d.keys("enter")
			d.mark()
			d.keys("ctrl+d")
			d.shows("the question", "Remove lease old-pull?")
			d.keys("right", "enter")
			if j := d.idle("lease removal"); j.Err != nil {
				t.Fatal(j.Err)
			}
			// The collection --sync runs also drops expired leases.
			if out := ctr("leases", "ls"); strings.Contains(out, "old-pull") || !strings.Contains(out, "old-import") {
				t.Fatalf("ctr leases ls after ctrl+d:\n%s", out)
			}
			if es := d.m.acts.Entries(); len(es) == 0 || !strings.Contains(es[0].Command, "leases rm --sync old-pull") {
				t.Fatalf(":log %+v", es)
			}

			// That collection took the orphan snapshot: make another.
			ctr("snapshots", "prepare", "orphan-snap")
			ctr("snapshots", "label", "orphan-snap", "containerd.io/gc.root=")
			d.command("prune content")
			d.shows("the preview", "will delete 1 expired or left-behind leases, abort 0 ingests, then collect garbage (1 blobs and snapshots")
			s = body(d.m)
			if !strings.Contains(s, "lease old-import") || !strings.Contains(s, "orphan-snap") || !strings.Contains(s, "lease kept") {
				t.Fatalf("prune content preview:\n%s", s)
			}
			d.keys("ctrl+d")
			d.shows("the question", "Prune content?")
			d.keys("right", "enter")
			if j := d.idle("content prune"); j.Err != nil || !strings.Contains(j.Note, "garbage collected") {
				t.Fatalf("prune content: %v %q", j.Err, j.Note)
			}
			if out := ctr("leases", "ls"); strings.Contains(out, "old-import") || !strings.Contains(out, "kept") {
				t.Fatalf("ctr leases ls after the prune:\n%s", out)
			}
			if out := ctr("snapshots", "ls"); strings.Contains(out, "orphan-snap") {
				t.Fatalf("ctr snapshots ls after the prune's GC:\n%s", out)
			}
		})
	}
}
