package registry

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	"go.yaml.in/yaml/v2"

	"github.com/ctui/ctui/backend"
)

// registriesFile is a parsed k3s/RKE2 registries.yaml, with the field names
// k3s reads (rancher/wharfie pkg/registries).
type registriesFile struct {
	Path    string                    `yaml:"-"`
	Mirrors map[string]yamlMirror     `yaml:"mirrors"`
	Configs map[string]yamlRegistryCf `yaml:"configs"`
	// origin names what the settings are in a rendered hosts.toml's
	// comment ("" for registries.yaml, as k3s renders it).
	origin string
}

type yamlMirror struct {
	Endpoints []string          `yaml:"endpoint"`
	Rewrites  map[string]string `yaml:"rewrite"`
}

type yamlRegistryCf struct {
	Auth *yamlAuth `yaml:"auth"`
	TLS  *yamlTLS  `yaml:"tls"`
}

type yamlAuth struct {
	Username      string `yaml:"username"`
	Password      string `yaml:"password"`
	Auth          string `yaml:"auth"`
	IdentityToken string `yaml:"identity_token"`
}

type yamlTLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// quoted matches what YAML and JSON decoders quote from the input in their
// error messages ("cannot unmarshal !!str `hunter2` into ..."): a value in a
// credentials file may be a password, so it never reaches an error string.
var quoted = regexp.MustCompile("`[^`]*`|\"[^\"]*\"|'[^']*'")

// goType is the decoder naming ctui's own types ("into registry.yamlAuth").
var goType = regexp.MustCompile(`into registry\.yaml\w+`)

func redact(msg string) string { return quoted.ReplaceAllString(msg, "<value>") }

// loadRegistriesFile reads a registries.yaml; a missing file is (nil, nil).
func loadRegistriesFile(path string) (*registriesFile, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, backend.Errorf(backend.ErrPermission, "cannot read %s: %s", path, redact(err.Error()))
	}
	f := &registriesFile{Path: path}
	if err := yaml.Unmarshal(b, f); err != nil {
		// The decoder's message may quote a value from the file; keep
		// only a redacted copy, in the sentence and as the cause.
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:")
		msg = redact(strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", ";")), " "))
		msg = strings.TrimPrefix(msg, "; ")
		msg = goType.ReplaceAllString(msg, "where a mapping belongs")
		return nil, &backend.Error{Kind: backend.ErrInvalid,
			Msg: fmt.Sprintf("%s is not valid registries.yaml: %s", path, msg),
			Err: fmt.Errorf("%s", msg)}
	}
	return f, nil
}

// hasHost says whether the file configures host itself ("*" for the
// default): a mirror list, or TLS settings for it. Auth alone changes no
// endpoint, so k3s writes no hosts.toml that differs from the defaults.
func (f *registriesFile) hasHost(host string) bool {
	if _, ok := f.Mirrors[host]; ok {
		return true
	}
	c, ok := f.Configs[host]
	return ok && c.TLS != nil
}

// hostsTOML renders the hosts.toml k3s writes for host (k3s
// pkg/agent/containerd/config.go getHostConfigs and its hosts template):
// each mirror endpoint as [host."<url>"] with pull and resolve, TLS settings
// taken from configs.<endpoint host>, override_path when the endpoint has a
// path of its own, and the registry itself as server, last, with its own
// TLS settings; for "*" there is no server line, so the requested host is
// the last resort. An endpoint equal to the server is folded into it.
// notes collects what upstream containerd cannot honour (rewrite).
func (f *registriesFile) hostsTOML(host string) (content string, notes []string, err error) {
	var b strings.Builder
	if f.origin != "" {
		fmt.Fprintf(&b, "# Replaces %s in %s.\n", f.origin, f.Path)
	} else {
		fmt.Fprintf(&b, "# Translated by ctui from %s as k3s renders it.\n", f.Path)
	}

	var server *url.URL
	if host != "*" {
		_, server, _, err = normalizeEndpoint(host)
		if err != nil {
			return "", nil, backend.Errorf(backend.ErrInvalid, "%s: registry name %q is not a host: %s", f.Path, host, redact(err.Error()))
		}
	}
	serverCfg := f.configFor(host)

	type endpoint struct {
		u        *url.URL
		override bool
		cfg      yamlRegistryCf
	}
	var eps []endpoint
	if m, ok := f.Mirrors[host]; ok {
		seen := map[string]bool{}
		for i, raw := range m.Endpoints {
			name, u, override, err := normalizeEndpoint(raw)
			if err != nil {
				notes = append(notes, fmt.Sprintf("endpoint %d of mirror %q in %s is not a URL, skipped as k3s does", i+1, host, f.Path))
				continue
			}
			if seen[u.String()] {
				continue
			}
			seen[u.String()] = true
			if i == len(m.Endpoints)-1 && server != nil && u.String() == server.String() {
				continue // k3s moves a last endpoint equal to the default into server
			}
			eps = append(eps, endpoint{u, override, f.configFor(name)})
		}
		if len(m.Rewrites) > 0 {
			keys := make([]string, 0, len(m.Rewrites))
			for k := range m.Rewrites {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			notes = append(notes, fmt.Sprintf("rewrite rules for %q in %s (%s) are not applied: only k3s's patched containerd has rewrite, ctui resolves like upstream containerd",
				host, f.Path, strings.Join(keys, ", ")))
		}
	}

	if server != nil {
		fmt.Fprintf(&b, "server = %s\n", tomlString(server.String()))
	}
	f.writeTLS(&b, "", serverCfg.TLS)
	for _, e := range eps {
		fmt.Fprintf(&b, "\n[host.%s]\n  capabilities = [\"pull\", \"resolve\"]\n", tomlString(e.u.String()))
		if e.override {
			b.WriteString("  override_path = true\n")
		}
		f.writeTLS(&b, "  ", e.cfg.TLS)
	}
	return b.String(), notes, nil
}

func (f *registriesFile) writeTLS(b *strings.Builder, indent string, t *yamlTLS) {
	if t == nil {
		return
	}
	if t.CAFile != "" {
		fmt.Fprintf(b, "%sca = [%s]\n", indent, tomlString(f.abs(t.CAFile)))
	}
	if t.CertFile != "" || t.KeyFile != "" {
		fmt.Fprintf(b, "%sclient = [[%s, %s]]\n", indent, tomlString(f.abs(t.CertFile)), tomlString(f.abs(t.KeyFile)))
	}
	if t.InsecureSkipVerify {
		fmt.Fprintf(b, "%sskip_verify = true\n", indent)
	}
}

// abs anchors a relative path at the registries.yaml's directory. k3s
// passes it through into a generated hosts.toml, where containerd would
// resolve it against the generated directory; the file's own directory is
// the only reading an operator could have meant.
func (f *registriesFile) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(f.Path), p)
}

// configFor is configs.<host>, also under docker.io's other name, as k3s's
// configForHost looks it up.
func (f *registriesFile) configFor(host string) yamlRegistryCf {
	if h, _ := docker.DefaultHost(host); h != host {
		if c, ok := f.Configs[h]; ok {
			return c
		}
	}
	return f.Configs[host]
}

// auth returns the credentials configs.<host>.auth holds for a host the
// resolver contacts, and whether there is an entry. Like CRI's ParseAuth:
// username+password, else identity_token, else auth (base64 user:pass).
func (f *registriesFile) auth(host string) (user, secret string, ok bool, err error) {
	var a *yamlAuth
	for _, h := range hostAliases(host) {
		if c, found := f.Configs[h]; found && c.Auth != nil {
			a = c.Auth
			break
		}
	}
	if a == nil {
		return "", "", false, nil
	}
	switch {
	case a.Username != "":
		return a.Username, a.Password, true, nil
	case a.IdentityToken != "":
		return "", a.IdentityToken, true, nil
	case a.Auth != "":
		u, p, err := decodeAuth(a.Auth)
		if err != nil {
			return "", "", false, backend.Errorf(backend.ErrInvalid, "%s: configs.%q.auth.auth %s", f.Path, host, err.Error())
		}
		return u, p, true, nil
	}
	return "", "", false, nil
}

// decodeAuth decodes a base64 "user:password" without ever quoting it.
func decodeAuth(s string) (string, string, error) {
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return "", "", fmt.Errorf("is not valid base64")
	}
	u, p, ok := strings.Cut(string(dec), ":")
	if !ok {
		return "", "", fmt.Errorf("does not decode to user:password")
	}
	return u, p, nil
}

// normalizeEndpoint is k3s's normalizeEndpointAddress: a missing scheme is
// https, or http for localhost on a port other than 443; docker.io becomes
// registry-1.docker.io; a path other than "", "/" or "/v2" means the
// endpoint overrides the API root (override_path). It returns the registry
// name used to look up configs.<name> for the endpoint.
func normalizeEndpoint(endpoint string) (string, *url.URL, bool, error) {
	if !strings.Contains(endpoint, "://") {
		endpoint = "//" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", nil, false, err
	}
	if u.Host == "" {
		return "", nil, false, fmt.Errorf("no host")
	}
	if u.Scheme == "" {
		if port := u.Port(); docker.IsLocalhost(u.Host) && port != "" && port != "443" {
			u.Scheme = "http"
		} else {
			u.Scheme = "https"
		}
	}
	name := u.Host
	u.Host, _ = docker.DefaultHost(name)
	if u.Host == "registry-1.docker.io" {
		name = "docker.io"
	}
	switch u.Path {
	case "", "/", "/v2":
		u.Path = "/v2"
		return name, u, false, nil
	}
	return name, u, true, nil
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
