package containerd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// The adapter against real daemons, one of each version shared by the
// cases, with ctr (the one matching the daemon) as the reference for what
// each list must say.
func TestAgainstContainerd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			d := testbed.Start(t, v)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, ns := range []string{"default", backend.CRINamespace} {
				if err := d.ImportTestImages(ctx, ns); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("containerd %s: daemon up with images in %v", v, time.Since(start).Round(time.Millisecond))
			tb := &bed{d: d, c: c}
			for _, tc := range []struct {
				name string
				run  func(context.Context, *testing.T, *bed)
			}{
				{"version", testVersion},
				{"namespaces", testNamespaces},
				{"images", testImages},
				{"image details", testImageDetails},
				{"image details with missing content", testImageDetailsMissingContent},
				{"containers and tasks", testContainers},
				{"pod containers", testPodContainers},
				{"events", testEvents},
			} {
				t.Run(tc.name, func(t *testing.T) {
					start := time.Now()
					tc.run(ctx, t, tb)
					t.Logf("%s on %s: %v", tc.name, v, time.Since(start).Round(time.Millisecond))
				})
			}
		})
	}
}

type bed struct {
	d *testbed.Daemon
	c *Client
}

func (b *bed) ctr(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	out, err := b.d.Ctr(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testVersion(ctx context.Context, t *testing.T, b *bed) {
	v, err := b.c.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// ctr version prints "Server:" then "  Version:  <v>".
	out := b.ctr(ctx, t, "version")
	_, server, _ := strings.Cut(out, "Server:")
	if !strings.Contains(server, "Version:  "+v.Version+"\n") || !strings.Contains(server, "Revision: "+v.Revision+"\n") {
		t.Errorf("Version() = %+v; ctr version says:\n%s", v, out)
	}
	prefix := map[testbed.Version]string{testbed.V16: "1.6.", testbed.V2: "2."}[b.d.Version]
	if !strings.HasPrefix(strings.TrimPrefix(v.Version, "v"), prefix) {
		t.Errorf("version %q from a containerd %s", v.Version, b.d.Version)
	}
}

func testNamespaces(ctx context.Context, t *testing.T, b *bed) {
	b.ctr(ctx, t, "namespaces", "create", "labelled", "team=node", "tier=infra")
	got, err := b.c.Namespaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range got {
		names = append(names, n.Name)
		if n.Name == "labelled" && (n.Labels["team"] != "node" || n.Labels["tier"] != "infra") {
			t.Errorf("labelled has labels %v", n.Labels)
		}
	}
	if want := lines(b.ctr(ctx, t, "namespaces", "ls", "-q")); !slices.Equal(names, want) {
		t.Errorf("Namespaces() = %v, ctr namespaces ls -q = %v", names, want)
	}
}

func testImages(ctx context.Context, t *testing.T, b *bed) {
	const ns = "default"
	for _, name := range []string{"localhost/test/alias:1", "docker.io/library/zz:last", "a.example/first:0"} {
		b.ctr(ctx, t, "-n", ns, "images", "tag", testbed.BusyboxImage, name)
	}
	got, err := b.c.Images(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, img := range got {
		names = append(names, img.Name)
		if img.Size != backend.SizeUnknown || img.Platforms != nil {
			t.Errorf("%s: a list must not read content, got size %d platforms %v", img.Name, img.Size, img.Platforms)
		}
		if img.CreatedAt.IsZero() || img.UpdatedAt.IsZero() {
			t.Errorf("%s: no created/updated time", img.Name)
		}
	}
	if want := lines(b.ctr(ctx, t, "-n", ns, "images", "ls", "-q")); !slices.Equal(names, want) {
		t.Errorf("Images() = %v\nctr images ls -q = %v", names, want)
	}
	rows := ctrImages(ctx, t, b, ns)
	for _, img := range got {
		r := rows[img.Name]
		if img.Digest != r.digest || img.MediaType != r.mediaType || labelsColumn(img.Labels) != r.labels {
			t.Errorf("%s: digest %s type %s labels %s; ctr says %+v", img.Name, img.Digest, img.MediaType, labelsColumn(img.Labels), r)
		}
	}
}

func testImageDetails(ctx context.Context, t *testing.T, b *bed) {
	for _, ns := range []string{"default", backend.CRINamespace} {
		imgs, err := b.c.Images(ctx, ns)
		if err != nil {
			t.Fatal(err)
		}
		rows := ctrImages(ctx, t, b, ns)
		// Ask for every name at once, as the UI does for a screen: the
		// cache must give names that share a target one answer.
		details := make([]backend.ImageDetails, len(imgs))
		errs := make([]error, len(imgs))
		var wg sync.WaitGroup
		for i, img := range imgs {
			wg.Go(func() { details[i], errs[i] = b.c.ImageDetails(ctx, ns, img) })
		}
		wg.Wait()
		for i, img := range imgs {
			if errs[i] != nil {
				t.Errorf("%s/%s: %v", ns, img.Name, errs[i])
				continue
			}
			checkDetails(t, img.Name, details[i], rows[img.Name])
		}
	}
}

// ctr prints what it counted before a missing blob (for a missing target
// manifest, the manifest's own size) and "-" for platforms; so must we.
func testImageDetailsMissingContent(ctx context.Context, t *testing.T, b *bed) {
	const ns = "partial"
	if err := b.d.ImportTestImages(ctx, ns); err != nil {
		t.Fatal(err)
	}
	imgs, err := b.c.Images(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	var pause backend.Image
	for _, img := range imgs {
		if img.Name == testbed.PauseImage {
			pause = img
		}
	}
	b.ctr(ctx, t, "-n", ns, "content", "rm", pause.Digest)
	rows := ctrImages(ctx, t, b, ns)
	for _, img := range imgs {
		d, err := b.c.ImageDetails(ctx, ns, img)
		if err != nil {
			t.Fatalf("%s: %v", img.Name, err)
		}
		checkDetails(t, img.Name, d, rows[img.Name])
	}
	if rows[pause.Name].platforms != "-" {
		t.Errorf("ctr still sees platforms of %s after its manifest was removed: %+v", pause.Name, rows[pause.Name])
	}
}

func checkDetails(t *testing.T, name string, d backend.ImageDetails, r ctrImageRow) {
	t.Helper()
	platforms := "-"
	if len(d.Platforms) > 0 {
		platforms = strings.Join(d.Platforms, ",")
	}
	if size := ctrBytes(d.Size); size != r.size || platforms != r.platforms {
		t.Errorf("%s: size %s (%d) platforms %s; ctr images ls says %s, %s", name, size, d.Size, platforms, r.size, r.platforms)
	}
}

func testContainers(ctx context.Context, t *testing.T, b *bed) {
	const ns = "default"
	logFile := filepath.Join(b.d.Dir, "logs", "quitter.log")
	if err := b.d.RunTask(ctx, ns, "sleeper", testbed.BusyboxImage, "", "sleep", "2147483647"); err != nil {
		t.Fatal(err)
	}
	if err := b.d.RunTask(ctx, ns, "quitter", testbed.BusyboxImage, logFile, "sh", "-c", "echo bye; exit 3"); err != nil {
		t.Fatal(err)
	}
	b.ctr(ctx, t, "-n", ns, "containers", "create", testbed.BusyboxImage, "idle")

	got := waitContainer(ctx, t, b, ns, "quitter", func(c backend.Container) bool { return c.Status() == backend.TaskStopped })
	if q := got["quitter"].Task; q.ExitStatus != 3 || q.ExitedAt.IsZero() || q.Stdout != "file://"+logFile || q.Stderr != q.Stdout {
		t.Errorf("quitter's task: %+v", q)
	}
	// Under a host root (kubectl debug node) the log file is read there:
	// here a directory whose copy of the log's directory links to it.
	root, logDir := t.TempDir(), filepath.Dir(logFile)
	if err := os.MkdirAll(filepath.Dir(root+logDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(logDir, root+logDir); err != nil {
		t.Fatal(err)
	}
	hc, err := New(ctx, backend.Config{Address: b.d.Socket, Timeout: 10 * time.Second, HostRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	hq, err := hc.Container(ctx, ns, "quitter")
	if err != nil {
		t.Fatal(err)
	}
	if hq.Task == nil || hq.Task.Stdout != "file://"+root+logFile || hq.Task.Stderr != hq.Task.Stdout {
		t.Fatalf("quitter's task under the host root %s: %+v", root, hq.Task)
	}
	if data, err := os.ReadFile(root + logFile); err != nil || !strings.Contains(string(data), "bye") {
		t.Errorf("read %s: %v %q", root+logFile, err, data)
	}

	s := got["sleeper"]
	if s.Status() != backend.TaskRunning || s.Task.PID == 0 || !s.Task.ExitedAt.IsZero() || s.Image != testbed.BusyboxImage ||
		s.Runtime != "io.containerd.runc.v2" || s.Snapshotter == "" || s.SnapshotKey != "sleeper" {
		t.Errorf("sleeper: %+v task %+v", s, s.Task)
	}
	if idle := got["idle"]; idle.Task != nil || idle.ID != "idle" {
		t.Errorf("a container without a task: %+v task %+v", idle, idle.Task)
	}
	// The same ids, pids and states as ctr tasks ls.
	for _, l := range lines(b.ctr(ctx, t, "-n", ns, "tasks", "ls"))[1:] {
		var id, status string
		var pid uint32
		if _, err := fmt.Sscan(l, &id, &pid, &status); err != nil {
			t.Fatalf("ctr tasks ls line %q: %v", l, err)
		}
		if task := got[id].Task; task == nil || task.PID != pid || string(task.Status) != status {
			t.Errorf("ctr tasks ls: %q; Containers(): %+v", l, task)
		}
	}

	b.ctr(ctx, t, "-n", ns, "tasks", "kill", "-s", "SIGKILL", "sleeper")
	got = waitContainer(ctx, t, b, ns, "sleeper", func(c backend.Container) bool { return c.Status() == backend.TaskStopped })
	if s := got["sleeper"].Task; s.ExitStatus != 137 {
		t.Errorf("killed sleeper: %+v", s)
	}

	one, err := b.c.Container(ctx, ns, "quitter")
	if err != nil || one.Task == nil || one.Task.ExitStatus != 3 || one.Image != testbed.BusyboxImage {
		t.Errorf("Container(quitter) = %+v task %+v, %v", one, one.Task, err)
	}
	if one, err := b.c.Container(ctx, ns, "idle"); err != nil || one.Task != nil {
		t.Errorf("Container(idle) = %+v, %v", one, err)
	}
	_, err = b.c.Container(ctx, ns, "nosuch")
	wantErr(t, err, backend.ErrNotFound, "nosuch")
}

// waitContainer lists ns until the container id satisfies ok and returns
// the last list by id.
func waitContainer(ctx context.Context, t *testing.T, b *bed, ns, id string, ok func(backend.Container) bool) map[string]backend.Container {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := b.c.Containers(ctx, ns)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSortedFunc(list, func(a, b backend.Container) int { return strings.Compare(a.ID, b.ID) }) {
			t.Errorf("not sorted by id: %v", list)
		}
		byID := map[string]backend.Container{}
		for _, c := range list {
			byID[c.ID] = c
		}
		if c, found := byID[id]; found && ok(c) {
			return byID
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s never got there: %+v task %+v", id, byID[id], byID[id].Task)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testPodContainers(ctx context.Context, t *testing.T, b *bed) {
	podID, ids, err := b.d.RunPod(ctx, testbed.PodSpec{Name: "web-0", Namespace: "shop", UID: "uid-web-0",
		Containers: []testbed.ContainerSpec{{Name: "app", Command: []string{"sleep", "2147483647"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := waitContainer(ctx, t, b, backend.CRINamespace, ids[0], func(c backend.Container) bool { return c.Status() == backend.TaskRunning })
	sandbox, app := got[podID], got[ids[0]]
	if sandbox.Kind != "sandbox" || sandbox.PodName != "web-0" || sandbox.PodNamespace != "shop" || sandbox.PodUID != "uid-web-0" ||
		sandbox.Image != testbed.PauseImage || sandbox.Status() != backend.TaskRunning {
		t.Errorf("sandbox: %+v task %+v", sandbox, sandbox.Task)
	}
	// containerd's CRI does not label a container with its sandbox id (no
	// io.kubernetes.sandbox.id, on 1.6 nor 2.x): the pod UID is the link.
	if app.Kind != "container" || app.ContainerName != "app" || app.PodName != "web-0" || app.PodNamespace != "shop" ||
		app.PodUID != sandbox.PodUID || app.Task.PID == 0 {
		t.Errorf("pod container: %+v task %+v", app, app.Task)
	}
}

func testEvents(ctx context.Context, t *testing.T, b *bed) {
	const ns = "watched"
	if err := b.d.ImportTestImages(ctx, ns); err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	inNS, nsErrs := b.c.Events(sctx, ns)
	all, allErrs := b.c.Events(sctx, "")
	// A subscription is in place once an event published after it arrives.
	b.ctr(ctx, t, "-n", ns, "images", "tag", testbed.BusyboxImage, "localhost/test/ready:1")
	waitEvent(t, inNS, ns, backend.TopicImageCreate, "localhost/test/ready:1")
	waitEvent(t, all, "", backend.TopicImageCreate, "localhost/test/ready:1")

	if err := b.d.RunTask(ctx, ns, "short", testbed.BusyboxImage, "", "sh", "-c", "sleep 0.2; exit 7"); err != nil {
		t.Fatal(err)
	}
	start := waitEvent(t, inNS, ns, backend.TopicTaskStart, "short")
	if start.PID == 0 || start.Time.IsZero() {
		t.Errorf("/tasks/start: %+v", start)
	}
	if exit := waitEvent(t, inNS, ns, backend.TopicTaskExit, "short"); exit.ExitStatus != 7 || exit.PID != start.PID {
		t.Errorf("/tasks/exit: %+v (start had pid %d)", exit, start.PID)
	}

	// An image created in another namespace reaches the unfiltered stream
	// only; the filtered one sees the next event of its own namespace.
	b.ctr(ctx, t, "-n", "default", "images", "tag", testbed.BusyboxImage, "localhost/test/elsewhere:1")
	b.ctr(ctx, t, "-n", ns, "images", "tag", testbed.BusyboxImage, "localhost/test/watched:1")
	waitEvent(t, inNS, ns, backend.TopicImageCreate, "localhost/test/watched:1")
	if ev := waitEvent(t, all, "", backend.TopicImageCreate, "localhost/test/elsewhere:1"); ev.Namespace != "default" {
		t.Errorf("unfiltered /images/create: %+v", ev)
	}

	stop()
	for range inNS {
	}
	if err := <-nsErrs; err != nil {
		t.Errorf("after cancel, the stream says %v, want nil", err)
	}
	for range all {
	}
	if err := <-allErrs; err != nil {
		t.Errorf("after cancel, the unfiltered stream says %v, want nil", err)
	}
}

// waitEvent reads events until one with topic and id arrives. On a stream
// filtered to namespace ns, an event of another namespace fails the test.
func waitEvent(t *testing.T, evs <-chan backend.Event, ns, topic, id string) backend.Event {
	t.Helper()
	// Generous: on a loaded machine the OOM hog takes long to fill its
	// limit, and the daemon long to say so.
	const wait = time.Minute
	timeout := time.After(wait)
	var seen []string
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatalf("stream closed before %s %s; saw %v", topic, id, seen)
			}
			seen = append(seen, ev.Namespace+":"+ev.Topic+":"+ev.ID)
			if ns != "" && ev.Namespace != ns {
				t.Errorf("a stream filtered to %s got %+v", ns, ev)
			}
			if ev.Topic == topic && ev.ID == id {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s %s in %v; saw %v", topic, id, wait, seen)
		}
	}
}

// A daemon stopped under a connected client: calls fail at once with a lost
// connection (not a hang, not the whole timeout), the event stream ends
// saying so, and a restarted daemon is not needed for any of it.
func TestDaemonStoppedMidSession(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v, testbed.WithoutCRI())
			ctx := context.Background()
			// A timeout far longer than the generous wait below: a
			// call that waited for it instead of failing at once fails.
			c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 2 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			evs, errs := c.Events(ctx, "")
			if _, err := c.Images(ctx, "default"); err != nil {
				t.Fatal(err)
			}
			if err := d.Stop(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = c.Images(ctx, "default")
			wantErr(t, err, backend.ErrUnavailable, d.Socket)
			if took := time.Since(start); took > testclock.Generous {
				t.Errorf("took %v to notice the daemon is gone", took)
			}
			t.Logf("containerd %s stopped: %v (after %v)", v, err, time.Since(start).Round(time.Microsecond))
			_, err = c.Containers(ctx, "default")
			wantErr(t, err, backend.ErrUnavailable, "is containerd running?")
			select {
			case <-time.After(5 * time.Second):
				t.Fatal("the event stream did not end with the daemon")
			case _, open := <-evs:
				for range evs {
				}
				if open {
					t.Log("an event arrived before the end")
				}
			}
			if err := <-errs; !errors.Is(err, backend.ErrUnavailable) {
				t.Errorf("event stream ended with %v, want ErrUnavailable", err)
			}
		})
	}
}

// ctrBytes formats a size as ctr's SIZE column does (containerd's
// progress.Bytes: go-units CustomSize, base 1024, "%02.1f %s").
func ctrBytes(n int64) string {
	size, units, i := float64(n), []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}, 0
	for size >= 1024 && i < len(units)-1 {
		size /= 1024
		i++
	}
	return fmt.Sprintf("%02.1f %s", size, units[i])
}

// ctrImageRow is one row of `ctr images ls`.
type ctrImageRow struct {
	mediaType, digest, size, platforms, labels string
}

// ctrImages parses `ctr images ls` (REF TYPE DIGEST SIZE PLATFORMS LABELS;
// SIZE is two words, e.g. "1.0 MiB") by ref.
func ctrImages(ctx context.Context, t *testing.T, b *bed, ns string) map[string]ctrImageRow {
	t.Helper()
	rows := map[string]ctrImageRow{}
	ls := lines(b.ctr(ctx, t, "-n", ns, "images", "ls"))
	for _, l := range ls[1:] {
		f := strings.Fields(l)
		if len(f) != 7 {
			t.Fatalf("ctr images ls line %q: want 7 fields", l)
		}
		rows[f[0]] = ctrImageRow{mediaType: f[1], digest: f[2], size: f[3] + " " + f[4], platforms: f[5], labels: f[6]}
	}
	return rows
}

// labelsColumn is ctr's LABELS column: sorted k=v joined by commas, "-" if none.
func labelsColumn(labels map[string]string) string {
	if len(labels) == 0 {
		return "-"
	}
	var pairs []string
	for k, v := range labels {
		pairs = append(pairs, k+"="+v)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// lines splits ctr's output into non-empty lines; ctr's own log lines (on
// 1.6 it logs to the same output) are dropped.
func lines(out string) []string {
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "time=") {
			ls = append(ls, l)
		}
	}
	return ls
}

// BenchmarkImages lists 2,000 image names, about what a busy CRI node holds
// (three names per pulled image).
func BenchmarkImages(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("starts containerd daemons: needs root")
	}
	const n = 2000
	for _, v := range testbed.Versions() {
		b.Run(string(v), func(b *testing.B) {
			d := testbed.Start(b, v, testbed.WithoutCRI())
			ctx := context.Background()
			if err := testbed.SeedScale(ctx, d.Socket, "default", n, 0); err != nil {
				b.Fatal(err)
			}
			c, err := New(ctx, backend.Config{Address: d.Socket})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ResetTimer()
			for b.Loop() {
				imgs, err := c.Images(ctx, "default")
				if err != nil {
					b.Fatal(err)
				}
				if len(imgs) < n {
					b.Fatalf("%d images, want %d", len(imgs), n)
				}
			}
		})
	}
}
