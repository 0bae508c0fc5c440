// Package registry decides how ctui talks to an image registry, the way
// containerd, ctr and k3s decide it, and hands the answer to the containerd
// client as a remotes.Resolver:
//
//   - hosts.toml directories (CRI's config_path, ctr's --hosts-dir), read by
//     containerd's own config.ConfigureHosts, so mirrors, fallback order,
//     ca, client, skip_verify, header and override_path mean exactly what
//     they mean to the daemon;
//   - k3s/RKE2 registries.yaml, translated into the hosts.toml k3s itself
//     would render, then read the same way;
//   - credentials from --creds, the session's typed logins, registries.yaml
//     and ~/.docker/config.json (with credential helpers).
//
// Every resolution can say in a sentence which file decided it and which
// endpoints will be tried (Describe), and registry failures come back as
// backend.Error sentences that name the host and the file to change.
package registry

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"

	"github.com/ctui/ctui/backend"
)

// DefaultConfigPath is CRI's default config_path (containerd 2.2+): the
// roots searched for <host>/hosts.toml, ':'-separated.
const DefaultConfigPath = "/etc/containerd/certs.d:/etc/docker/certs.d"

// DefaultRegistriesYAML are the registries.yaml files of k3s and RKE2,
// ':'-separated. Both are read when present; the first that configures a
// host wins.
const DefaultRegistriesYAML = "/etc/rancher/k3s/registries.yaml:/etc/rancher/rke2/registries.yaml"

// Options say where registry configuration and credentials come from. The
// zero value means the node's defaults, as the daemon would see them.
type Options struct {
	// HostsDirs are certs.d roots, searched in order as CRI searches
	// config_path: the first root holding <host> (or host_port_) or
	// _default decides. nil means DefaultConfigPath; an empty non-nil
	// slice means none. SplitList turns a config_path value into this.
	HostsDirs []string
	// RegistriesYAML are k3s/RKE2 registries.yaml files, used when no
	// hosts directory configures the host. nil means
	// DefaultRegistriesYAML; empty non-nil means none.
	RegistriesYAML []string
	// DockerConfig is docker's config.json. "" means
	// DefaultDockerConfig(); "-" means none.
	DockerConfig string

	// Creds is `--creds user:password` (ctr -u, crictl --creds), sent to
	// every host contacted. "user" alone makes Resolve fail with
	// backend.ErrNeedPassword, for the UI to ask with echo off.
	Creds string
	// Logins are credentials typed into ctui during the session.
	Logins *Logins

	// PlainHTTP is ctr's --plain-http: a host without a hosts.toml server
	// is contacted over http.
	PlainHTTP bool
	// SkipVerify is ctr's --skip-verify: no certificate checks for any
	// host (hosts.toml skip_verify does it for one).
	SkipVerify bool
}

// SplitList splits a ':'-separated path list (config_path, --hosts-dir)
// into Options.HostsDirs or Options.RegistriesYAML, dropping empty parts.
func SplitList(s string) []string {
	out := []string{}
	for _, p := range filepath.SplitList(s) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Resolution is how one image reference will be fetched or pushed.
type Resolution struct {
	// Ref is the reference, normalized as docker and CRI normalize it
	// (nginx -> docker.io/library/nginx:latest). Pass this one to
	// client.Pull/Push: containerd's resolver does not normalize.
	Ref string
	// Host is the registry named in Ref (docker.io, 127.0.0.1:5000).
	Host string
	// Resolver is what containerd.WithResolver wants.
	Resolver remotes.Resolver

	hosts *hostsCache
	creds *credentials
}

// Resolver is Resolve for callers that need only the resolver and the
// sentence for the command log.
func Resolver(ctx context.Context, ref string, opts Options) (remotes.Resolver, string, error) {
	r, err := Resolve(ctx, ref, opts)
	if err != nil {
		return nil, "", err
	}
	return r.Resolver, r.Describe(), nil
}

// Resolve reads the configuration that applies to ref's registry and builds
// a resolver for it. It reads files but contacts no registry: failures to
// reach one come from the resolver, and Resolution.Error words them.
//
// containerd's resolver logs every fallback and retry through log.G(ctx) at
// info level, to stderr by default; under a TUI, give ctx (this one and the
// one passed to Pull/Push) a logger that writes elsewhere.
func Resolve(ctx context.Context, ref string, opts Options) (*Resolution, error) {
	named, err := reference.ParseDockerRef(ref)
	if err != nil {
		return nil, &backend.Error{Kind: backend.ErrInvalid, Err: err,
			Msg: fmt.Sprintf("%q is not a valid image reference: %v", ref, err)}
	}
	res := &Resolution{Ref: named.String(), Host: reference.Domain(named)}

	hostsDirs := opts.HostsDirs
	if hostsDirs == nil {
		hostsDirs = SplitList(DefaultConfigPath)
	}
	yamlPaths := opts.RegistriesYAML
	if yamlPaths == nil {
		yamlPaths = SplitList(DefaultRegistriesYAML)
	}
	var files []*registriesFile
	for _, p := range yamlPaths {
		f, err := loadRegistriesFile(p)
		if err != nil {
			return nil, err
		}
		if f != nil {
			files = append(files, f)
		}
	}

	creds := &credentials{logins: opts.Logins, registries: files}
	switch opts.DockerConfig {
	case "":
		creds.dockerPath = DefaultDockerConfig()
	case "-":
	default:
		creds.dockerPath = opts.DockerConfig
	}
	if opts.Creds != "" {
		user, pass, need := ParseCreds(opts.Creds)
		if need {
			return nil, backend.Errorf(backend.ErrNeedPassword, "password needed for user %s to log in to %s", user, res.Host)
		}
		creds.explicit = &credential{user: user, secret: pass, source: "--creds"}
	}
	res.creds = creds

	hostOpts := config.HostOptions{Credentials: creds.lookup}
	if opts.PlainHTTP {
		hostOpts.DefaultScheme = "http"
	}
	if opts.SkipVerify {
		hostOpts.DefaultTLS = &tls.Config{InsecureSkipVerify: true}
	}
	res.hosts = &hostsCache{
		ctx:       ctx,
		hostsDirs: hostsDirs,
		files:     files,
		opts:      hostOpts,
		plainHTTP: opts.PlainHTTP,
		byHost:    map[string]*hostSet{},
	}
	// Load the image's own host now, so a broken hosts.toml or CA file is
	// reported before a job starts and Describe can say what will happen.
	if _, err := res.hosts.get(res.Host); err != nil {
		return nil, err
	}
	res.Resolver = docker.NewResolver(docker.ResolverOptions{Hosts: res.hosts.registryHosts})
	return res, nil
}

// hostsCache builds each host's endpoints once per Resolution. containerd
// calls the hosts function on every resolve, fetch and push; building once
// also keeps one authorizer per host, so a token is fetched once per job.
type hostsCache struct {
	ctx       context.Context
	hostsDirs []string
	files     []*registriesFile
	opts      config.HostOptions
	plainHTTP bool

	mu     sync.Mutex
	byHost map[string]*hostSet
}

// hostSet is one registry host's endpoints and where they came from.
type hostSet struct {
	host      string
	source    string // the file that configured the host; "" for defaults
	isDefault bool   // source is _default (hosts.toml) or "*" (registries.yaml)
	kind      string // "hosts.toml", "certs", "registries.yaml" or ""
	endpoints []docker.RegistryHost
	tls       map[*http.Client]*tls.Config
	notes     []string
}

func (c *hostsCache) registryHosts(host string) ([]docker.RegistryHost, error) {
	hs, err := c.get(host)
	if err != nil {
		return nil, err
	}
	return hs.endpoints, nil
}

func (c *hostsCache) get(host string) (*hostSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hs, ok := c.byHost[host]; ok {
		return hs, nil
	}
	hs, err := c.load(host)
	if err != nil {
		return nil, err
	}
	c.byHost[host] = hs
	return hs, nil
}

// load finds what configures host and lets containerd's ConfigureHosts
// build the endpoints from it. Precedence: the hosts directories exactly as
// CRI searches config_path (first root with <host> or _default wins); if
// none has anything, registries.yaml (first file naming the host, else the
// first with "*"), which k3s would have rendered into its own certs.d.
func (c *hostsCache) load(host string) (*hostSet, error) {
	hs := &hostSet{host: host, tls: map[*http.Client]*tls.Config{}}
	dir, err := c.findHostDir(host)
	if err != nil {
		return nil, err
	}
	cleanup := func() {}
	defer func() { cleanup() }()
	switch {
	case dir != "":
		hs.isDefault = filepath.Base(dir) == "_default"
		if _, err := os.Stat(filepath.Join(dir, "hosts.toml")); err == nil {
			hs.kind, hs.source = "hosts.toml", filepath.Join(dir, "hosts.toml")
		} else {
			hs.kind, hs.source = "certs", dir
		}
	default:
		f, name := c.findRegistriesEntry(host)
		if f != nil {
			content, notes, err := f.hostsTOML(name)
			if err != nil {
				return nil, err
			}
			// ConfigureHosts reads hosts.toml from a directory only, so
			// the translation goes to a private temporary one that lives
			// until the endpoints are built: CA and client files are read
			// then, and nothing refers to the directory afterwards.
			tmp, err := os.MkdirTemp("", "ctui-hosts-")
			if err != nil {
				return nil, backend.Errorf(backend.ErrFailed, "translate %s for %s: %v", f.Path, host, err)
			}
			cleanup = func() { os.RemoveAll(tmp) }
			if err := os.WriteFile(filepath.Join(tmp, "hosts.toml"), []byte(content), 0o600); err != nil {
				return nil, backend.Errorf(backend.ErrFailed, "translate %s for %s: %v", f.Path, host, err)
			}
			dir = tmp
			hs.kind, hs.source, hs.isDefault, hs.notes = "registries.yaml", f.Path, name == "*", notes
		}
	}
	if dir != "" {
		if hs.kind == "hosts.toml" || hs.kind == "registries.yaml" {
			if err := checkHostsTOML(filepath.Join(dir, "hosts.toml"), hs.source); err != nil {
				return nil, err
			}
		}
	}

	opts := c.opts
	opts.HostDir = func(string) (string, error) {
		if dir == "" {
			return "", errdefs.ErrNotFound
		}
		return dir, nil
	}
	// UpdateClient sees every client ConfigureHosts makes (the shared one
	// and each per-host clone) before any HTTP fallback wraps its
	// transport, so the TLS settings of each endpoint can be recorded for
	// Describe and the TLS error sentences.
	opts.UpdateClient = func(cl *http.Client) error {
		if tr, ok := cl.Transport.(*http.Transport); ok {
			hs.tls[cl] = tr.TLSClientConfig
		}
		return nil
	}
	eps, err := config.ConfigureHosts(c.ctx, opts)(host)
	if err != nil {
		return nil, backend.Errorf(backend.ErrInvalid, "registry configuration for %s in %s: %s", host, hs.sourceName(), redact(err.Error()))
	}
	hs.endpoints = eps
	return hs, nil
}

func (c *hostsCache) findHostDir(host string) (string, error) {
	for _, root := range c.hostsDirs {
		dir, err := config.HostDirFromRoot(root)(host)
		if err != nil && !errdefs.IsNotFound(err) {
			return "", backend.Errorf(backend.ErrPermission, "cannot read registry configuration under %s: %v", root, err)
		}
		if dir != "" {
			return dir, nil
		}
	}
	return "", nil
}

func (c *hostsCache) findRegistriesEntry(host string) (*registriesFile, string) {
	for _, f := range c.files {
		if f.hasHost(host) {
			return f, host
		}
	}
	for _, f := range c.files {
		if f.hasHost("*") {
			return f, "*"
		}
	}
	return nil, ""
}

// checkHostsTOML catches a hosts.toml containerd cannot parse. ConfigureHosts
// only logs that and falls back to certificate files, which would quietly
// drop every mirror; ctui says so instead.
func checkHostsTOML(path, source string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return backend.Errorf(backend.ErrPermission, "cannot read %s: %v", path, err)
	}
	if err := parseTOML(b); err != nil {
		return backend.Errorf(backend.ErrInvalid, "%s is not a valid hosts.toml, so containerd ignores all of it but certificate files: %s", source, err.Error())
	}
	return nil
}

func (hs *hostSet) sourceName() string {
	if hs.source == "" {
		return "containerd's defaults"
	}
	return hs.source
}

// endpointTLS is the TLS configuration an endpoint's client was built with
// (nil when it uses the defaults).
func (hs *hostSet) endpointTLS(ep docker.RegistryHost) *tls.Config {
	if ep.Client == nil {
		return nil
	}
	return hs.tls[ep.Client]
}

// endpointFor finds the endpoint whose host is h (host:port).
func (hs *hostSet) endpointFor(h string) (docker.RegistryHost, bool) {
	for _, ep := range hs.endpoints {
		if ep.Host == h {
			return ep, true
		}
	}
	return docker.RegistryHost{}, false
}

// Describe says in a sentence or two how the image's registry was resolved:
// which file (or the defaults), the endpoints in the order they are tried,
// their TLS settings, and the credentials sent so far. It never contains a
// secret, so it can go to the command log as it is.
func (r *Resolution) Describe() string {
	hs, err := r.hosts.get(r.Host)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	switch hs.kind {
	case "hosts.toml":
		fmt.Fprintf(&b, "%s: configured by %s", r.Host, hs.source)
	case "certs":
		fmt.Fprintf(&b, "%s: no hosts.toml; certificates from %s", r.Host, hs.source)
	case "registries.yaml":
		name := r.Host
		if hs.isDefault {
			name = `"*"`
		}
		fmt.Fprintf(&b, "%s: configured by %s (mirrors.%s, as k3s renders it)", r.Host, hs.source, name)
	default:
		fmt.Fprintf(&b, "%s: no registry configuration found, containerd's defaults apply", r.Host)
	}
	if hs.isDefault && hs.kind != "registries.yaml" {
		b.WriteString(" (the _default entry)")
	}
	b.WriteString("; ")
	if len(hs.endpoints) == 0 {
		b.WriteString("it lists no endpoint, so nothing can be pulled")
	}
	for i, ep := range hs.endpoints {
		switch {
		case i == 0 && len(hs.endpoints) > 1:
			b.WriteString("tries ")
		case i == 0:
			b.WriteString("uses ")
		case i == len(hs.endpoints)-1:
			b.WriteString(", then ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(hs.describeEndpoint(ep, i == len(hs.endpoints)-1))
	}
	if cred, ok := r.creds.sent(r.Host); ok {
		fmt.Fprintf(&b, "; credentials: %s", cred)
	}
	for _, hc := range r.creds.sentElsewhere(r.Host) {
		fmt.Fprintf(&b, "; credentials for %s: %s", hc.host, hc.cred)
	}
	for _, n := range append(append([]string(nil), hs.notes...), r.creds.notes()...) {
		b.WriteString("; ")
		b.WriteString(n)
	}
	return b.String()
}

func (hs *hostSet) describeEndpoint(ep docker.RegistryHost, last bool) string {
	u := ep.Scheme + "://" + ep.Host + ep.Path
	var attrs []string
	if last && hs.kind != "" {
		attrs = append(attrs, "server")
	}
	var caps []string
	for _, c := range []struct {
		c    docker.HostCapabilities
		name string
	}{{docker.HostCapabilityPull, "pull"}, {docker.HostCapabilityResolve, "resolve"}, {docker.HostCapabilityPush, "push"}} {
		if ep.Capabilities.Has(c.c) {
			caps = append(caps, c.name)
		}
	}
	attrs = append(attrs, strings.Join(caps, "+"))
	if t := hs.endpointTLS(ep); t != nil && ep.Scheme == "https" {
		if t.InsecureSkipVerify {
			attrs = append(attrs, "skip_verify")
		} else if t.RootCAs != nil {
			attrs = append(attrs, "own CA")
		}
		if len(t.Certificates) > 0 {
			attrs = append(attrs, "client certificate")
		}
	}
	if ep.Scheme == "https" && ep.Client != nil {
		if _, plain := ep.Client.Transport.(*http.Transport); !plain {
			attrs = append(attrs, "falls back to plain http")
		}
	}
	if len(ep.Header) > 0 {
		attrs = append(attrs, "extra headers")
	}
	return u + " (" + strings.Join(attrs, ", ") + ")"
}

// sentElsewhere is what was sent to hosts other than the image's registry
// (its mirrors).
func (c *credentials) sentElsewhere(host string) []hostCred {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []hostCred
	for h, cred := range c.used {
		if h != host {
			out = append(out, hostCred{h, cred})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].host < out[j].host })
	return out
}

type hostCred struct {
	host string
	cred credential
}
