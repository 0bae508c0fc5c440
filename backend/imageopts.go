package backend

import (
	"fmt"
	"io"
	"strings"

	"github.com/distribution/reference"
)

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
