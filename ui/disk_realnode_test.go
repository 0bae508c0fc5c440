package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/ui/du"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/prune"
)

// countingClient is the real adapter, counting the usages asked of active
// snapshots (containers' writable layers, never cached).
type countingClient struct {
	*containerd.Client
	active atomic.Int64
}

func (c *countingClient) SnapshotUsage(ctx context.Context, ns string, ref backend.SnapshotRef, kind backend.SnapshotKind) (backend.DiskUsage, error) {
	if kind != backend.SnapshotCommitted {
		c.active.Add(1)
	}
	return c.Client.SnapshotUsage(ctx, ns, ref, kind)
}

// TestDiskOnRealDaemons walks :du and :prune images through the preview and
// its confirmation on containerd 1.6 and 2.x: the filesystem line and the
// images' unique sizes, then a prune that removes the unused image, keeps
// the one a stopped container uses and the sandbox image, and logs ctr's
// command with what statfs says it freed.
func TestDiskOnRealDaemons(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	tarPath := filepath.Join(t.TempDir(), "unused.tar")
	if err := testbed.WriteSizedImage(tarPath, "localhost/test/unused:v1", 1, 2<<20); err != nil {
		t.Fatal(err)
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			dm := testbed.Start(t, v)
			ns := backend.CRINamespace
			if err := dm.ImportTestImages(ctx, ns); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(tarPath)
			if err != nil {
				t.Fatal(err)
			}
			_, err = dm.ImportTar(ctx, ns, f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dm.Ctr(ctx, "-n", ns, "containers", "create", testbed.BusyboxImage, "stopped-user"); err != nil {
				t.Fatal(err)
			}
			cfg := backend.Config{Address: dm.Socket, RuntimeEndpoint: dm.Endpoint, Namespace: ns, Timeout: 20 * time.Second}
			nc, err := containerd.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := cri.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			counted := &countingClient{Client: nc}
			b := &backend.Backend{Config: cfg, Native: counted, CRI: rc}
			defer b.Close()
			d := &driver{t: t, m: New(ctx, b, Options{NoColor: true}), loop: uitest.NewLoop(t)}
			d.send(tea.WindowSizeMsg{Width: 160, Height: 40})
			d.loop.Run(d.m.Init())

			d.command("du")
			d.shows("the filesystem line", "image filesystem")
			d.shows("measured", "snapshots measured")
			s := body(d.m)
			for _, want := range []string{"disk ", "% used", "free", "localhost/test/unused:v1", "container", "stopped-user", "snapshot", "overlayfs/"} {
				if !strings.Contains(s, want) {
					t.Fatalf(":du lacks %q:\n%s", want, s)
				}
			}
			top, ok := d.m.pages[len(d.m.pages)-1].p.(du.Model)
			if !ok {
				t.Fatalf("top page is %T", d.m.pages[len(d.m.pages)-1].p)
			}
			iu, ok := top.Report().Image("localhost/test/unused:v1")
			if !ok || iu.Unique < 2<<20 || iu.Partial {
				t.Fatalf("unused image's usage %+v", iu)
			}

			counted.active.Store(0)
			d.command("prune images")
			d.shows("the preview", "will remove 1 images")
			// The preview frees what :du called the image's unique size, and
			// measured no container's writable layer to say so (the images'
			// own snapshots are committed: the adapter has them from :du).
			pv, ok := d.m.pages[len(d.m.pages)-1].p.(prune.Model)
			if !ok {
				t.Fatalf("top page is %T", d.m.pages[len(d.m.pages)-1].p)
			}
			if plan, _ := pv.Plan(); plan.Images.Reclaim != iu.Unique || plan.Images.Partial {
				t.Fatalf("preview frees %d (partial %v), :du said %d unique", plan.Images.Reclaim, plan.Images.Partial, iu.Unique)
			}
			if n := counted.active.Load(); n != 0 {
				t.Fatalf("the image prune's preview measured %d active snapshots", n)
			}
			s = body(d.m)
			for _, want := range []string{"localhost/test/unused:v1", "remove", "keep", "used by container stopped-user", testbed.PauseImage} {
				if !strings.Contains(s, want) {
					t.Fatalf("preview lacks %q:\n%s", want, s)
				}
			}
			d.mark()
			d.keys("ctrl+d")
			d.shows("the question", "Prune images?")
			// Cancel is focused: enter cancels.
			d.keys("enter")
			d.until("canceled", 30*time.Second, func(m Model) bool { return strings.Contains(m.flash.Text(), "canceled; nothing was removed") })
			if out, _ := dm.Ctr(ctx, "-n", ns, "images", "ls", "-q"); !strings.Contains(out, "localhost/test/unused:v1") {
				t.Fatalf("canceled prune removed the image:\n%s", out)
			}
			d.keys("ctrl+d", "right", "enter")
			j := d.idle("the prune job")
			if j.Err != nil || !strings.Contains(j.Note, "freed") {
				t.Fatalf("prune job: err %v note %q", j.Err, j.Note)
			}
			out, _ := dm.Ctr(ctx, "-n", ns, "images", "ls", "-q")
			left := strings.Fields(out)
			if slices.Contains(left, "localhost/test/unused:v1") || !slices.Contains(left, testbed.BusyboxImage) || !slices.Contains(left, testbed.PauseImage) {
				t.Fatalf("after the prune: %v", left)
			}
			es := d.m.acts.Entries()
			if len(es) == 0 || !strings.Contains(es[0].Command, "images rm --sync") || !strings.Contains(es[0].Command, "localhost/test/unused:v1") {
				t.Fatalf(":log %+v", es)
			}
			if _, ok := d.m.pages[len(d.m.pages)-1].p.(prune.Model); !ok {
				t.Fatalf("top page is %T", d.m.pages[len(d.m.pages)-1].p)
			}
			d.shows("re-planned", "nothing to prune")
		})
	}
}
