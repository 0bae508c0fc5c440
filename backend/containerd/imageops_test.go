package containerd_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend"
	ctd "github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/registry"
	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// These tests run every image action against real containerd 1.6 and 2.x
// daemons and Debian's real registry on loopback (plain and htpasswd), and
// check the results with the daemon's own ctr and with CRI: what ctui
// pulled runs, what it exported ctr imports with the same digest, and after
// every failure or cancel the namespace's images, content, leases and
// ingests are exactly what they were.

const opsSecret = "Sup3r-Secret-Pw"

// opsEnv is what every version's test shares: the two registries and the
// image archives, built once.
type opsEnv struct {
	plain, auth *testreg.Registry
	bigTar      string // OCI layout of a multi-layer image of random data
	bigRef      string
}

func TestImageActions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts daemons and registries")
	}
	env := &opsEnv{
		plain: testreg.New(t, testreg.Options{}),
		auth:  testreg.New(t, testreg.Options{User: "alice", Password: opsSecret}),
	}
	env.bigRef = "localhost/test/big:v1"
	env.bigTar = filepath.Join(t.TempDir(), "big.tar")
	start := time.Now()
	if err := testbed.WriteSizedImage(env.bigTar, env.bigRef, 4, 32<<20); err != nil {
		t.Fatal(err)
	}
	t.Logf("big image (4 x 32 MiB) written in %v", time.Since(start).Round(time.Millisecond))
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testImageActions(t, v, env)
		})
	}
}

// opsFixture is one daemon with ctui's client on it.
type opsFixture struct {
	d    *testbed.Daemon
	c    *ctd.Client
	repo string // registry repository prefix of this version, e.g. v1.6
}

// ctr runs the daemon's ctr and returns its stdout: ctr 2.x warns about
// cgroup v1 on stderr, which is no part of a listing.
func (f *opsFixture) ctr(t *testing.T, ctx context.Context, args ...string) string {
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

// state is what must not change when an action fails: image names, content
// digests, leases and open ingests of a namespace.
type opsState struct {
	Images, Content, Leases, Ingests, Snapshots []string
}

func (f *opsFixture) state(t *testing.T, ctx context.Context, ns string) opsState {
	t.Helper()
	lines := func(s string) []string {
		out := strings.Fields(s)
		sort.Strings(out)
		return out
	}
	var s opsState
	s.Images = lines(f.ctr(t, ctx, "-n", ns, "images", "ls", "-q"))
	s.Content = lines(f.ctr(t, ctx, "-n", ns, "content", "ls", "-q"))
	s.Leases = lines(f.ctr(t, ctx, "-n", ns, "leases", "ls", "-q"))
	for _, line := range strings.Split(f.ctr(t, ctx, "-n", ns, "snapshots", "ls"), "\n")[1:] {
		if fields := strings.Fields(line); len(fields) > 0 {
			s.Snapshots = append(s.Snapshots, fields[0])
		}
	}
	sort.Strings(s.Snapshots)
	cl, err := f.d.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sts, err := cl.ContentStore().ListStatuses(namespaces.WithNamespace(ctx, ns))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		s.Ingests = append(s.Ingests, st.Ref)
	}
	sort.Strings(s.Ingests)
	return s
}

func (f *opsFixture) sameState(t *testing.T, ctx context.Context, ns string, before opsState) {
	t.Helper()
	after := f.state(t, ctx, ns)
	if !slices.Equal(before.Images, after.Images) {
		t.Errorf("images changed:\n before %v\n after  %v", before.Images, after.Images)
	}
	if !slices.Equal(before.Content, after.Content) {
		t.Errorf("content changed:\n before %v\n after  %v", before.Content, after.Content)
	}
	if !slices.Equal(before.Leases, after.Leases) {
		t.Errorf("leases changed:\n before %v\n after  %v", before.Leases, after.Leases)
	}
	if !slices.Equal(before.Snapshots, after.Snapshots) {
		t.Errorf("snapshots changed:\n before %v\n after  %v", before.Snapshots, after.Snapshots)
	}
	if !slices.Equal(before.Ingests, after.Ingests) {
		t.Errorf("ingests changed:\n before %v\n after  %v", before.Ingests, after.Ingests)
	}
}

// digestOf is the target digest of an image as `ctr images ls` shows it.
func (f *opsFixture) digestOf(t *testing.T, ctx context.Context, ns, ref string) string {
	t.Helper()
	for _, line := range strings.Split(f.ctr(t, ctx, "-n", ns, "images", "ls"), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 2 && fields[0] == ref {
			return fields[2]
		}
	}
	t.Fatalf("ctr -n %s images ls does not list %s", ns, ref)
	return ""
}

func opsWantErr(t *testing.T, err error, kind error, says ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, kind) {
		t.Fatalf("error kind of %q (%T) is not %v", err, err, kind)
	}
	var be *backend.Error
	if !errors.As(err, &be) {
		t.Errorf("error %q is not a *backend.Error", err)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if strings.Contains(err.Error(), opsSecret) || strings.Contains(fmt.Sprintf("%+v", errors.Unwrap(err)), opsSecret) {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// progressLog keeps every progress report.
type progressLog struct {
	mu   sync.Mutex
	all  []backend.Progress
	hook func(backend.Progress)
}

func (l *progressLog) fn() backend.ProgressFunc {
	return func(p backend.Progress) {
		l.mu.Lock()
		l.all = append(l.all, p)
		hook := l.hook
		l.mu.Unlock()
		if hook != nil {
			hook(p)
		}
	}
}

func (l *progressLog) last() backend.Progress {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.all) == 0 {
		return backend.Progress{}
	}
	return l.all[len(l.all)-1]
}

// isolated registry options: only what the test passes counts, nothing of
// the node's configuration.
func isolated(t *testing.T, plainHTTP bool, creds string) backend.RegistryOptions {
	return backend.RegistryOptions{HostsDirs: []string{}, RegistriesYAML: []string{}, DockerConfig: "-", PlainHTTP: plainHTTP, Creds: creds}
}

func testImageActions(t *testing.T, v testbed.Version, env *opsEnv) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	begin := time.Now()
	d := testbed.Start(t, v)
	c, err := ctd.New(ctx, backend.Config{Address: d.Socket, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := &opsFixture{d: d, c: c, repo: "v" + string(v)}
	f.repo = strings.ReplaceAll(f.repo, ".x", "")

	// Seed the registries with ctr itself, not with the code under test.
	if err := d.ImportTestImages(ctx, "seed"); err != nil {
		t.Fatal(err)
	}
	bigFile, err := os.Open(env.bigTar)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ImportTar(ctx, "seed", bigFile)
	bigFile.Close()
	if err != nil {
		t.Fatal(err)
	}
	busyPlain := env.plain.Ref(f.repo+"/busybox", "latest")
	busyAuth := env.auth.Ref(f.repo+"/busybox", "latest")
	bigPlain := env.plain.Ref(f.repo+"/big", "v1")
	f.ctr(t, ctx, "-n", "seed", "images", "tag", testbed.BusyboxImage, busyPlain)
	f.ctr(t, ctx, "-n", "seed", "images", "tag", testbed.BusyboxImage, busyAuth)
	f.ctr(t, ctx, "-n", "seed", "images", "tag", env.bigRef, bigPlain)
	f.ctr(t, ctx, "-n", "seed", "images", "push", "--plain-http", busyPlain)
	f.ctr(t, ctx, "-n", "seed", "images", "push", "--plain-http", bigPlain)
	f.ctr(t, ctx, "-n", "seed", "images", "push", "--plain-http", "-u", "alice:"+opsSecret, busyAuth)
	// The content store is shared between namespaces: a blob present
	// in any of them is not downloaded again. Drop the big image, so
	// pulls of it really fetch.
	f.ctr(t, ctx, "-n", "seed", "images", "rm", "--sync", env.bigRef, bigPlain)
	busyDigest := f.digestOf(t, ctx, "seed", testbed.BusyboxImage)
	t.Logf("containerd %s: daemon up and registries seeded in %v", v, time.Since(begin).Round(time.Millisecond))

	step := func(name string, fn func(t *testing.T)) {
		start := time.Now()
		t.Run(name, fn)
		t.Logf("containerd %s: %-28s %v", v, name, time.Since(start).Round(time.Millisecond))
	}

	step("PullAndRun", func(t *testing.T) {
		var pl progressLog
		res, err := c.PullImage(ctx, "pull", backend.PullOptions{Ref: busyPlain, Registry: isolated(t, false, "")}, pl.fn())
		if err != nil {
			t.Fatal(err)
		}
		if res.Image.Name != busyPlain || res.Image.Digest != busyDigest || res.Snapshotter != "overlayfs" {
			t.Errorf("pull result %+v, want %s %s unpacked into overlayfs", res, busyPlain, busyDigest)
		}
		last := pl.last()
		if last.Phase != "done" || last.Done != last.Total || last.Total == 0 {
			t.Errorf("last progress %+v, want done with all bytes", last)
		}
		kinds := map[backend.ItemKind]int{}
		for _, it := range last.Items {
			kinds[it.Kind]++
			if it.Status != backend.StatusDone {
				t.Errorf("item %+v not done", it)
			}
		}
		if kinds[backend.ItemManifest] != 1 || kinds[backend.ItemConfig] != 1 || kinds[backend.ItemLayer] != 1 {
			t.Errorf("items %+v, want a manifest, a config and a layer", last.Items)
		}
		if !strings.Contains(res.Registry, env.plain.Host) {
			t.Errorf("registry description %q does not name the host", res.Registry)
		}
		if res.Transfer != (v == testbed.V2) {
			t.Errorf("pulled through the transfer service: %v, want it on 2.x only", res.Transfer)
		}
		local, err := c.PullImage(ctx, "local", backend.PullOptions{Ref: busyPlain, Registry: isolated(t, false, ""), Local: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if local.Transfer || local.Image.Digest != busyDigest {
			t.Errorf("local pull %+v", local)
		}
		out := f.ctr(t, ctx, "-n", "pull", "run", "--rm", busyPlain, "ops-run-"+strings.ReplaceAll(string(v), ".", ""), "echo", "hello from the pull")
		if !strings.Contains(out, "hello from the pull") {
			t.Errorf("ctr run printed %q", out)
		}
		if l := f.state(t, ctx, "pull").Leases; len(l) != 0 {
			t.Errorf("leases left after the pull: %v", l)
		}
	})

	step("PullAuth", func(t *testing.T) {
		before := f.state(t, ctx, "auth")
		_, err := c.PullImage(ctx, "auth", backend.PullOptions{Ref: busyAuth, Registry: isolated(t, false, "")}, nil)
		opsWantErr(t, err, backend.ErrAuth, "requires credentials")
		_, err = c.PullImage(ctx, "auth", backend.PullOptions{Ref: busyAuth, Registry: isolated(t, false, "alice:wrong-"+opsSecret)}, nil)
		opsWantErr(t, err, backend.ErrAuth, "refused the credentials", "alice")
		_, err = c.PullImage(ctx, "auth", backend.PullOptions{Ref: busyAuth, Registry: isolated(t, false, "alice")}, nil)
		opsWantErr(t, err, backend.ErrNeedPassword, "alice")
		f.sameState(t, ctx, "auth", before)

		logins := &registry.Logins{}
		logins.Set(env.auth.Host, "alice", opsSecret)
		o := backend.PullOptions{Ref: busyAuth, Registry: isolated(t, false, "")}
		o.Registry.Logins = logins
		res, err := c.PullImage(ctx, "auth", o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Image.Digest != busyDigest {
			t.Errorf("pulled %s, want %s", res.Image.Digest, busyDigest)
		}
		if strings.Contains(res.Registry, opsSecret) || !strings.Contains(res.Registry, "alice") {
			t.Errorf("registry description %q: want the user, never the password", res.Registry)
		}
	})

	step("PullCancel", func(t *testing.T) {
		before := f.state(t, ctx, "cancel")
		pctx, pcancel := context.WithCancel(ctx)
		defer pcancel()
		var pl progressLog
		var midway backend.Progress
		var once sync.Once
		// Loopback moves the image in well under a second (1.6 fetches
		// all of it before the first 100 ms poll, then unpacks): cancel
		// at the first report that shows content fetched while layers
		// are still to come or to unpack, so there is something to
		// clean up.
		pl.hook = func(p backend.Progress) {
			fetched, pending := false, false
			for _, it := range p.Items {
				fetched = fetched || it.Offset > 0
				pending = pending || (it.Kind == backend.ItemLayer && !it.Status.Finished())
			}
			if fetched && (pending || p.Phase == "unpacking") {
				once.Do(func() { midway = p; pcancel() })
			}
		}
		_, err := c.PullImage(pctx, "cancel", backend.PullOptions{Ref: bigPlain, Registry: isolated(t, false, "")}, pl.fn())
		opsWantErr(t, err, backend.ErrCanceled, "canceled")
		if midway.Done == 0 {
			t.Fatalf("canceled before any byte moved; last progress %+v", pl.last())
		}
		t.Logf("canceled while %s at %d of %d bytes (%d items known)", midway.Phase, midway.Done, midway.Total, len(midway.Items))
		f.sameState(t, ctx, "cancel", before)
	})

	step("PullCancelMidLayer", func(t *testing.T) {
		// A slow link between the puller and the registry: the real
		// registry behind a loopback proxy that sends 16 MB/s, so the
		// cancel lands while layer ingests are open. Both paths: the
		// transfer service (2.x) and the client side.
		slow := slowProxy(t, env.plain.URL, 16<<20)
		for _, local := range []bool{false, true} {
			t.Run(fmt.Sprintf("local=%v", local), func(t *testing.T) { pullCancelMidLayer(ctx, t, f, slow, local) })
		}
	})

	step("PullMissing", func(t *testing.T) {
		before := f.state(t, ctx, "cancel")
		_, err := c.PullImage(ctx, "cancel", backend.PullOptions{Ref: env.plain.Ref(f.repo+"/nope", "v1"), Registry: isolated(t, false, "")}, nil)
		opsWantErr(t, err, backend.ErrNotFound, "not found")
		_, err = c.PullImage(ctx, "cancel", backend.PullOptions{Ref: "UPPER/Case:x", Registry: isolated(t, false, "")}, nil)
		opsWantErr(t, err, backend.ErrInvalid, "not a valid image reference")
		f.sameState(t, ctx, "cancel", before)
	})

	step("Tag", func(t *testing.T) {
		img, err := c.TagImage(ctx, "pull", backend.TagOptions{Source: busyPlain, Target: "ctui/tagged:v1"})
		if err != nil {
			t.Fatal(err)
		}
		if img.Name != "docker.io/ctui/tagged:v1" || img.Digest != busyDigest {
			t.Errorf("tagged %+v", img)
		}
		if f.digestOf(t, ctx, "pull", "docker.io/ctui/tagged:v1") != busyDigest {
			t.Error("ctr lists the tag with another digest")
		}
		// Point another name somewhere else, then tag onto it.
		if err := d.ImportTestImages(ctx, "pull"); err != nil {
			t.Fatal(err)
		}
		pauseDigest := f.digestOf(t, ctx, "pull", testbed.PauseImage)
		_, err = c.TagImage(ctx, "pull", backend.TagOptions{Source: testbed.PauseImage, Target: "ctui/tagged:v1"})
		opsWantErr(t, err, backend.ErrAlreadyExists, "docker.io/ctui/tagged:v1 already exists")
		if f.digestOf(t, ctx, "pull", "docker.io/ctui/tagged:v1") != busyDigest {
			t.Error("a refused tag changed the target")
		}
		if _, err = c.TagImage(ctx, "pull", backend.TagOptions{Source: testbed.PauseImage, Target: "ctui/tagged:v1", Force: true}); err != nil {
			t.Fatal(err)
		}
		if f.digestOf(t, ctx, "pull", "docker.io/ctui/tagged:v1") != pauseDigest {
			t.Error("a forced tag did not move the name")
		}
		_, err = c.TagImage(ctx, "pull", backend.TagOptions{Source: testbed.PauseImage, Target: "bad//name"})
		opsWantErr(t, err, backend.ErrInvalid, "not a valid image reference")
		_, err = c.TagImage(ctx, "pull", backend.TagOptions{Source: "nothing/here:v1", Target: "x/y:z"})
		opsWantErr(t, err, backend.ErrNotFound, "no image nothing/here:v1")
	})

	step("TagSeenByCRI", func(t *testing.T) {
		if err := d.ImportTestImages(ctx, backend.CRINamespace); err != nil {
			t.Fatal(err)
		}
		if _, err := c.TagImage(ctx, backend.CRINamespace, backend.TagOptions{Source: testbed.BusyboxImage, Target: "localhost/ctui/by-tag:v2"}); err != nil {
			t.Fatal(err)
		}
		rc, err := cri.New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			imgs, err := rc.Images(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range imgs {
				if slices.Contains(im.RepoTags, "localhost/ctui/by-tag:v2") {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("CRI does not list the tag: %+v", imgs)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	exported := filepath.Join(t.TempDir(), "ctr-export.tar")
	step("ImportCtrExport", func(t *testing.T) {
		f.ctr(t, ctx, "-n", "pull", "images", "export", exported, busyPlain)
		var pl progressLog
		imgs, err := c.ImportImages(ctx, "imp", backend.ImportOptions{Path: exported}, pl.fn())
		if err != nil {
			t.Fatal(err)
		}
		if len(imgs) != 1 || imgs[0].Name != busyPlain || imgs[0].Digest != busyDigest {
			t.Fatalf("imported %+v, want %s at %s", imgs, busyPlain, busyDigest)
		}
		fi, _ := os.Stat(exported)
		if last := pl.last(); last.Phase != "done" || last.Done != fi.Size() {
			t.Errorf("last progress %+v, want done at %d bytes", last, fi.Size())
		}
		f.ctr(t, ctx, "-n", "imp", "run", "--rm", busyPlain, "ops-imp-"+strings.ReplaceAll(string(v), ".", ""), "true")
		if l := f.state(t, ctx, "imp").Leases; len(l) != 0 {
			t.Errorf("leases left after the import: %v", l)
		}
	})

	step("ImportDockerSaveGzip", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "saved.tar.gz")
		if err := writeDockerSave(path, exported, "busybox:saved"); err != nil {
			t.Fatal(err)
		}
		imgs, err := c.ImportImages(ctx, "imp", backend.ImportOptions{Path: path}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(imgs) != 1 || imgs[0].Name != "docker.io/library/busybox:saved" {
			t.Fatalf("imported %+v, want docker.io/library/busybox:saved", imgs)
		}
		f.ctr(t, ctx, "-n", "imp", "run", "--rm", "docker.io/library/busybox:saved", "ops-saved-"+strings.ReplaceAll(string(v), ".", ""), "true")
	})

	step("ImportBadArchives", func(t *testing.T) {
		// A fresh namespace holds no blob the archive shares, so a
		// truncated import there would leave content if it could.
		before := f.state(t, ctx, "badimp")
		data, err := os.ReadFile(exported)
		if err != nil {
			t.Fatal(err)
		}
		cut := filepath.Join(t.TempDir(), "cut.tar")
		if err := os.WriteFile(cut, data[:len(data)*2/3], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = c.ImportImages(ctx, "badimp", backend.ImportOptions{Path: cut}, nil)
		opsWantErr(t, err, backend.ErrInvalid, "truncated", "nothing was imported")
		f.sameState(t, ctx, "badimp", before)

		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(data)
		zw.Close()
		cutgz := filepath.Join(t.TempDir(), "cut.tar.gz")
		if err := os.WriteFile(cutgz, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = c.ImportImages(ctx, "badimp", backend.ImportOptions{Path: cutgz}, nil)
		opsWantErr(t, err, backend.ErrInvalid, "nothing was imported")
		f.sameState(t, ctx, "badimp", before)

		var notImage bytes.Buffer
		tw := tar.NewWriter(&notImage)
		tw.WriteHeader(&tar.Header{Name: "hello.txt", Mode: 0o644, Size: 5})
		tw.Write([]byte("hello"))
		tw.Close()
		_, err = c.ImportImages(ctx, "badimp", backend.ImportOptions{Path: "hello.tar", Reader: &notImage}, nil)
		opsWantErr(t, err, backend.ErrInvalid, "not an image archive")
		_, err = c.ImportImages(ctx, "badimp", backend.ImportOptions{Path: "/nonexistent/x.tar"}, nil)
		opsWantErr(t, err, backend.ErrNotFound, "does not exist")
		f.sameState(t, ctx, "badimp", before)
	})

	step("ExportRoundTrip", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "ctui.tar")
		var pl progressLog
		n, err := c.ExportImages(ctx, "pull", backend.ExportOptions{Refs: []string{busyPlain, "docker.io/ctui/tagged:v1"}, Path: path}, pl.fn())
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Size() != n {
			t.Fatalf("export wrote %d bytes, file %v %v", n, fi, err)
		}
		if last := pl.last(); last.Phase != "done" || last.Done != n {
			t.Errorf("last progress %+v", last)
		}
		tags := dockerRepoTags(t, path)
		if !slices.Contains(tags, "ctui/tagged:v1") || !slices.Contains(tags, busyPlain) {
			t.Errorf("manifest.json RepoTags %v, want short docker names", tags)
		}
		f.ctr(t, ctx, "-n", "roundtrip", "images", "import", path)
		if got := f.digestOf(t, ctx, "roundtrip", busyPlain); got != busyDigest {
			t.Errorf("ctr imported %s, want %s", got, busyDigest)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("export left more than its file: %v", entries)
		}

		_, err = c.ExportImages(ctx, "pull", backend.ExportOptions{Refs: []string{busyPlain}, Path: path}, nil)
		opsWantErr(t, err, backend.ErrAlreadyExists, "already exists")
		if _, err = c.ExportImages(ctx, "pull", backend.ExportOptions{Refs: []string{busyPlain}, Path: path, Overwrite: true}, nil); err != nil {
			t.Fatal(err)
		}
		_, err = c.ExportImages(ctx, "pull", backend.ExportOptions{Refs: []string{busyPlain}, Path: "/proc/ctui-cannot/x.tar"}, nil)
		opsWantErr(t, err, backend.ErrNotFound)
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		if os.Geteuid() != 0 {
			_, err = c.ExportImages(ctx, "pull", backend.ExportOptions{Refs: []string{busyPlain}, Path: filepath.Join(ro, "x.tar")}, nil)
			opsWantErr(t, err, backend.ErrPermission)
		}
		_, err = c.ExportImages(ctx, "pull", backend.ExportOptions{Refs: []string{"no/such:image"}, Path: filepath.Join(dir, "none.tar")}, nil)
		opsWantErr(t, err, backend.ErrNotFound, "no image no/such:image")
	})

	step("ExportCancel", func(t *testing.T) {
		dir := t.TempDir()
		ectx, ecancel := context.WithCancel(ctx)
		defer ecancel()
		var pl progressLog
		pl.hook = func(p backend.Progress) {
			if p.Done > 0 {
				ecancel()
			}
		}
		if _, err := c.PullImage(ctx, "big", backend.PullOptions{Ref: bigPlain, Registry: isolated(t, false, "")}, nil); err != nil {
			t.Fatal(err)
		}
		_, err := c.ExportImages(ectx, "big", backend.ExportOptions{Refs: []string{bigPlain}, Path: filepath.Join(dir, "big.tar")}, pl.fn())
		opsWantErr(t, err, backend.ErrCanceled, "no file was left")
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("a canceled export left %v", entries)
		}
	})

	step("PushThenPullByDigest", func(t *testing.T) {
		remote := env.auth.Ref(f.repo+"/pushed", "v1")
		var pl progressLog
		res, err := c.PushImage(ctx, "pull", backend.PushOptions{Ref: remote, Local: busyPlain, Registry: isolated(t, false, "alice:"+opsSecret)}, pl.fn())
		if err != nil {
			t.Fatal(err)
		}
		if res.Digest != busyDigest {
			t.Errorf("pushed %s, want %s", res.Digest, busyDigest)
		}
		last := pl.last()
		if last.Phase != "done" || len(last.Items) != 3 {
			t.Errorf("last push progress %+v", last)
		}
		_, err = c.PushImage(ctx, "pull", backend.PushOptions{Ref: env.auth.Ref(f.repo+"/denied", "v1"), Local: busyPlain, Registry: isolated(t, false, "alice:bad")}, nil)
		opsWantErr(t, err, backend.ErrAuth)

		byDigest := env.auth.Host + "/" + f.repo + "/pushed@" + busyDigest
		pres, err := c.PullImage(ctx, "pushback", backend.PullOptions{Ref: byDigest, Registry: isolated(t, false, "alice:"+opsSecret)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pres.Image.Name != byDigest || pres.Image.Digest != busyDigest {
			t.Errorf("pulled back %+v", pres.Image)
		}
	})

	step("UsersAndRemoveSync", func(t *testing.T) {
		cl, err := d.Client()
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		nctx := namespaces.WithNamespace(ctx, "pull")
		if _, err := cl.NewContainer(nctx, "uses-busybox", containerd.WithImageName(busyPlain), containerd.WithSpec(&oci.Spec{})); err != nil {
			t.Fatal(err)
		}
		users, err := c.ImageUsers(ctx, "pull", []string{busyPlain, "docker.io/ctui/tagged:v1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0].Container != "uses-busybox" || users[0].Image != busyPlain {
			t.Errorf("users %+v", users)
		}

		if content := f.state(t, ctx, "pushback").Content; len(content) == 0 {
			t.Fatal("nothing in pushback to remove")
		}
		byDigest := env.auth.Host + "/" + f.repo + "/pushed@" + busyDigest
		if err := c.RemoveImages(ctx, "pushback", backend.RemoveOptions{Refs: []string{byDigest}, Sync: true}); err != nil {
			t.Fatal(err)
		}
		if st := f.state(t, ctx, "pushback"); len(st.Images) != 0 || len(st.Content) != 0 {
			t.Errorf("after rm --sync: %+v", st)
		}
		err = c.RemoveImages(ctx, "pushback", backend.RemoveOptions{Refs: []string{"gone:v1", "also-gone:v2"}})
		opsWantErr(t, err, backend.ErrNotFound, "2 images of 2")
	})

	step("CRIPullAuth", func(t *testing.T) {
		rc, err := cri.New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		_, err = rc.PullImage(ctx, backend.CRIPullOptions{Ref: busyAuth, Creds: "alice:wrong"})
		opsWantErr(t, err, backend.ErrAuth, "refused the credentials of alice")
		id, err := rc.PullImage(ctx, backend.CRIPullOptions{Ref: busyAuth, Creds: "alice:" + opsSecret})
		if err != nil {
			t.Fatal(err)
		}
		imgs, err := rc.Images(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, im := range imgs {
			if im.ID == id && slices.Contains(im.RepoTags, busyAuth) {
				found = true
			}
		}
		if !found {
			t.Fatalf("CRI does not list %s as %s: %+v", busyAuth, id, imgs)
		}
		if err := rc.RemoveImage(ctx, id); err != nil {
			t.Fatal(err)
		}
		out := f.ctr(t, ctx, "-n", backend.CRINamespace, "images", "ls", "-q")
		if strings.Contains(out, busyAuth) || strings.Contains(out, id) {
			t.Errorf("after CRI RemoveImage ctr still lists:\n%s", out)
		}
		opsWantErr(t, rc.RemoveImage(ctx, id), backend.ErrNotFound)
	})
	t.Logf("containerd %s: all image actions in %v", v, time.Since(begin).Round(time.Millisecond))
}

// dockerRepoTags reads the RepoTags of an export's manifest.json.
func dockerRepoTags(t *testing.T, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	tr := tar.NewReader(fh)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no manifest.json in %s: %v", path, err)
		}
		if h.Name != "manifest.json" {
			continue
		}
		var m []struct{ RepoTags []string }
		if err := json.NewDecoder(tr).Decode(&m); err != nil {
			t.Fatal(err)
		}
		var tags []string
		for _, e := range m {
			tags = append(tags, e.RepoTags...)
		}
		return tags
	}
}

// writeDockerSave turns the single-image OCI export at layoutTar into what
// `docker save NAME | gzip` writes: manifest.json naming the config and
// uncompressed layer.tar files, then gzip over the whole tar.
func writeDockerSave(path, layoutTar, name string) error {
	blobs := map[string][]byte{}
	fh, err := os.Open(layoutTar)
	if err != nil {
		return err
	}
	defer fh.Close()
	tr := tar.NewReader(fh)
	var index ocispec.Index
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		switch {
		case h.Name == "index.json":
			if err := json.Unmarshal(b, &index); err != nil {
				return err
			}
		case strings.HasPrefix(h.Name, "blobs/sha256/"):
			blobs["sha256:"+strings.TrimPrefix(h.Name, "blobs/sha256/")] = b
		}
	}
	if len(index.Manifests) == 0 {
		return errors.New("no manifest in the layout")
	}
	var mf ocispec.Manifest
	if err := json.Unmarshal(blobs[index.Manifests[0].Digest.String()], &mf); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := gzip.NewWriter(out)
	tw := tar.NewWriter(zw)
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	cfgName := mf.Config.Digest.Encoded() + ".json"
	if err := add(cfgName, blobs[mf.Config.Digest.String()]); err != nil {
		return err
	}
	var layers []string
	for _, l := range mf.Layers {
		zr, err := gzip.NewReader(bytes.NewReader(blobs[l.Digest.String()]))
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		name := l.Digest.Encoded() + "/layer.tar"
		if err := add(name, raw); err != nil {
			return err
		}
		layers = append(layers, name)
	}
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{name}, "Layers": layers}})
	if err := add("manifest.json", manifest); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// pullCancelMidLayer cancels a pull through the slow proxy once a layer is
// on its way and checks that the namespace is as it was.
func pullCancelMidLayer(ctx context.Context, t *testing.T, f *opsFixture, slow string, local bool) {
	c := f.c
	before := f.state(t, ctx, "cancel")
	pctx, pcancel := context.WithCancel(ctx)
	defer pcancel()
	var pl progressLog
	var midway backend.Progress
	var once sync.Once
	pl.hook = func(p backend.Progress) {
		for _, it := range p.Items {
			if it.Kind == backend.ItemLayer && it.Status == backend.StatusDownloading && it.Offset > 0 {
				once.Do(func() { midway = p; pcancel() })
			}
		}
	}
	ref := slow + "/" + f.repo + "/big:v1"
	_, err := c.PullImage(pctx, "cancel", backend.PullOptions{Ref: ref, Registry: isolated(t, true, ""), Local: local}, pl.fn())
	opsWantErr(t, err, backend.ErrCanceled, "canceled")
	if midway.Done == 0 {
		t.Fatalf("canceled before a layer was on its way; last progress %+v", pl.last())
	}
	t.Logf("canceled while %s at %d of %d bytes", midway.Phase, midway.Done, midway.Total)
	f.sameState(t, ctx, "cancel", before)
}

// slowProxy serves target (a registry URL) on a loopback port of its own,
// sending response bodies at most rate bytes a second, and returns its
// host:port.
func slowProxy(t *testing.T, target string, rate int) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		r.Body = &slowBody{ReadCloser: r.Body, rate: rate, start: time.Now()}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

type slowBody struct {
	io.ReadCloser
	rate  int
	start time.Time
	n     int
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	n, err := b.ReadCloser.Read(p)
	b.n += n
	if due := time.Duration(float64(b.n) / float64(b.rate) * float64(time.Second)); due > time.Since(b.start) {
		time.Sleep(due - time.Since(b.start))
	}
	return n, err
}
