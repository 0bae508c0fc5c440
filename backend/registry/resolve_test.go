package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/remotes/docker"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/registry"
)

// endpointList renders a resolution's endpoints for the image's host as
// "url caps [tls]" strings, in the order containerd tries them.
func endpointList(t *testing.T, res *Resolution) []string {
	t.Helper()
	hs, err := res.hosts.get(res.Host)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ep := range hs.endpoints {
		s := ep.Scheme + "://" + ep.Host + ep.Path
		var caps []string
		for _, c := range []struct {
			c docker.HostCapabilities
			n string
		}{{docker.HostCapabilityPull, "pull"}, {docker.HostCapabilityResolve, "resolve"}, {docker.HostCapabilityPush, "push"}} {
			if ep.Capabilities.Has(c.c) {
				caps = append(caps, c.n)
			}
		}
		s += " " + strings.Join(caps, "+")
		if tc := hs.endpointTLS(ep); tc != nil && ep.Scheme == "https" {
			if tc.InsecureSkipVerify {
				s += " skip_verify"
			}
			if tc.RootCAs != nil {
				s += " ca"
			}
			if len(tc.Certificates) > 0 {
				s += " client"
			}
		}
		if _, plain := ep.Client.Transport.(*http.Transport); !plain {
			s += " then-http"
		}
		if len(ep.Header) > 0 {
			s += fmt.Sprintf(" header=%v", ep.Header)
		}
		out = append(out, s)
	}
	return out
}

// TestHostsResolution covers how hosts.toml directories decide the
// endpoints: each case writes files under two certs.d roots and checks the
// endpoint list containerd's ConfigureHosts builds from what Resolve picked.
func TestHostsResolution(t *testing.T) {
	ca, cert, key := testPEMs(t)
	for _, tc := range []struct {
		name   string
		ref    string
		files  map[string]string // path under the temp dir -> content; roots are a/ and b/
		opts   func(*Options)
		want   []string
		source string // suffix of the file Describe names; "" for defaults
	}{
		{
			name: "no config: https, /v2, all capabilities",
			ref:  "registry.example/app:v1",
			want: []string{"https://registry.example/v2 pull+resolve+push"},
		},
		{
			name: "docker.io goes to registry-1.docker.io",
			ref:  "busybox",
			want: []string{"https://registry-1.docker.io/v2 pull+resolve+push"},
		},
		{
			name: "localhost on a port: https without verification, then http",
			ref:  "localhost:5000/app:v1",
			want: []string{"https://localhost:5000/v2 pull+resolve+push skip_verify then-http"},
		},
		{
			// containerd skips verification for localhost on any port
			// but 80, and falls back to http on any port but 443.
			name: "localhost on 443 is https only, still unverified",
			ref:  "127.0.0.1:443/app:v1",
			want: []string{"https://127.0.0.1:443/v2 pull+resolve+push skip_verify"},
		},
		{
			name: "PlainHTTP",
			ref:  "registry.example:5000/app:v1",
			opts: func(o *Options) { o.PlainHTTP = true },
			want: []string{"http://registry.example:5000/v2 pull+resolve+push"},
		},
		{
			name: "SkipVerify",
			ref:  "registry.example/app:v1",
			opts: func(o *Options) { o.SkipVerify = true },
			want: []string{"https://registry.example/v2 pull+resolve+push skip_verify"},
		},
		{
			name: "host_port_ directory, mirrors in file order, server last",
			ref:  "registry.example:5000/app:v1",
			files: map[string]string{"a/registry.example_5000_/hosts.toml": `
server = "https://registry.example:5000"
[host."https://mirror-b.example"]
  capabilities = ["pull", "resolve"]
[host."http://mirror-a.example:8080"]
  capabilities = ["pull"]
`},
			want: []string{
				"https://mirror-b.example/v2 pull+resolve",
				"http://mirror-a.example:8080/v2 pull",
				"https://registry.example:5000/v2 pull+resolve+push",
			},
			source: "a/registry.example_5000_/hosts.toml",
		},
		{
			name: "host_port_ wins over a directory named host:port",
			ref:  "registry.example:5000/app:v1",
			files: map[string]string{
				"a/registry.example_5000_/hosts.toml": `server = "https://one.example"`,
				"a/registry.example:5000/hosts.toml":  `server = "https://two.example"`,
			},
			want:   []string{"https://one.example/v2 pull+resolve+push"},
			source: "a/registry.example_5000_/hosts.toml",
		},
		{
			name:   "_default when the host has no directory",
			ref:    "registry.example/app:v1",
			files:  map[string]string{"a/_default/hosts.toml": `server = "https://pull-through.example"`},
			want:   []string{"https://pull-through.example/v2 pull+resolve+push"},
			source: "a/_default/hosts.toml",
		},
		{
			name: "the first root with the host or _default wins, as CRI's config_path",
			ref:  "registry.example/app:v1",
			files: map[string]string{
				"a/_default/hosts.toml":         `server = "https://from-a-default.example"`,
				"b/registry.example/hosts.toml": `server = "https://from-b.example"`,
			},
			want:   []string{"https://from-a-default.example/v2 pull+resolve+push"},
			source: "a/_default/hosts.toml",
		},
		{
			name:   "second root when the first has nothing",
			ref:    "registry.example/app:v1",
			files:  map[string]string{"b/registry.example/hosts.toml": `server = "https://from-b.example"`},
			want:   []string{"https://from-b.example/v2 pull+resolve+push"},
			source: "b/registry.example/hosts.toml",
		},
		{
			name: "override_path, ca, client, skip_verify, header",
			ref:  "registry.example/app:v1",
			files: map[string]string{"a/registry.example/hosts.toml": `
server = "https://registry.example"
ca = "` + ca + `"
[host."https://proxy.example/api/v2/registry"]
  capabilities = ["pull", "resolve"]
  override_path = true
  client = [["` + cert + `", "` + key + `"]]
  ca = "` + ca + `"
[host."https://insecure.example"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
  [host."https://insecure.example".header]
    x-custom = "1"
`},
			want: []string{
				"https://proxy.example/api/v2/registry pull+resolve ca client",
				"https://insecure.example/v2 pull+resolve skip_verify header=map[x-custom:[1]]",
				"https://registry.example/v2 pull+resolve+push ca",
			},
			source: "a/registry.example/hosts.toml",
		},
		{
			name:   "certificate files without hosts.toml",
			ref:    "registry.example/app:v1",
			files:  map[string]string{"b/registry.example/ca.crt": "@" + ca},
			want:   []string{"https://registry.example/v2 pull+resolve+push ca"},
			source: "b/registry.example",
		},
		{
			name:   "hosts dirs win over registries.yaml",
			ref:    "registry.example/app:v1",
			files:  map[string]string{"a/registry.example/hosts.toml": `server = "https://from-certs-d.example"`, "registries.yaml": "mirrors:\n  registry.example:\n    endpoint: [https://from-yaml.example]\n"},
			want:   []string{"https://from-certs-d.example/v2 pull+resolve+push"},
			source: "a/registry.example/hosts.toml",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range tc.files {
				if strings.HasPrefix(content, "@") { // copy a file
					b, err := os.ReadFile(content[1:])
					if err != nil {
						t.Fatal(err)
					}
					content = string(b)
				}
				writeFile(t, filepath.Join(dir, p), content)
			}
			opts := Options{
				HostsDirs:      []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")},
				RegistriesYAML: []string{filepath.Join(dir, "registries.yaml")},
				DockerConfig:   "-",
			}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			res, err := Resolve(quiet(), tc.ref, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := endpointList(t, res)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("endpoints:\n got %q\nwant %q", got, tc.want)
			}
			d := res.Describe()
			if tc.source == "" && !strings.Contains(d, "no registry configuration found") {
				t.Errorf("Describe %q does not say defaults apply", d)
			}
			if tc.source != "" && !strings.Contains(d, filepath.Join(dir, tc.source)) {
				t.Errorf("Describe %q does not name %s", d, tc.source)
			}
		})
	}
}

// TestRegistriesYAML covers the translation of k3s's registries.yaml into
// the hosts.toml k3s renders, checked both as text and as the endpoints
// containerd builds from it.
func TestRegistriesYAML(t *testing.T) {
	ca, cert, key := testPEMs(t)
	for _, tc := range []struct {
		name  string
		ref   string
		yaml  string
		want  []string
		toml  []string // lines the rendered hosts.toml must contain
		notes []string // Describe must say these
	}{
		{
			name: "mirror endpoints in order, server last",
			ref:  "docker.io/library/busybox:latest",
			yaml: `
mirrors:
  docker.io:
    endpoint:
      - "https://mirror-1.example:5000"
      - "mirror-2.example"
`,
			want: []string{
				"https://mirror-1.example:5000/v2 pull+resolve",
				"https://mirror-2.example/v2 pull+resolve",
				"https://registry-1.docker.io/v2 pull+resolve+push",
			},
			toml: []string{`server = "https://registry-1.docker.io/v2"`, `[host."https://mirror-1.example:5000/v2"]`, `  capabilities = ["pull", "resolve"]`},
		},
		{
			name: "localhost endpoint without scheme is http; path means override_path",
			ref:  "registry.example/app:v1",
			yaml: `
mirrors:
  registry.example:
    endpoint:
      - "localhost:5000"
      - "https://artifactory.example/artifactory/api/docker/remote/v2"
`,
			want: []string{
				"http://localhost:5000/v2 pull+resolve",
				"https://artifactory.example/artifactory/api/docker/remote/v2 pull+resolve",
				"https://registry.example/v2 pull+resolve+push",
			},
			toml: []string{`  override_path = true`},
		},
		{
			name: "endpoint TLS from configs of the endpoint host, server TLS from configs of the registry",
			ref:  "registry.example/app:v1",
			yaml: `
mirrors:
  registry.example:
    endpoint: ["https://mirror.example"]
configs:
  mirror.example:
    tls:
      ca_file: ` + ca + `
      cert_file: ` + cert + `
      key_file: ` + key + `
  registry.example:
    tls:
      insecure_skip_verify: true
`,
			want: []string{
				"https://mirror.example/v2 pull+resolve ca client",
				"https://registry.example/v2 pull+resolve+push skip_verify",
			},
			toml: []string{`  ca = ["` + ca + `"]`, `  client = [["` + cert + `", "` + key + `"]]`, `skip_verify = true`},
		},
		{
			name: "configs TLS alone configures the host",
			ref:  "registry.example/app:v1",
			yaml: "configs:\n  registry.example:\n    tls:\n      ca_file: " + ca + "\n",
			want: []string{"https://registry.example/v2 pull+resolve+push ca"},
		},
		{
			name: "a last endpoint equal to the registry is the server",
			ref:  "registry.example/app:v1",
			yaml: "mirrors:\n  registry.example:\n    endpoint: [https://mirror.example, https://registry.example]\n",
			want: []string{"https://mirror.example/v2 pull+resolve", "https://registry.example/v2 pull+resolve+push"},
		},
		{
			name: `"*" is the default for every registry, requested host last`,
			ref:  "quay.example/app:v1",
			yaml: "mirrors:\n  \"*\":\n    endpoint: [https://everything.example]\n",
			want: []string{"https://everything.example/v2 pull+resolve", "https://quay.example/v2 pull+resolve+push"},
		},
		{
			name: "a named registry beats \"*\"",
			ref:  "quay.example/app:v1",
			yaml: "mirrors:\n  \"*\":\n    endpoint: [https://everything.example]\n  quay.example:\n    endpoint: [https://quay-mirror.example]\n",
			want: []string{"https://quay-mirror.example/v2 pull+resolve", "https://quay.example/v2 pull+resolve+push"},
		},
		{
			name:  "rewrite is reported as not applied",
			ref:   "docker.io/library/busybox:latest",
			yaml:  "mirrors:\n  docker.io:\n    endpoint: [https://mirror.example]\n    rewrite:\n      \"^library/(.*)\": \"dockerhub/library/$1\"\n",
			want:  []string{"https://mirror.example/v2 pull+resolve", "https://registry-1.docker.io/v2 pull+resolve+push"},
			notes: []string{"rewrite rules for \"docker.io\"", "are not applied"},
		},
		{
			name: "auth alone changes no endpoint",
			ref:  "registry.example/app:v1",
			yaml: "configs:\n  registry.example:\n    auth:\n      username: u\n      password: p\n",
			want: []string{"https://registry.example/v2 pull+resolve+push"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := filepath.Join(t.TempDir(), "registries.yaml")
			writeFile(t, y, tc.yaml)
			opts := Options{HostsDirs: []string{t.TempDir()}, RegistriesYAML: []string{y}, DockerConfig: "-"}
			res, err := Resolve(quiet(), tc.ref, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := endpointList(t, res)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("endpoints:\n got %q\nwant %q", got, tc.want)
			}
			if len(tc.toml) > 0 {
				f, err := loadRegistriesFile(y)
				if err != nil {
					t.Fatal(err)
				}
				name := res.Host
				if !f.hasHost(name) {
					name = "*"
				}
				content, _, err := f.hostsTOML(name)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range tc.toml {
					if !strings.Contains(content, l+"\n") {
						t.Errorf("hosts.toml lacks %q:\n%s", l, content)
					}
				}
			}
			d := res.Describe()
			for _, n := range tc.notes {
				if !strings.Contains(d, n) {
					t.Errorf("Describe %q does not say %q", d, n)
				}
			}
		})
	}
}

func TestRegistriesYAMLAuth(t *testing.T) {
	y := filepath.Join(t.TempDir(), "registries.yaml")
	writeFile(t, y, `
configs:
  docker.io:
    auth: {username: hubuser, password: hubpass}
  token.example:
    auth: {identity_token: tok}
  b64.example:
    auth: {auth: dXNlcjpwYXNzOndpdGg6Y29sb25z}
`)
	f, err := loadRegistriesFile(y)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ host, user, secret string }{
		{"registry-1.docker.io", "hubuser", "hubpass"}, // the host containerd contacts for docker.io
		{"token.example", "", "tok"},
		{"b64.example", "user", "pass:with:colons"},
	} {
		u, s, ok, err := f.auth(tc.host)
		if err != nil || !ok || u != tc.user || s != tc.secret {
			t.Errorf("auth(%s) = %q, %q, %v, %v; want %q, %q", tc.host, u, s, ok, err, tc.user, tc.secret)
		}
	}
	if _, _, ok, _ := f.auth("other.example"); ok {
		t.Error("auth for an unconfigured host")
	}
}

func TestResolveRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	base := Options{HostsDirs: []string{dir}, RegistriesYAML: []string{}, DockerConfig: "-"}
	_, err := Resolve(context.Background(), "UPPER/Case:tag", base)
	if !errors.Is(err, backend.ErrInvalid) || !strings.Contains(err.Error(), "is not a valid image reference") {
		t.Errorf("bad ref: %v", err)
	}

	writeFile(t, filepath.Join(dir, "registry.example", "hosts.toml"), "server = \"https://x\"\n[host.\"https://m\"]\n  capabilities = [\"pull\", \"fetch\"]\n")
	_, err = Resolve(quiet(), "registry.example/app:v1", base)
	if !errors.Is(err, backend.ErrInvalid) || !strings.Contains(err.Error(), "unknown capability fetch") {
		t.Errorf("bad capability: %v", err)
	}
	writeFile(t, filepath.Join(dir, "registry.example", "hosts.toml"), "server = \"https://x\n")
	_, err = Resolve(quiet(), "registry.example/app:v1", base)
	if !errors.Is(err, backend.ErrInvalid) || !strings.Contains(err.Error(), "is not a valid hosts.toml") {
		t.Errorf("bad toml: %v", err)
	}
	writeFile(t, filepath.Join(dir, "registry.example", "hosts.toml"), "ca = \"/nonexistent/ca.crt\"\n")
	_, err = Resolve(quiet(), "registry.example/app:v1", base)
	if !errors.Is(err, backend.ErrInvalid) || !strings.Contains(err.Error(), "/nonexistent/ca.crt") {
		t.Errorf("missing CA file: %v", err)
	}
}

// testPEMs writes a CA certificate and a client key pair for hosts.toml
// cases that must load them (ConfigureHosts reads them at once).
func testPEMs(t *testing.T) (ca, cert, key string) {
	t.Helper()
	c, err := registry.MakeCerts(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.CAFile, c.ClientCert, c.ClientKey
}
