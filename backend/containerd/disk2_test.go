package containerd_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
)

// More of the disk against real daemons, each checked with ctr: a container
// prune planned and carried out (native ones with ctr's rm, CRI ones with
// crictl's, running ones and those younger than the age kept), the media
// types of the content walked from the images, and the snapshot tree in
// `ctr snapshots tree`'s order.

// diskPruneContainers plans and runs `:prune containers` in a native
// namespace and in k8s.io; ctr lists what is left.
func diskPruneContainers(ctx context.Context, t *testing.T, f *diskFixture) {
	const nsNative = "prunec"
	if err := f.d.RunTask(ctx, nsNative, "running", testbed.BusyboxImage, "", "sleep", "100000"); err != nil {
		t.Fatal(err)
	}
	if err := f.d.RunTask(ctx, nsNative, "exited", testbed.BusyboxImage, "", "true"); err != nil {
		t.Fatal(err)
	}
	f.ctr(t, ctx, "-n", nsNative, "containers", "create", testbed.BusyboxImage, "notask")
	// Wait (generously) for the exited one's task to read STOPPED.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if strings.Contains(f.ctr(t, ctx, "-n", nsNative, "tasks", "ls"), "STOPPED") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task exited never stopped: %s", f.ctr(t, ctx, "-n", nsNative, "tasks", "ls"))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// CRI: an old exited container, a younger exited one, a running one.
	// "Old" and "young" are against a clock set between their exits, so
	// the test reads no real clock.
	run := func(name string, spec testbed.PodSpec) string {
		t.Helper()
		_, ids, err := f.d.RunPod(ctx, spec)
		if err != nil || len(ids) != 1 {
			t.Fatalf("pod %s: %v %v", name, ids, err)
		}
		return ids[0]
	}
	old := run("old", testbed.CrashLoopPod("prune-old"))
	if _, err := f.d.WaitContainerExit(ctx, old); err != nil {
		t.Fatal(err)
	}
	young := run("young", testbed.CrashLoopPod("prune-young"))
	if _, err := f.d.WaitContainerExit(ctx, young); err != nil {
		t.Fatal(err)
	}
	running := run("running", testbed.LoggingPod("prune-running"))
	pods, err := f.cri.PodContainers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	finished := map[string]time.Time{}
	for _, p := range pods {
		finished[p.ID] = p.FinishedAt
	}
	gap := finished[young].Sub(finished[old])
	if gap <= 0 {
		t.Fatalf("young exited at %v, not after old at %v", finished[young], finished[old])
	}
	now, minAge := finished[young].Add(gap/4), gap/2

	// Native namespace.
	inv, rep, _ := f.measure(t, ctx, nsNative, now)
	plan := backend.PlanContainerPrune(inv, rep, nil, now, minAge)
	var ids []string
	for _, c := range plan.Remove {
		ids = append(ids, c.ID)
		if c.CRI {
			t.Errorf("native container %s planned through CRI", c.ID)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"exited", "notask"}) {
		t.Fatalf("native plan removes %v, want exited and notask (running kept)", ids)
	}
	res, err := backend.PruneContainers(ctx, f.c, f.cri, plan.Remove)
	if err != nil || len(res.Removed) != 2 || len(res.Failed)+len(res.Skipped) != 0 {
		t.Fatalf("native prune: %+v %v", res, err)
	}
	if left := strings.Fields(f.ctr(t, ctx, "-n", nsNative, "containers", "ls", "-q")); !slices.Equal(left, []string{"running"}) {
		t.Errorf("ctr lists %v after the prune, want only running", left)
	}

	// k8s.io: CRI ones through CRI.
	ns := backend.CRINamespace
	inv, rep, _ = f.measure(t, ctx, ns, now)
	plan = backend.PlanContainerPrune(inv, rep, pods, now, minAge)
	var cri []string
	for _, c := range plan.Remove {
		if c.CRI {
			cri = append(cri, c.ID)
		}
		if c.ID == young || c.ID == running {
			t.Errorf("plan removes %s (%s)", c.ID, c.Name)
		}
	}
	if !slices.Equal(cri, []string{old}) {
		t.Fatalf("CRI plan removes %v, want only the old exited container %s", cri, old)
	}
	kept := false
	for _, k := range plan.Keep {
		kept = kept || strings.Contains(k.What, young[:12]) && strings.Contains(k.Reason, "less than "+minAge.String())
	}
	if !kept {
		t.Errorf("the young exited container is not kept for its age: %+v", plan.Keep)
	}
	res, err = backend.PruneContainers(ctx, f.c, f.cri, plan.Remove)
	if err != nil || len(res.Failed)+len(res.Skipped) != 0 || !slices.Contains(res.Removed, "container crasher ("+old[:13]+")") {
		t.Fatalf("k8s.io prune: %+v %v", res, err)
	}
	left := f.ctr(t, ctx, "-n", ns, "containers", "ls", "-q")
	if strings.Contains(left, old) {
		t.Errorf("ctr still lists the pruned CRI container %s", old)
	}
	for _, id := range []string{young, running} {
		if !strings.Contains(left, id) {
			t.Errorf("ctr no longer lists %s, which the prune had to keep", id)
		}
	}
	// CRI agrees: crictl ps -a would not show it.
	pods, err = f.cri.PodContainers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods {
		if p.ID == old {
			t.Errorf("CRI still lists the pruned container %s", old)
		}
	}
}

// diskMediaTypes checks ContentMediaTypes against the images' own
// manifests as `ctr content get` prints them, and what :content reports.
func diskMediaTypes(ctx context.Context, t *testing.T, f *diskFixture) {
	const ns = "du"
	types, err := f.c.ContentMediaTypes(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var visit func(mt, dgst string)
	visit = func(mt, dgst string) {
		want[dgst] = mt
		switch mt {
		case ocispec.MediaTypeImageIndex, "application/vnd.docker.distribution.manifest.list.v2+json":
			var idx ocispec.Index
			if err := json.Unmarshal(f.blob(t, ctx, ns, dgst), &idx); err != nil {
				t.Fatal(err)
			}
			for _, m := range idx.Manifests {
				visit(m.MediaType, m.Digest.String())
			}
		case ocispec.MediaTypeImageManifest, "application/vnd.docker.distribution.manifest.v2+json":
			var m ocispec.Manifest
			if err := json.Unmarshal(f.blob(t, ctx, ns, dgst), &m); err != nil {
				t.Fatal(err)
			}
			want[m.Config.Digest.String()] = m.Config.MediaType
			for _, l := range m.Layers {
				want[l.Digest.String()] = l.MediaType
			}
		}
	}
	// ctr images ls: REF TYPE DIGEST ...
	for _, line := range strings.Split(f.ctr(t, ctx, "-n", ns, "images", "ls"), "\n")[1:] {
		fs := strings.Fields(line)
		if len(fs) >= 3 {
			visit(fs[1], fs[2])
		}
	}
	if len(want) < 4 {
		t.Fatalf("ctr shows too little to compare: %v", want)
	}
	for d, mt := range want {
		if types[d] != mt {
			t.Errorf("media type of %s: %q, ctr's manifests say %q", d, types[d], mt)
		}
	}
	inv, err := f.c.DiskInventory(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	inv.MediaTypes = types
	rep := inv.Analyze(nil, time.Now(), time.Hour)
	for _, b := range rep.Content {
		if mt, ok := want[b.Digest]; ok && b.MediaType != mt {
			t.Errorf(":content says %s is %q, want %q", b.Digest, b.MediaType, mt)
		}
		if _, ok := want[b.Digest]; !ok && b.MediaType != "" && len(b.Images) == 0 {
			t.Errorf(":content gives %s, which no image reaches, the media type %q", b.Digest, b.MediaType)
		}
	}
}

// diskSnapshotTree draws backend.SnapshotTree as ctr does and compares it
// with `ctr snapshots tree`, line for line.
func diskSnapshotTree(ctx context.Context, t *testing.T, f *diskFixture) {
	for _, ns := range []string{"du", backend.CRINamespace} {
		inv, rep, _ := f.measure(t, ctx, ns, time.Now())
		for _, sn := range inv.Snapshotters {
			var got []string
			for _, n := range backend.SnapshotTree(rep.Snapshots) {
				if n.Snapshotter != sn {
					continue
				}
				prefix := strings.Repeat("  ", n.Depth)
				if n.Depth > 0 {
					prefix += "\\_"
				}
				got = append(got, prefix+" "+n.Key)
			}
			want := strings.Split(strings.TrimRight(f.ctr(t, ctx, "-n", ns, "snapshots", "--snapshotter", sn, "tree"), "\n"), "\n")
			if len(got) < 3 || !slices.Equal(got, want) {
				t.Errorf("namespace %s, snapshotter %s: tree\n%s\nctr snapshots tree:\n%s", ns, sn, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}
