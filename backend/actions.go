package backend

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/distribution/reference"
)

// ActionKind names an image action the way the jobs view and the command log
// name it.
type ActionKind string

// The image actions of the images view.
const (
	ActionPull   ActionKind = "pull"
	ActionTag    ActionKind = "tag"
	ActionImport ActionKind = "import"
	ActionExport ActionKind = "export"
	ActionPush   ActionKind = "push"
	ActionRemove ActionKind = "remove"
)

// Action is what every option struct below is: enough to run the action and
// to describe it before, while and after it runs. The UI keeps the Action in
// its Job and renders CommandLine into the command log once it finished.
type Action interface {
	Kind() ActionKind
	// Subject is what the action works on, for the jobs view: a ref, a
	// list of refs, or a path.
	Subject() string
	// CommandLine is the equivalent ctr or crictl invocation against the
	// same socket and namespace. It never holds a secret: a password
	// becomes an interactive prompt (ctr -u user) or a placeholder.
	CommandLine(cfg Config, namespace string) string
}

// Job is one action the UI runs in the background (pull, push, import,
// export), or at once (tag, remove) but logs the same way. The UI fills it
// in when it starts the action; the backend never keeps jobs.
type Job struct {
	Action    Action
	Namespace string
	// Via says which API did the work, for "which path was used": "CRI"
	// for a kubelet-style pull, "containerd" otherwise.
	Via      string
	Started  time.Time
	Finished time.Time // zero while running
	Err      error     // nil on success; errors.Is(Err, ErrCanceled) after esc
	// Progress is the last progress the job reported.
	Progress Progress
	// Note is what the action said about how it went, such as the
	// registry resolution (registry.Resolution.Describe) or the images an
	// import created. It holds no secret.
	Note string
}

// Title is the one-line description of the job for lists.
func (j Job) Title() string {
	if j.Action == nil {
		return ""
	}
	return string(j.Action.Kind()) + " " + j.Action.Subject()
}

// Running reports whether the job has not finished yet.
func (j Job) Running() bool { return j.Finished.IsZero() }

// ItemKind is what one piece of content in a transfer is.
type ItemKind string

// The kinds of content an image is made of, as ctr keys its progress lines
// (index-, manifest-, config-, layer-<digest>).
const (
	ItemIndex    ItemKind = "index"
	ItemManifest ItemKind = "manifest"
	ItemConfig   ItemKind = "config"
	ItemLayer    ItemKind = "layer"
	ItemArchive  ItemKind = "archive" // the tar of an import or export
	ItemUnknown  ItemKind = "unknown"
)

// ItemStatus is where one piece of content is, with ctr's progress words
// plus the unpack step.
type ItemStatus string

// The states ctr shows (resolving, waiting, downloading, done, exists,
// uploading, committing) and the ones the transfer service adds for unpack.
const (
	StatusResolving   ItemStatus = "resolving"
	StatusWaiting     ItemStatus = "waiting"
	StatusDownloading ItemStatus = "downloading"
	StatusUploading   ItemStatus = "uploading"
	StatusCommitting  ItemStatus = "committing"
	StatusExtracting  ItemStatus = "extracting"
	StatusReading     ItemStatus = "reading"
	StatusWriting     ItemStatus = "writing"
	StatusDone        ItemStatus = "done"
	StatusExists      ItemStatus = "exists" // was already in the store or registry
)

// Finished reports whether the item needs no more work.
func (s ItemStatus) Finished() bool { return s == StatusDone || s == StatusExists }

// ProgressItem is one line of a job's progress: one blob, or the archive.
type ProgressItem struct {
	Kind   ItemKind
	Digest string // "" for the archive of an import or export
	Status ItemStatus
	Offset int64 // bytes moved so far
	Total  int64 // bytes expected; 0 when not known yet
}

// Progress is a snapshot of a running job, reported about ten times a second
// as ctr refreshes its own display. Items are in the order the job met them
// (index, manifest, config, layers), so lines do not jump around.
type Progress struct {
	Phase string // "resolving", "fetching", "unpacking", "pushing", "importing", "exporting", "done"
	Items []ProgressItem
	// Done and Total are the bytes of the whole job: the sum of the items
	// that move data (exists items count neither), or the archive's bytes.
	// Total is 0 while unknown.
	Done  int64
	Total int64
	Start time.Time
	Now   time.Time
	// Rate is bytes per second over the last few seconds, so a stall shows
	// as a falling rate rather than the average since the start.
	Rate float64
}

// Elapsed is how long the job has run.
func (p Progress) Elapsed() time.Duration {
	if p.Start.IsZero() || p.Now.Before(p.Start) {
		return 0
	}
	return p.Now.Sub(p.Start)
}

// AverageRate is bytes per second since the start.
func (p Progress) AverageRate() float64 {
	el := p.Elapsed().Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.Done) / el
}

// ETA is the time left at the current rate; ok is false when it cannot be
// known (no total yet, or nothing moving).
func (p Progress) ETA() (left time.Duration, ok bool) {
	rate := p.Rate
	if rate <= 0 {
		rate = p.AverageRate()
	}
	if p.Total <= 0 || rate <= 0 || p.Done > p.Total {
		return 0, false
	}
	return time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second)).Round(time.Second), true
}

// Fraction is Done/Total in [0,1], or -1 when Total is not known.
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return -1
	}
	f := float64(p.Done) / float64(p.Total)
	return min(max(f, 0), 1)
}

// ProgressFunc receives progress snapshots. It is called from the job's own
// goroutine and must not block: the UI hands the snapshot to a channel with
// LatestProgress or similar, never to Update directly. nil means nobody
// listens.
type ProgressFunc func(Progress)

// Report calls f with p when f is set.
func (f ProgressFunc) Report(p Progress) {
	if f != nil {
		f(p)
	}
}

// LatestProgress returns a ProgressFunc that never blocks and a channel that
// always holds the newest snapshot: a slow reader (the UI waiting for its
// next frame) skips intermediate ones instead of stalling the transfer. The
// channel is never closed; the job's own result says when it ended.
func LatestProgress() (ProgressFunc, <-chan Progress) {
	ch := make(chan Progress, 1)
	var mu sync.Mutex
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-ch: // drop the stale one
		default:
		}
		ch <- p
	}, ch
}

// RateMeter smooths a byte counter into a rate over a sliding window. Adapters
// keep one per job and fill Progress.Rate from it.
type RateMeter struct {
	Window  time.Duration // 3 s when zero
	samples []rateSample
}

type rateSample struct {
	at    time.Time
	bytes int64
}

// Observe records that done bytes had moved at now and returns the rate over
// the window.
func (m *RateMeter) Observe(now time.Time, done int64) float64 {
	w := m.Window
	if w <= 0 {
		w = 3 * time.Second
	}
	m.samples = append(m.samples, rateSample{now, done})
	cut := 0
	for cut < len(m.samples)-2 && now.Sub(m.samples[cut+1].at) >= w {
		cut++
	}
	m.samples = m.samples[cut:]
	first := m.samples[0]
	dt := now.Sub(first.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(done-first.bytes) / dt
}

// CountingReader counts the bytes read through it, safely for a progress
// poller on another goroutine. Import and export report progress with it.
type CountingReader struct {
	R io.Reader
	n int64
	m sync.Mutex
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.m.Lock()
	c.n += int64(n)
	c.m.Unlock()
	return n, err
}

// N is the number of bytes read so far.
func (c *CountingReader) N() int64 {
	c.m.Lock()
	defer c.m.Unlock()
	return c.n
}

// RegistryOptions are how a pull or push reaches its registry. They mirror
// registry.Options field for field (backend/registry imports this package,
// so it cannot be named here); the containerd adapter copies them over.
type RegistryOptions struct {
	// HostsDirs are certs.d roots searched for <host>/hosts.toml; nil
	// means CRI's default config_path, empty non-nil means none.
	HostsDirs []string
	// RegistriesYAML are k3s/RKE2 registries.yaml files; nil means the
	// default paths, empty non-nil means none.
	RegistriesYAML []string
	// DockerConfig is docker's config.json; "" the default, "-" none.
	DockerConfig string
	// Creds is "user:password" (ctr -u, crictl --creds); "user" alone
	// gives ErrNeedPassword for the UI to ask with echo off.
	Creds string
	// Logins are the credentials typed into ctui this session: a
	// *registry.Logins, which the UI creates once and keeps.
	Logins LoginStore
	// PlainHTTP is ctr's --plain-http, SkipVerify its --skip-verify.
	PlainHTTP  bool
	SkipVerify bool
}

// LoginStore is what the credentials dialog does with *registry.Logins.
type LoginStore interface {
	Set(host, username, secret string)
	Forget(host string)
	// User is the user name typed for host ("" when none), so that the
	// command log names it as ctr's --user; the secret never leaves.
	User(host string) string
}

// NormalizeRef validates ref and expands it as docker, CRI and ctui's pulls
// do: nginx -> docker.io/library/nginx:latest. A bare image id is refused:
// it names content, not a name an image can be given.
func NormalizeRef(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", Errorf(ErrInvalid, "no image reference given")
	}
	if isImageID(ref) {
		return "", Errorf(ErrInvalid, "%q is an image id, not a name; give a name such as registry/repository:tag", ref)
	}
	named, err := reference.ParseDockerRef(ref)
	if err != nil {
		return "", &Error{Kind: ErrInvalid, Err: err, Msg: fmt.Sprintf("%q is not a valid image reference: %v", ref, err)}
	}
	return named.String(), nil
}

// PullOptions describe a pull (ctr images pull, crictl pull).
type PullOptions struct {
	Ref string // as typed; normalized (nginx -> docker.io/library/nginx:latest) before use
	// Platforms to pull; empty means the node's platform. More than one,
	// or AllPlatforms, fetches all of them but unpacks only the node's.
	Platforms    []string
	AllPlatforms bool
	// NoUnpack leaves the layers packed (ctr content fetch); by default
	// the image is unpacked into Snapshotter.
	NoUnpack bool
	// Snapshotter to unpack into; "" means the namespace's default
	// (label containerd.io/defaults/snapshotter, else overlayfs).
	Snapshotter string
	// Registry: hosts directories, k3s registries.yaml, credentials
	// (Creds "user:password", Logins), PlainHTTP, SkipVerify.
	Registry RegistryOptions
	// Local pulls on the client side even where containerd 2.x's
	// transfer service could do it (ctr --local).
	Local bool
}

// Kind is ActionPull.
func (o PullOptions) Kind() ActionKind { return ActionPull }

// Subject is the reference.
func (o PullOptions) Subject() string { return o.Ref }

// CommandLine renders `ctr images pull` (or `ctr content fetch` without
// unpack) with the same registry flags. ctr reads hosts.toml only with
// --hosts-dir, so the first hosts directory is always named.
func (o PullOptions) CommandLine(cfg Config, ns string) string {
	args := ctrBase(cfg, ns)
	if o.NoUnpack {
		args = append(args, "content", "fetch")
	} else {
		args = append(args, "images", "pull")
	}
	if o.Local && !o.NoUnpack {
		args = append(args, "--local")
	}
	args = append(args, registryFlags(o.Registry, o.Ref)...)
	switch {
	case o.AllPlatforms:
		args = append(args, "--all-platforms")
	default:
		for _, p := range o.Platforms {
			args = append(args, "--platform", p)
		}
	}
	if o.Snapshotter != "" && !o.NoUnpack {
		args = append(args, "--snapshotter", o.Snapshotter)
	}
	return shellJoin(append(args, normalizedRef(o.Ref)))
}

// CRIPullOptions describe a pull through CRI, as kubelet and crictl pull:
// the daemon's own registry configuration applies, and the credentials go
// in the request.
type CRIPullOptions struct {
	Ref string
	// Creds is "user:password" (crictl --creds); Auth is the base64
	// "user:password" of a docker config (crictl --auth). Not both.
	Creds string
	Auth  string
	// ServerAddress is sent with the credentials, as a URL
	// (https://host:port); containerd ignores credentials whose address
	// is not the image's registry host. "" (crictl's choice) sends them
	// to that host whatever it is.
	ServerAddress string
}

// Kind is ActionPull.
func (o CRIPullOptions) Kind() ActionKind { return ActionPull }

// Subject is the reference.
func (o CRIPullOptions) Subject() string { return o.Ref }

// CommandLine renders `crictl pull` with the password replaced by a
// placeholder, since crictl takes it only on the command line.
func (o CRIPullOptions) CommandLine(cfg Config, _ string) string {
	args := crictlBase(cfg)
	args = append(args, "pull")
	if o.Creds != "" {
		user, _, _ := strings.Cut(o.Creds, ":")
		args = append(args, "--creds", user+":<password>")
	}
	if o.Auth != "" {
		args = append(args, "--auth", "<auth>")
	}
	return shellJoin(append(args, o.Ref))
}

// TagOptions describe a tag (ctr images tag): Target is a new name for the
// image Source names.
type TagOptions struct {
	Source string
	Target string // normalized as ctr does before use
	// Force replaces an existing Target (ctr 1.6 --force: delete, then
	// create); without it an existing Target is ErrAlreadyExists.
	Force bool
}

// Kind is ActionTag.
func (o TagOptions) Kind() ActionKind { return ActionTag }

// Subject is "source -> target", the source alone before the target is
// known (the --readonly sentence of the t key).
func (o TagOptions) Subject() string { return arrow(o.Source, o.Target) }

// CommandLine renders `ctr images tag`.
func (o TagOptions) CommandLine(cfg Config, ns string) string {
	args := append(ctrBase(cfg, ns), "images", "tag")
	if o.Force {
		args = append(args, "--force")
	}
	return shellJoin(append(args, o.Source, normalizedRef(o.Target)))
}

// ImportOptions describe an import (ctr images import) of an OCI layout or
// docker-save tar, gzip-compressed or not.
type ImportOptions struct {
	// Path of the tar; Reader instead of it when set (Path then only
	// names it in messages). Size is the reader's length if known, for
	// progress; a Path's size is read from the file.
	Path   string
	Reader io.Reader
	Size   int64
	// BaseName: ctr --base-name. Names that are only a tag get it as
	// prefix, and only images under it are imported; "" means
	// import-YYYY-MM-DD as prefix for tag-only names, nothing filtered.
	BaseName string
	// Digests also names each image BaseName@digest (ctr --digests).
	Digests bool
	// IndexName names the archive's index as an image (ctr --index-name).
	IndexName    string
	AllPlatforms bool
	Platform     string // "" means the node's platform
	NoUnpack     bool
	Snapshotter  string // "" means the namespace's default
}

// Kind is ActionImport.
func (o ImportOptions) Kind() ActionKind { return ActionImport }

// Subject is the path.
func (o ImportOptions) Subject() string { return o.Path }

// CommandLine renders `ctr images import`. ctr 1.6 cannot read a gzip'd
// archive (2.x can); ctui can with either daemon.
func (o ImportOptions) CommandLine(cfg Config, ns string) string {
	args := append(ctrBase(cfg, ns), "images", "import")
	if o.BaseName != "" {
		args = append(args, "--base-name", o.BaseName)
	}
	if o.Digests {
		args = append(args, "--digests")
	}
	if o.IndexName != "" {
		args = append(args, "--index-name", o.IndexName)
	}
	if o.AllPlatforms {
		args = append(args, "--all-platforms")
	}
	if o.Platform != "" {
		args = append(args, "--platform", o.Platform)
	}
	if o.NoUnpack {
		args = append(args, "--no-unpack")
	}
	if o.Snapshotter != "" {
		args = append(args, "--snapshotter", o.Snapshotter)
	}
	path := o.Path
	if path == "" {
		path = "-"
	}
	return shellJoin(append(args, path))
}

// ExportOptions describe an export (ctr images export) of one or more images
// to a tar holding an OCI layout and docker's manifest.json.
type ExportOptions struct {
	Refs []string
	Path string
	// Platforms to export; empty means the node's platform.
	Platforms    []string
	AllPlatforms bool
	// SkipManifestJSON leaves docker's manifest.json out (then docker
	// load cannot read the tar).
	SkipManifestJSON bool
	// Overwrite replaces an existing Path; without it an existing Path is
	// ErrAlreadyExists, for the UI to ask.
	Overwrite bool
}

// Kind is ActionExport.
func (o ExportOptions) Kind() ActionKind { return ActionExport }

// Subject is "refs -> path", the refs alone before the path is known.
func (o ExportOptions) Subject() string { return arrow(strings.Join(o.Refs, ", "), o.Path) }

// arrow is "from -> to", or from alone when to is not known yet, so that
// no sentence reads "tag busybox -> : ...".
func arrow(from, to string) string {
	if to == "" {
		return from
	}
	return from + " -> " + to
}

// CommandLine renders `ctr images export`.
func (o ExportOptions) CommandLine(cfg Config, ns string) string {
	args := append(ctrBase(cfg, ns), "images", "export")
	if o.AllPlatforms {
		args = append(args, "--all-platforms")
	}
	for _, p := range o.Platforms {
		args = append(args, "--platform", p)
	}
	if o.SkipManifestJSON {
		args = append(args, "--skip-manifest-json")
	}
	return shellJoin(append(append(args, o.Path), o.Refs...))
}

// PushOptions describe a push (ctr images push remote [local]).
type PushOptions struct {
	// Ref is the remote reference; Local the image to push ("" means an
	// image named Ref).
	Ref   string
	Local string
	// Platform limits the push to one platform's manifest; "" pushes all
	// the image has.
	Platform string
	Registry RegistryOptions
}

// Kind is ActionPush.
func (o PushOptions) Kind() ActionKind { return ActionPush }

// Subject is the remote reference.
func (o PushOptions) Subject() string { return o.Ref }

// CommandLine renders `ctr images push`.
func (o PushOptions) CommandLine(cfg Config, ns string) string {
	args := append(ctrBase(cfg, ns), "images", "push")
	args = append(args, registryFlags(o.Registry, o.Ref)...)
	if o.Platform != "" {
		args = append(args, "--platform", o.Platform)
	}
	args = append(args, normalizedRef(o.Ref))
	if o.Local != "" && o.Local != o.Ref {
		args = append(args, o.Local)
	}
	return shellJoin(args)
}

// RemoveOptions describe removing image names (ctr images rm).
type RemoveOptions struct {
	Refs []string
	// Sync waits for garbage collection after the last name is deleted
	// (ctr --sync), so the space is free when the call returns.
	Sync bool
}

// Kind is ActionRemove.
func (o RemoveOptions) Kind() ActionKind { return ActionRemove }

// Subject lists the refs.
func (o RemoveOptions) Subject() string { return strings.Join(o.Refs, ", ") }

// CommandLine renders `ctr images rm`.
func (o RemoveOptions) CommandLine(cfg Config, ns string) string {
	args := append(ctrBase(cfg, ns), "images", "rm")
	if o.Sync {
		args = append(args, "--sync")
	}
	return shellJoin(append(args, o.Refs...))
}

// CRIRemoveOptions describe `crictl rmi`: the image with that id (or a ref
// of it) goes with all its names.
type CRIRemoveOptions struct {
	ID string
}

// Kind is ActionRemove.
func (o CRIRemoveOptions) Kind() ActionKind { return ActionRemove }

// Subject is the image id.
func (o CRIRemoveOptions) Subject() string { return o.ID }

// CommandLine renders `crictl rmi`.
func (o CRIRemoveOptions) CommandLine(cfg Config, _ string) string {
	return shellJoin(append(crictlBase(cfg), "rmi", o.ID))
}

// Guard refuses any action under --readonly with a sentence; the UI binds no
// action key then, and this is the second line of defence for `:` commands.
func (c Config) Guard(a Action) error {
	if !c.Readonly {
		return nil
	}
	what := "this action"
	if a != nil {
		what = string(a.Kind()) + " " + a.Subject()
	}
	return Errorf(ErrReadonly, "%s: ctui runs with --readonly, which allows no changes to the node; restart it without --readonly to %s", what, strings.TrimSuffix(string(kindOf(a)), " "))
}

func kindOf(a Action) ActionKind {
	if a == nil {
		return "change anything"
	}
	return a.Kind()
}

// defaultAddress is ctr's default socket; the command line names another.
const defaultAddress = "/run/containerd/containerd.sock"

func ctrBase(cfg Config, ns string) []string {
	args := []string{"ctr"}
	if cfg.Address != "" && cfg.Address != defaultAddress {
		args = append(args, "--address", cfg.Address)
	}
	if ns != "" && ns != DefaultNamespace {
		args = append(args, "--namespace", ns)
	}
	return args
}

func crictlBase(cfg Config) []string {
	args := []string{"crictl"}
	ep := cfg.ImageEndpoint
	if ep == "" {
		ep = cfg.RuntimeEndpoint
	}
	if ep != "" {
		args = append(args, "--image-endpoint", ep)
	}
	return args
}

// registryFlags are ctr's flags for the same registry options, ref's
// registry reached with them. A password never appears: ctr -u user asks
// for it with echo off. A login typed into ctui counts as --creds would:
// without its --user the line would fail where ctui's action worked.
func registryFlags(o RegistryOptions, ref string) []string {
	var args []string
	if o.PlainHTTP {
		args = append(args, "--plain-http")
	}
	if o.SkipVerify {
		args = append(args, "--skip-verify")
	}
	switch {
	case o.HostsDirs == nil:
		args = append(args, "--hosts-dir", "/etc/containerd/certs.d")
	case len(o.HostsDirs) > 0:
		args = append(args, "--hosts-dir", o.HostsDirs[0])
	}
	switch {
	case o.Creds != "":
		user, _, _ := strings.Cut(o.Creds, ":")
		args = append(args, "--user", user)
	case o.Logins != nil:
		if named, err := reference.ParseNormalizedNamed(strings.TrimSpace(ref)); err == nil {
			if user := o.Logins.User(reference.Domain(named)); user != "" {
				args = append(args, "--user", user)
			}
		}
	}
	return args
}

// isImageID reports a bare content digest, sha256:<64 hex> or the 64 hex
// alone: reference.ParseAnyReference takes it as an id, ParseDockerRef would
// make a repository of it.
func isImageID(s string) bool {
	s = strings.TrimPrefix(s, "sha256:")
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// normalizedRef is ref as the action uses it (docker.io/library/ expanded),
// since ctr itself does not normalize; the typed text when it is invalid.
func normalizedRef(ref string) string {
	if n, err := NormalizeRef(ref); err == nil {
		return n
	}
	return ref
}

// shellJoin quotes each argument for a POSIX shell when it needs it, so a
// logged command can be pasted as it is.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return strings.Join(out, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ImageUser is a container that still uses an image, for the remove dialog.
type ImageUser struct {
	Image     string // the image name the container was created from
	Container string
	Pod       string // "namespace/name" for CRI containers, else ""
	Running   bool
}

// String names the container the way the dialog lists it.
func (u ImageUser) String() string {
	s := u.Container
	if u.Pod != "" {
		s += fmt.Sprintf(" (pod %s)", u.Pod)
	}
	if u.Running {
		s += " [running]"
	}
	return s
}

// SortImageUsers orders users by image, then container id.
func SortImageUsers(us []ImageUser) {
	sort.Slice(us, func(i, j int) bool {
		if us[i].Image != us[j].Image {
			return us[i].Image < us[j].Image
		}
		return us[i].Container < us[j].Container
	})
}

// ImageActions is what the images view needs to change images through
// containerd's own API. The containerd adapter implements it, with progress
// for the long ones; every error is an *Error sentence.
type ImageActions interface {
	PullImage(ctx context.Context, ns string, o PullOptions, progress ProgressFunc) (PullResult, error)
	TagImage(ctx context.Context, ns string, o TagOptions) (Image, error)
	ImportImages(ctx context.Context, ns string, o ImportOptions, progress ProgressFunc) ([]Image, error)
	ExportImages(ctx context.Context, ns string, o ExportOptions, progress ProgressFunc) (int64, error)
	PushImage(ctx context.Context, ns string, o PushOptions, progress ProgressFunc) (PushResult, error)
	RemoveImages(ctx context.Context, ns string, o RemoveOptions) error
	ImageUsers(ctx context.Context, ns string, refs []string) ([]ImageUser, error)
}

// PullResult is what a pull made.
type PullResult struct {
	Image       Image  // the image record created or updated
	Snapshotter string // where it was unpacked; "" when not unpacked
	// Registry says how the registry was reached (registry.Resolution
	// Describe): for the command log, without secrets.
	Registry string
	Bytes    int64 // bytes fetched (content already present not counted)
	// Transfer is true when containerd's transfer service pulled (2.x),
	// false for a client-side pull.
	Transfer bool
}

// PushResult is what a push did.
type PushResult struct {
	Ref      string // the normalized remote reference
	Digest   string // the digest pushed (the manifest or index)
	Registry string // as PullResult.Registry
	Bytes    int64  // bytes uploaded (blobs the registry had not counted)
}
