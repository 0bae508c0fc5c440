package fake

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/distribution/reference"

	"github.com/ctui/ctui/backend"
)

// Actions is a fake containerd that also changes images: the image actions
// edit the Native's image lists, so a model test sees a pulled or tagged
// image appear in the images page after its re-list.
type Actions struct {
	*Native
	// Logins is the login store the UI is given (ui.Options.Registry),
	// so a test can see what the password dialog stored.
	Logins *Logins
	// Protected registries by host, each with the "user:password" it
	// takes: pulls and pushes fail with ErrAuth (or ErrNeedPassword for a
	// user without a password) until --creds or Logins hold them.
	Protected map[string]string
	// Slow makes pulls, imports, exports and pushes report progress until
	// their ctx ends, as a big image would.
	Slow bool
	// Tars are the images an import finds in a tar, by path.
	Tars map[string][]backend.Image

	mu    sync.Mutex
	calls []string
}

var _ backend.ImageActions = (*Actions)(nil)

// Calls lists the actions run, as "pull REF", "tag SRC TARGET", ...
func (a *Actions) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

func (a *Actions) record(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, fmt.Sprintf(format, args...))
}

// auth checks credentials as backend/registry would for a protected host.
func (a *Actions) auth(ref string, o backend.RegistryOptions) error {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return backend.Errorf(backend.ErrInvalid, "%q is not a valid image reference", ref)
	}
	host := reference.Domain(n)
	want, ok := a.Protected[host]
	if !ok {
		return nil
	}
	if o.Creds != "" {
		if !strings.Contains(o.Creds, ":") || strings.HasSuffix(o.Creds, ":") {
			return backend.Errorf(backend.ErrNeedPassword, "password needed for user %s to log in to %s", strings.TrimSuffix(o.Creds, ":"), host)
		}
		if o.Creds == want {
			return nil
		}
		return backend.Errorf(backend.ErrAuth, "%s refused the credentials (user from --creds)", host)
	}
	if a.Logins != nil {
		if u, p, ok := a.Logins.Get(host); ok {
			if u+":"+p == want {
				return nil
			}
			return backend.Errorf(backend.ErrAuth, "%s refused the credentials (user %s from the login typed into ctui)", host, u)
		}
	}
	return backend.Errorf(backend.ErrAuth, "%s requires credentials and none were found", host)
}

// transfer reports progress: at once to done, or, when Slow, on and on
// until ctx ends.
func (a *Actions) transfer(ctx context.Context, phase string, progress backend.ProgressFunc) error {
	start := time.Now()
	const total = 64 << 20
	if !a.Slow {
		progress.Report(backend.Progress{Phase: "done", Done: total, Total: total, Start: start, Now: time.Now()})
		return nil
	}
	for i := int64(1); ; i++ {
		progress.Report(backend.Progress{Phase: phase, Done: min(i<<16, total-1), Total: total, Start: start, Now: time.Now(), Rate: 1 << 20,
			Items: []backend.ProgressItem{{Kind: backend.ItemLayer, Digest: "sha256:1111111111111111", Status: backend.StatusDownloading, Offset: min(i<<16, total-1), Total: total}}})
		select {
		case <-ctx.Done():
			return backend.Errorf(backend.ErrCanceled, "%s: canceled; nothing of it was kept", phase)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func digestOf(ref string) string {
	return fmt.Sprintf("sha256:%064x", len(ref)*7919+int(ref[len(ref)-1]))
}

// PullImage implements backend.ImageActions.
func (a *Actions) PullImage(ctx context.Context, ns string, o backend.PullOptions, progress backend.ProgressFunc) (backend.PullResult, error) {
	a.record("pull %s", o.Ref)
	ref, err := backend.NormalizeRef(o.Ref)
	if err != nil {
		return backend.PullResult{}, err
	}
	if err := a.auth(ref, o.Registry); err != nil {
		return backend.PullResult{}, err
	}
	if err := a.transfer(ctx, "fetching", progress); err != nil {
		return backend.PullResult{}, err
	}
	img := backend.Image{Name: ref, Digest: digestOf(ref)}
	a.put(ns, img)
	return backend.PullResult{Image: img, Snapshotter: "overlayfs", Bytes: 64 << 20}, nil
}

// put adds or replaces an image record.
func (a *Actions) put(ns string, img backend.Image) {
	a.Native.mu.Lock()
	defer a.Native.mu.Unlock()
	imgs := a.Native.ImagesByNS[ns]
	for i := range imgs {
		if imgs[i].Name == img.Name {
			imgs[i] = img
			return
		}
	}
	if a.Native.ImagesByNS == nil {
		a.Native.ImagesByNS = map[string][]backend.Image{}
	}
	a.Native.ImagesByNS[ns] = append(imgs, img)
}

func (a *Actions) get(ns, name string) (backend.Image, bool) {
	a.Native.mu.Lock()
	defer a.Native.mu.Unlock()
	for _, img := range a.Native.ImagesByNS[ns] {
		if img.Name == name {
			return img, true
		}
	}
	return backend.Image{}, false
}

// TagImage implements backend.ImageActions, with ctr 1.6's --force rule.
func (a *Actions) TagImage(ctx context.Context, ns string, o backend.TagOptions) (backend.Image, error) {
	a.record("tag %s %s force=%v", o.Source, o.Target, o.Force)
	src, ok := a.get(ns, o.Source)
	if !ok {
		return backend.Image{}, backend.Errorf(backend.ErrNotFound, "tag %s as %s: there is no image %s in namespace %s", o.Source, o.Target, o.Source, ns)
	}
	if cur, ok := a.get(ns, o.Target); ok && cur.Digest != src.Digest && !o.Force {
		return backend.Image{}, backend.Errorf(backend.ErrAlreadyExists, "tag %s as %s: %s already exists in namespace %s and names another image; replace it (ctr images tag --force)?", o.Source, o.Target, o.Target, ns)
	}
	img := src
	img.Name = o.Target
	a.put(ns, img)
	return img, nil
}

// ImportImages implements backend.ImageActions from Tars.
func (a *Actions) ImportImages(ctx context.Context, ns string, o backend.ImportOptions, progress backend.ProgressFunc) ([]backend.Image, error) {
	a.record("import %s", o.Path)
	imgs, ok := a.Tars[o.Path]
	if !ok {
		return nil, backend.Errorf(backend.ErrNotFound, "import %s: no such file", o.Path)
	}
	if err := a.transfer(ctx, "importing", progress); err != nil {
		return nil, err
	}
	for _, img := range imgs {
		a.put(ns, img)
	}
	return imgs, nil
}

// ExportImages implements backend.ImageActions: it writes the refs, one a
// line, to o.Path, which is enough for an existing-file question.
func (a *Actions) ExportImages(ctx context.Context, ns string, o backend.ExportOptions, progress backend.ProgressFunc) (int64, error) {
	a.record("export %s %s overwrite=%v", strings.Join(o.Refs, ","), o.Path, o.Overwrite)
	if _, err := os.Stat(o.Path); err == nil && !o.Overwrite {
		return 0, backend.Errorf(backend.ErrAlreadyExists, "export to %s: %s already exists; overwrite it?", o.Path, o.Path)
	}
	if err := a.transfer(ctx, "exporting", progress); err != nil {
		return 0, err
	}
	data := strings.Join(o.Refs, "\n") + "\n"
	return int64(len(data)), os.WriteFile(o.Path, []byte(data), 0o644)
}

// PushImage implements backend.ImageActions.
func (a *Actions) PushImage(ctx context.Context, ns string, o backend.PushOptions, progress backend.ProgressFunc) (backend.PushResult, error) {
	a.record("push %s %s", o.Ref, o.Local)
	if err := a.auth(o.Ref, o.Registry); err != nil {
		return backend.PushResult{}, err
	}
	if err := a.transfer(ctx, "pushing", progress); err != nil {
		return backend.PushResult{}, err
	}
	return backend.PushResult{Ref: o.Ref, Digest: digestOf(o.Ref), Bytes: 64 << 20}, nil
}

// RemoveImages implements backend.ImageActions.
func (a *Actions) RemoveImages(ctx context.Context, ns string, o backend.RemoveOptions) error {
	a.record("remove %s sync=%v", strings.Join(o.Refs, ","), o.Sync)
	a.Native.mu.Lock()
	defer a.Native.mu.Unlock()
	imgs := a.Native.ImagesByNS[ns][:0:0]
	for _, img := range a.Native.ImagesByNS[ns] {
		if !slices.Contains(o.Refs, img.Name) {
			imgs = append(imgs, img)
		}
	}
	a.Native.ImagesByNS[ns] = imgs
	return nil
}

// ImageUsers implements backend.ImageActions from the Native's containers.
func (a *Actions) ImageUsers(ctx context.Context, ns string, refs []string) ([]backend.ImageUser, error) {
	a.Native.mu.Lock()
	defer a.Native.mu.Unlock()
	var out []backend.ImageUser
	for _, c := range a.Native.Ctrs[ns] {
		if slices.Contains(refs, c.Image) {
			out = append(out, backend.ImageUser{Image: c.Image, Container: c.ID, Running: c.Status() == backend.TaskRunning})
		}
	}
	return out, nil
}

// Logins is a fake of the session's typed logins (backend.LoginStore) that
// a test can read back.
type Logins struct {
	mu sync.Mutex
	m  map[string][2]string
}

var _ backend.LoginStore = (*Logins)(nil)

// Set implements backend.LoginStore.
func (l *Logins) Set(host, user, secret string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string][2]string{}
	}
	l.m[host] = [2]string{user, secret}
}

// Forget implements backend.LoginStore.
func (l *Logins) Forget(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, host)
}

// User implements backend.LoginStore.
func (l *Logins) User(host string) string {
	u, _, _ := l.Get(host)
	return u
}

// Get returns what Set stored for host.
func (l *Logins) Get(host string) (user, secret string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.m[host]
	return c[0], c[1], ok
}

// CRIPuller is a fake CRI runtime that pulls, as kubelet's pulls go: into
// the Native's k8s.io images, with credentials in the request.
type CRIPuller struct {
	*Runtime
	Native *Native
	// Protected as in Actions: host -> "user:password".
	Protected map[string]string

	mu    sync.Mutex
	pulls []backend.CRIPullOptions
}

// Pulls lists the pulls asked for.
func (c *CRIPuller) Pulls() []backend.CRIPullOptions {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.pulls)
}

// PullImage pulls through "CRI".
func (c *CRIPuller) PullImage(ctx context.Context, o backend.CRIPullOptions) (string, error) {
	c.mu.Lock()
	c.pulls = append(c.pulls, o)
	c.mu.Unlock()
	ref, err := backend.NormalizeRef(o.Ref)
	if err != nil {
		return "", err
	}
	n, _ := reference.ParseNormalizedNamed(ref)
	if want, ok := c.Protected[reference.Domain(n)]; ok && o.Creds != want {
		return "", backend.Errorf(backend.ErrAuth, "pull %s through CRI: %s refused the credentials", ref, reference.Domain(n))
	}
	a := &Actions{Native: c.Native}
	a.put(backend.CRINamespace, backend.Image{Name: ref, Digest: digestOf(ref)})
	return digestOf(ref), nil
}
