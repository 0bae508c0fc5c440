package containerd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/image-spec/identity"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
	ctd "github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// Disk usage and prunes against real daemons, checked with ctr: sizes of
// images sharing layers against ctr's content and snapshot usage, a pull
// killed mid-way (its lease and ingest shown, then pruned), an image prune
// that keeps what is used, pinned or the sandbox image and skips what gained
// a container since the preview, prunes while a pull runs, statfs against df.

type diskEnv struct {
	reg             *testreg.Registry
	bigTar, sharTar string
	pullTar         string // an image no other test imports, for the pulls
}

func TestDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("starts daemons and a registry")
	}
	dir := t.TempDir()
	env := &diskEnv{reg: testreg.New(t, testreg.Options{}), bigTar: filepath.Join(dir, "big.tar"), sharTar: filepath.Join(dir, "shar.tar")}
	if err := testbed.WriteSizedImage(env.bigTar, "localhost/test/diskbig:v1", 2, 8<<20); err != nil {
		t.Fatal(err)
	}
	env.pullTar = filepath.Join(dir, "pull.tar")
	if err := testbed.WriteSizedImage(env.pullTar, "localhost/test/pullme:v1", 2, 4<<20); err != nil {
		t.Fatal(err)
	}
	if err := testbed.WriteSizedImage(env.sharTar, "localhost/test/unused:v1", 1, 1<<20); err != nil {
		t.Fatal(err)
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testDisk(t, v, env)
		})
	}
}

type diskFixture struct {
	d   *testbed.Daemon
	c   *ctd.Client
	cri *cri.Client
}

func (f *diskFixture) ctr(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, f.d.CtrPath, append([]string{"--address", f.d.Socket}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ctr %s: %v: %s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

func (f *diskFixture) importTar(t *testing.T, ctx context.Context, ns, path string) {
	t.Helper()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := f.d.ImportTar(ctx, ns, r); err != nil {
		t.Fatal(err)
	}
}

// measure is the report with every snapshot measured, as the pages and
// the prune previews measure them (backend.MeasureSnapshots).
func (f *diskFixture) measure(t *testing.T, ctx context.Context, ns string, now time.Time) (backend.DiskInventory, backend.DiskReport, map[backend.SnapshotRef]backend.DiskUsage) {
	t.Helper()
	inv, err := f.c.DiskInventory(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	usage, err := backend.MeasureSnapshots(ctx, f.c, ns, inv.Snapshots)
	if err != nil {
		t.Fatal(err)
	}
	return inv, inv.Analyze(usage, now, time.Hour), usage
}

func testDisk(t *testing.T, v testbed.Version, env *diskEnv) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	d := testbed.Start(t, v)
	c, err := ctd.New(ctx, backend.Config{Address: d.Socket, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rt, err := cri.New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, ImageEndpoint: d.Endpoint, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	f := &diskFixture{d: d, c: c, cri: rt}
	t.Run("SharedLayers", func(t *testing.T) { diskSharedLayers(ctx, t, f, env) })
	t.Run("Statfs", func(t *testing.T) { diskStatfs(ctx, t, f) })
	t.Run("PruneImages", func(t *testing.T) { diskPruneImages(ctx, t, f, env) })
	t.Run("InterruptedPull", func(t *testing.T) { diskInterruptedPull(ctx, t, f, env) })
	t.Run("MediaTypes", func(t *testing.T) { diskMediaTypes(ctx, t, f) })
	t.Run("PruneContainers", func(t *testing.T) { diskPruneContainers(ctx, t, f) })
	t.Run("SnapshotTree", func(t *testing.T) { diskSnapshotTree(ctx, t, f) })
}

// ctrUsage is `ctr snapshots usage -b` of a namespace: key -> bytes.
func (f *diskFixture) ctrUsage(t *testing.T, ctx context.Context, ns string) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(f.ctr(t, ctx, "-n", ns, "snapshots", "usage", "-b"), "\n")[1:] {
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		n, err := strconv.ParseInt(fs[1], 10, 64)
		if err != nil {
			t.Fatalf("ctr snapshots usage line %q: %v", line, err)
		}
		out[fs[0]] = n
	}
	return out
}

// blob is a blob read back with `ctr content get`: its exact size and bytes.
func (f *diskFixture) blob(t *testing.T, ctx context.Context, ns, dgst string) []byte {
	return []byte(f.ctr(t, ctx, "-n", ns, "content", "get", dgst))
}

// expectedImage computes, from ctr alone, the blobs and committed snapshots
// of an image: its manifest, config and layers as `ctr content get` gives
// them, and its layers' chain ids as snapshot keys.
func (f *diskFixture) expectedImage(t *testing.T, ctx context.Context, ns, ref string) (blobs map[string]int64, snaps []string) {
	t.Helper()
	fs := strings.Fields(f.ctr(t, ctx, "-n", ns, "images", "ls", "name=="+ref))
	// REF TYPE DIGEST ...: the digest is the third field of the second line.
	if len(fs) < 9 {
		t.Fatalf("ctr images ls %s: %v", ref, fs)
	}
	target := fs[8]
	blobs = map[string]int64{}
	mb := f.blob(t, ctx, ns, target)
	blobs[target] = int64(len(mb))
	var m ocispec.Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	cb := f.blob(t, ctx, ns, m.Config.Digest.String())
	blobs[m.Config.Digest.String()] = int64(len(cb))
	for _, l := range m.Layers {
		blobs[l.Digest.String()] = l.Size
	}
	var cfg ocispec.Image
	if err := json.Unmarshal(cb, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, id := range identity.ChainIDs(slices.Clone(cfg.RootFS.DiffIDs)) {
		snaps = append(snaps, id.String())
	}
	return blobs, snaps
}

func diskSharedLayers(ctx context.Context, t *testing.T, f *diskFixture, env *diskEnv) {
	const ns = "du"
	if err := f.d.ImportTestImages(ctx, ns); err != nil {
		t.Fatal(err)
	}
	f.importTar(t, ctx, ns, env.bigTar)
	f.ctr(t, ctx, "-n", ns, "images", "tag", "localhost/test/diskbig:v1", "localhost/test/diskbig:alias")
	// A task that writes 2 MiB into its writable layer, then waits.
	if err := f.d.RunTask(ctx, ns, "writer", testbed.BusyboxImage, "", "sh", "-c", "dd if=/dev/zero of=/fill bs=1024 count=2048 && touch /done && sleep 100000"); err != nil {
		t.Fatal(err)
	}
	ctrUse := map[string]int64{}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ctrUse = f.ctrUsage(t, ctx, ns)
		if ctrUse["writer"] >= 2<<20 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// What an import writes beside the images (the index it builds from
	// the archive) is held by its lease only until the import ends; 2.x
	// collects it at its own pace. One synchronous collection first, as
	// `ctr leases rm --sync` runs one.
	f.ctr(t, ctx, "-n", ns, "leases", "rm", "--sync", strings.TrimSpace(f.ctr(t, ctx, "-n", ns, "leases", "create")))
	_, rep, _ := f.measure(t, ctx, ns, time.Now())
	if n := f.ctrUsage(t, ctx, ns)["writer"]; n != ctrUse["writer"] {
		t.Fatalf("the writable layer moved during the test: %d then %d", ctrUse["writer"], n)
	}

	want := map[string]struct {
		blobs map[string]int64
		snaps []string
	}{}
	holders := map[string]int{}
	for _, ref := range []string{testbed.BusyboxImage, testbed.PauseImage, "localhost/test/diskbig:v1"} {
		b, s := f.expectedImage(t, ctx, ns, ref)
		want[ref] = struct {
			blobs map[string]int64
			snaps []string
		}{b, s}
		for d := range b {
			holders[d]++
		}
		for _, k := range s {
			holders["snap:"+k]++
		}
	}
	for ref, w := range want {
		var unique, shared int64
		for d, n := range w.blobs {
			if holders[d] == 1 {
				unique += n
			} else {
				shared += n
			}
		}
		for _, k := range w.snaps {
			n, ok := ctrUse[k]
			if !ok {
				t.Fatalf("ctr snapshots usage has no %s (of %s): %v", k, ref, ctrUse)
			}
			if holders["snap:"+k] == 1 {
				unique += n
			} else {
				shared += n
			}
		}
		got, ok := rep.Image(ref)
		if !ok {
			t.Fatalf("no usage for %s in %+v", ref, rep.Images)
		}
		if got.Unique != unique || got.Shared != shared || got.Partial {
			t.Errorf("%s: unique %d shared %d partial %v, ctr says unique %d shared %d", ref, got.Unique, got.Shared, got.Partial, unique, shared)
		}
		if shared == 0 {
			t.Errorf("%s shares nothing: the test images should share the busybox layer", ref)
		}
		if ref == "localhost/test/diskbig:v1" && !slices.Contains(got.Names, "localhost/test/diskbig:alias") {
			t.Errorf("names of %s: %v, want the alias too", ref, got.Names)
		}
	}
	if len(rep.Images) != 3 {
		t.Errorf("%d image targets, want 3: %+v", len(rep.Images), rep.Images)
	}
	// Biggest unique first: the 16 MiB image.
	if rep.Images[0].Names[0] != "localhost/test/diskbig:alias" {
		t.Errorf("first image %v, want diskbig", rep.Images[0].Names)
	}
	var wr *backend.ContainerUsage
	for i := range rep.Containers {
		if rep.Containers[i].ID == "writer" {
			wr = &rep.Containers[i]
		}
	}
	if wr == nil || !wr.Usage.Known || wr.Usage.Size != ctrUse["writer"] {
		t.Errorf("writable layer of writer: %+v, ctr says %d", wr, ctrUse["writer"])
	}
	// Every snapshot is held: by an image, a container, or as a parent.
	for _, s := range rep.Snapshots {
		if s.Orphan() {
			t.Errorf("snapshot %s reported as held by nothing", s.Key)
		}
		if s.Usage.Size != ctrUse[s.Key] {
			t.Errorf("snapshot %s: usage %d, ctr says %d", s.Key, s.Usage.Size, ctrUse[s.Key])
		}
	}
	for _, b := range rep.Content {
		if b.Unreferenced() {
			t.Errorf("blob %s reported as unreferenced", b.Digest)
		}
	}
}

func diskStatfs(ctx context.Context, t *testing.T, f *diskFixture) {
	roots, err := f.c.ContainerdRoots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var content string
	for _, r := range roots {
		if r.What == "content" {
			content = r.Path
		}
	}
	if !strings.HasPrefix(content, f.d.Dir) {
		t.Fatalf("content root %q (roots %+v), want under %s", content, roots, f.d.Dir)
	}
	ds, err := backend.Statfs(content)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "df", "-B1", "--output=size,used,avail,itotal", content).Output()
	if err != nil {
		t.Fatal(err)
	}
	fs := strings.Fields(string(out))
	if len(fs) != 8 {
		t.Fatalf("df: %q", out)
	}
	num := func(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }
	if num(fs[4]) != ds.Total || num(fs[7]) != ds.Inodes {
		t.Errorf("statfs total %d inodes %d, df says %s and %s", ds.Total, ds.Inodes, fs[4], fs[7])
	}
	// Used and available move as other tests write; within 64 MiB.
	near := func(a, b uint64) bool { return max(a, b)-min(a, b) <= 64<<20 }
	if !near(num(fs[5]), ds.Used) || !near(num(fs[6]), ds.Avail) {
		t.Errorf("statfs used %d avail %d, df says %s and %s", ds.Used, ds.Avail, fs[5], fs[6])
	}
}

func diskPruneImages(ctx context.Context, t *testing.T, f *diskFixture, env *diskEnv) {
	ns := backend.CRINamespace
	if err := f.d.ImportTestImages(ctx, ns); err != nil {
		t.Fatal(err)
	}
	f.importTar(t, ctx, ns, env.sharTar)
	f.importTar(t, ctx, ns, env.bigTar)
	f.ctr(t, ctx, "-n", ns, "images", "tag", "localhost/test/diskbig:v1", "localhost/test/pinned:v1")
	f.ctr(t, ctx, "-n", ns, "images", "rm", "localhost/test/diskbig:v1")
	f.ctr(t, ctx, "-n", ns, "images", "label", "localhost/test/pinned:v1", backend.LabelCRIPinned+"="+backend.LabelCRIPinnedValue)
	// A stopped container (no task) that uses busybox:latest.
	f.ctr(t, ctx, "-n", ns, "containers", "create", testbed.BusyboxImage, "stopped-user")
	// A second unused image, which gains a container between the plan
	// and the prune.
	f.ctr(t, ctx, "-n", ns, "images", "tag", "localhost/test/unused:v1", "localhost/test/racer:v1")
	f.ctr(t, ctx, "-n", ns, "images", "label", "localhost/test/racer:v1", "differ=yes")

	inv, rep, _ := f.measure(t, ctx, ns, time.Now())
	criImgs, err := f.cri.Images(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.cri.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	facts := backend.ImagePruneFacts{CRIImages: criImgs, SandboxImage: backend.ParseCRIConfig(st.Info).SandboxImage}
	plan := backend.PlanImagePrune(inv, rep, facts)
	var removed []string
	for _, r := range plan.Remove {
		removed = append(removed, r.Names...)
	}
	slices.Sort(removed)
	// unused and racer share their target, so they are one image (with
	// the sha256:<config> name CRI gives it).
	removed = slices.DeleteFunc(removed, func(n string) bool { return strings.HasPrefix(n, "sha256:") })
	if len(plan.Remove) != 1 || !slices.Equal(removed, []string{"localhost/test/racer:v1", "localhost/test/unused:v1"}) {
		t.Fatalf("plan removes %v, want unused and racer; keeps %+v", removed, plan.Keep)
	}
	reasons := map[string]string{}
	for _, k := range plan.Keep {
		for _, n := range k.Names {
			reasons[n] = k.Reason
		}
	}
	for name, want := range map[string]string{
		testbed.BusyboxImage:       "used by container stopped-user (no task)",
		testbed.PauseImage:         "", // pinned by CRI (2.x) or the sandbox image (1.6)
		"localhost/test/pinned:v1": "labelled " + backend.LabelCRIPinned,
	} {
		got, ok := reasons[name]
		if want == "labelled "+backend.LabelCRIPinned && got == "pinned by CRI" {
			continue // 2.x's CRI reads the label itself
		}
		if !ok || !strings.Contains(got, want) {
			t.Errorf("keep %s: reason %q, want %q", name, got, want)
		}
	}
	if r := reasons[testbed.PauseImage]; r != "pinned by CRI" && r != "the pod sandbox image" {
		t.Errorf("the sandbox image is kept for %q", r)
	}
	// Reclaim: the unused image's own config, manifest and random layer and
	// its top snapshot; the busybox layer stays with the others.
	blobs, snaps := f.expectedImage(t, ctx, ns, "localhost/test/unused:v1")
	use := f.ctrUsage(t, ctx, ns)
	bb, _ := f.expectedImage(t, ctx, ns, testbed.BusyboxImage)
	var want int64
	for d, n := range blobs {
		if _, shared := bb[d]; !shared {
			want += n
		}
	}
	want += use[snaps[len(snaps)-1]]
	if plan.Reclaim != want || plan.Partial {
		t.Errorf("plan reclaims %d (partial %v), ctr's sizes say %d", plan.Reclaim, plan.Partial, want)
	}

	// The race: racer gains a container after the preview.
	f.ctr(t, ctx, "-n", ns, "containers", "create", "localhost/test/racer:v1", "late-user")
	res, err := f.c.PruneImages(ctx, ns, plan.Remove)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 0 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "late-user") {
		t.Errorf("prune with a late user: %+v, want the image skipped naming late-user", res)
	}
	f.ctr(t, ctx, "-n", ns, "containers", "rm", "late-user")

	inv, rep, _ = f.measure(t, ctx, ns, time.Now())
	plan = backend.PlanImagePrune(inv, rep, facts)
	res, err = f.c.PruneImages(ctx, ns, plan.Remove)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != len(plan.Remove[0].Names) || !res.GC {
		t.Errorf("prune: %+v, want two names removed and a GC", res)
	}
	left := strings.Fields(f.ctr(t, ctx, "-n", ns, "images", "ls", "-q"))
	for _, n := range []string{testbed.BusyboxImage, testbed.PauseImage, "localhost/test/pinned:v1"} {
		if !slices.Contains(left, n) {
			t.Errorf("%s was removed; images left %v", n, left)
		}
	}
	if slices.Contains(left, "localhost/test/unused:v1") {
		t.Errorf("unused image still there: %v", left)
	}
	contentLeft := f.ctr(t, ctx, "-n", ns, "content", "ls", "-q")
	for d := range blobs {
		if _, shared := bb[d]; !shared && strings.Contains(contentLeft, d) {
			t.Errorf("blob %s of the pruned image still in the content store after the synchronous GC", d)
		}
	}
	if use := f.ctrUsage(t, ctx, ns); use[snaps[len(snaps)-1]] != 0 {
		if _, ok := use[snaps[len(snaps)-1]]; ok {
			t.Errorf("snapshot %s of the pruned image still there", snaps[len(snaps)-1])
		}
	}
}

// pushBig puts the big image into the registry with ctr, and drops it from
// the daemon, so pulls of it really download.
func (f *diskFixture) pushBig(t *testing.T, ctx context.Context, env *diskEnv, repo string) string {
	f.importTar(t, ctx, "seed", env.pullTar)
	ref := env.reg.Ref(repo, "v1")
	f.ctr(t, ctx, "-n", "seed", "images", "tag", "localhost/test/pullme:v1", ref)
	f.ctr(t, ctx, "-n", "seed", "images", "push", "--plain-http", ref)
	f.ctr(t, ctx, "-n", "seed", "images", "rm", "--sync", "localhost/test/pullme:v1", ref)
	return ref
}

func diskInterruptedPull(ctx context.Context, t *testing.T, f *diskFixture, env *diskEnv) {
	const ns = "pulls"
	repo := "disk" + strings.ReplaceAll(string(f.d.Version), ".", "")
	ref := f.pushBig(t, ctx, env, repo)
	slow := slowProxy(t, env.reg.URL, 512<<10)
	slowRef := slow + "/" + repo + ":v1"

	// ctr pull, killed once a layer is on its way: its lease and ingest stay.
	cmd := exec.CommandContext(ctx, f.d.CtrPath, "--address", f.d.Socket, "-n", ns, "images", "pull", "--plain-http", slowRef)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var pullOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &pullOut, &pullOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitIngest := func() {
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			inv, err := f.c.DiskInventory(ctx, ns)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range inv.Ingests {
				if strings.HasPrefix(in.Ref, "layer-") && in.Offset > 0 {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		inv, _ := f.c.DiskInventory(ctx, ns)
		t.Fatalf("no layer download started within a minute; ingests %+v; ctr pull said %s", inv.Ingests, pullOut.String())
	}
	waitIngest()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	inv, err := f.c.DiskInventory(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Leases) != 1 || len(inv.Ingests) == 0 {
		t.Fatalf("after a killed pull: leases %+v ingests %+v, want one lease and an ingest", inv.Leases, inv.Ingests)
	}
	lease := inv.Leases[0].ID
	if !strings.Contains(f.ctr(t, ctx, "-n", ns, "leases", "ls"), lease) {
		t.Fatalf("ctr leases ls does not list %s", lease)
	}
	// Now: the lease is fresh, held, and a content prune leaves it.
	rep := inv.Analyze(nil, time.Now(), time.Hour)
	if rep.Leases[0].Stale || rep.Leases[0].Expired || len(rep.Leases[0].Ingests) == 0 || rep.Leases[0].Size <= 0 {
		t.Errorf("fresh lease: %+v, want not stale, holding an ingest", rep.Leases[0])
	}
	if p := backend.PlanContentPrune(rep, time.Now(), time.Hour); len(p.Leases) != 0 {
		t.Errorf("a content prune now would remove %+v", p.Leases)
	}
	// Two hours on (an injected clock), it is stale and the prune takes it.
	later := time.Now().Add(2 * time.Hour)
	rep = inv.Analyze(nil, later, time.Hour)
	if !rep.Leases[0].Stale {
		t.Fatalf("two hours later the lease is not stale: %+v", rep.Leases[0])
	}
	plan := backend.PlanContentPrune(rep, later, time.Hour)
	if len(plan.Leases) != 1 || plan.Leases[0].ID != lease || plan.Reclaim <= 0 {
		t.Fatalf("plan %+v, want lease %s with something to reclaim", plan, lease)
	}
	res, err := f.c.PruneContent(ctx, ns, plan, later)
	if err != nil {
		t.Fatal(err)
	}
	if !res.GC || len(res.Failed) != 0 {
		t.Errorf("prune content: %+v", res)
	}
	if out := f.ctr(t, ctx, "-n", ns, "leases", "ls"); strings.Contains(out, lease) {
		t.Errorf("lease still there:\n%s", out)
	}
	if out := strings.TrimSpace(f.ctr(t, ctx, "-n", ns, "content", "active")); strings.Count(out, "\n") > 0 {
		t.Errorf("ingests still there:\n%s", out)
	}

	// A prune while a pull runs: the pull's lease is fresh, so neither the
	// content prune nor the image prune touches what it fetched.
	pulled := make(chan error, 1)
	go func() {
		_, err := f.c.PullImage(ctx, ns, backend.PullOptions{Ref: slow + "/" + repo + ":v1", Registry: backend.RegistryOptions{PlainHTTP: true, HostsDirs: []string{t.TempDir()}}}, nil)
		pulled <- err
	}()
	waitIngest()
	now := time.Now()
	inv, rep, _ = f.measure(t, ctx, ns, now)
	cplan := backend.PlanContentPrune(rep, now, time.Hour)
	if len(cplan.Leases) != 0 {
		t.Errorf("content prune during a pull plans %+v", cplan.Leases)
	}
	if _, err := f.c.PruneContent(ctx, ns, cplan, now); err != nil {
		t.Fatal(err)
	}
	iplan := backend.PlanImagePrune(inv, rep, backend.ImagePruneFacts{})
	if _, err := f.c.PruneImages(ctx, ns, iplan.Remove); err != nil {
		t.Fatal(err)
	}
	if err := <-pulled; err != nil {
		t.Fatalf("the pull failed after the prunes ran beside it: %v", err)
	}
	check := f.ctr(t, ctx, "-n", ns, "images", "check", "name=="+slowRef)
	if !strings.Contains(check, "complete") {
		t.Errorf("ctr images check after the pull: %s", check)
	}
	_ = ref
}
