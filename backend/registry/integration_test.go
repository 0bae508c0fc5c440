package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/log"
	"github.com/sirupsen/logrus"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed/registry"
)

// These tests resolve and fetch a manifest through Resolve's resolver from
// Debian's real distribution registry on loopback: every HTTP, auth and TLS
// behaviour here is the server's and containerd's, none is simulated.

const secret = "Sup3r-Secret-Pw"

// isolated are Options that read only what the test writes: no node files,
// no ~/.docker.
func isolated(t *testing.T) Options {
	return Options{HostsDirs: []string{t.TempDir()}, RegistriesYAML: []string{}, DockerConfig: "-"}
}

// fetch resolves ref and reads its manifest, translating any failure.
func fetch(t *testing.T, ref string, opts Options) ([]byte, *Resolution, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(quiet(), 30*time.Second)
	defer cancel()
	res, err := Resolve(ctx, ref, opts)
	if err != nil {
		return nil, nil, err
	}
	name, desc, err := res.Resolver.Resolve(ctx, res.Ref)
	if err != nil {
		return nil, res, res.Error(err, "pull "+ref)
	}
	f, err := res.Resolver.Fetcher(ctx, name)
	if err != nil {
		return nil, res, res.Error(err, "pull "+ref)
	}
	rc, err := f.Fetch(ctx, desc)
	if err != nil {
		return nil, res, res.Error(err, "pull "+ref)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, res, err
}

// quiet is a context whose containerd logger discards: the resolver logs
// every fallback at info level, as ctui must not on its terminal either.
func quiet() context.Context {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return log.WithLogger(context.Background(), logrus.NewEntry(l))
}

func push(t *testing.T, r *registry.Registry, repo, tag, note string) registry.Image {
	t.Helper()
	img, err := r.PushTiny(context.Background(), repo, tag, note)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func wantManifest(t *testing.T, got []byte, err error, img registry.Image) {
	t.Helper()
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if string(got) != string(img.ManifestJSON) {
		t.Fatalf("fetched manifest differs:\n got %s\nwant %s", got, img.ManifestJSON)
	}
}

func wantErr(t *testing.T, err error, kind error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	t.Logf("%v", err)
	if !errors.Is(err, kind) {
		t.Fatalf("error kind: %v, want %v (%T)", err, kind, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not say %q", err, p)
		}
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", errors.Unwrap(err)), secret) {
		t.Fatalf("error leaks the password: %v", err)
	}
}

func TestPlainHTTPLocalhostDefaults(t *testing.T) {
	r := registry.New(t, registry.Options{})
	img := push(t, r, "test/tiny", "v1", "plain")
	got, res, err := fetch(t, r.Ref("test/tiny", "v1"), isolated(t))
	wantManifest(t, got, err, img)
	d := res.Describe()
	for _, p := range []string{"no registry configuration found", "https://" + r.Host + "/v2", "falls back to plain http"} {
		if !strings.Contains(d, p) {
			t.Errorf("Describe %q does not say %q", d, p)
		}
	}
	t.Log(d)

	opts := isolated(t)
	opts.PlainHTTP = true
	got, res, err = fetch(t, r.Ref("test/tiny", "v1"), opts)
	wantManifest(t, got, err, img)
	if d := res.Describe(); !strings.Contains(d, "uses http://"+r.Host+"/v2") {
		t.Errorf("Describe with PlainHTTP: %q", d)
	}
}

func TestNotFound(t *testing.T) {
	r := registry.New(t, registry.Options{})
	push(t, r, "test/tiny", "v1", "plain")
	for _, ref := range []string{r.Ref("test/tiny", "nope"), r.Ref("test/absent", "v1")} {
		_, _, err := fetch(t, ref, isolated(t))
		wantErr(t, err, backend.ErrNotFound, ref+" not found on "+r.Host, "no such repository, or no such tag")
	}
}

func TestAuth(t *testing.T) {
	r := registry.New(t, registry.Options{User: "alice", Password: secret})
	img := push(t, r, "test/tiny", "v1", "auth")
	ref := r.Ref("test/tiny", "v1")

	t.Run("creds", func(t *testing.T) {
		opts := isolated(t)
		opts.Creds = "alice:" + secret
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "credentials: user alice from --creds") || strings.Contains(d, secret) {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("logins", func(t *testing.T) {
		opts := isolated(t)
		opts.Logins = &Logins{}
		_, _, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrAuth, r.Host+" requires credentials and none were found")
		opts.Logins.Set(r.Host, "alice", secret)
		got, _, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
	})
	t.Run("docker config auth", func(t *testing.T) {
		opts := isolated(t)
		opts.DockerConfig = filepath.Join(t.TempDir(), "config.json")
		enc := base64.StdEncoding.EncodeToString([]byte("alice:" + secret))
		writeFile(t, opts.DockerConfig, `{"auths":{"http://`+r.Host+`/v1/":{"auth":"`+enc+`"}}}`)
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "user alice from "+opts.DockerConfig) {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("credential helper", func(t *testing.T) {
		bin := t.TempDir()
		writeFile(t, filepath.Join(bin, "docker-credential-ctuitest"),
			"#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \""+r.Host+"\" ] || exit 3\n"+
				"echo '{\"ServerURL\":\"'$server'\",\"Username\":\"alice\",\"Secret\":\""+secret+"\"}'\n")
		os.Chmod(filepath.Join(bin, "docker-credential-ctuitest"), 0o755)
		t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
		opts := isolated(t)
		opts.DockerConfig = filepath.Join(t.TempDir(), "config.json")
		writeFile(t, opts.DockerConfig, `{"credHelpers":{"`+r.Host+`":"ctuitest"}}`)
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "user alice from docker-credential-ctuitest") {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("missing helper is skipped with a reason", func(t *testing.T) {
		opts := isolated(t)
		opts.DockerConfig = filepath.Join(t.TempDir(), "config.json")
		writeFile(t, opts.DockerConfig, `{"credsStore":"ctui-absent"}`)
		_, res, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrAuth, "none were found")
		if d := res.Describe(); !strings.Contains(d, "docker-credential-ctui-absent is not on PATH") {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("registries.yaml auth", func(t *testing.T) {
		opts := isolated(t)
		y := filepath.Join(t.TempDir(), "registries.yaml")
		writeFile(t, y, "configs:\n  \""+r.Host+"\":\n    auth:\n      username: alice\n      password: "+secret+"\n")
		opts.RegistriesYAML = []string{y}
		got, _, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
	})
	t.Run("missing", func(t *testing.T) {
		_, _, err := fetch(t, ref, isolated(t))
		wantErr(t, err, backend.ErrAuth, r.Host+" requires credentials and none were found", "--creds user:password")
	})
	t.Run("wrong", func(t *testing.T) {
		opts := isolated(t)
		opts.Creds = "alice:not-" + secret
		_, _, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrAuth, r.Host+" refused the credentials (user alice from --creds)")
		if strings.Contains(err.Error(), "not-"+secret) {
			t.Fatal("leaks the wrong password")
		}
	})
	t.Run("need password", func(t *testing.T) {
		opts := isolated(t)
		opts.Creds = "alice"
		_, _, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrNeedPassword, "password needed for user alice to log in to "+r.Host)
	})
}

func TestTLS(t *testing.T) {
	r := registry.New(t, registry.Options{TLS: true})
	img := push(t, r, "test/tiny", "v1", "tls")
	ref := r.Ref("test/tiny", "v1")

	t.Run("ca in hosts.toml", func(t *testing.T) {
		opts := isolated(t)
		hostsFile := writeHosts(t, opts.HostsDirs[0], r.Host, r.HostsTOML(""))
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "configured by "+hostsFile) || !strings.Contains(d, "own CA") {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("no ca", func(t *testing.T) {
		opts := isolated(t)
		hostsFile := writeHosts(t, opts.HostsDirs[0], r.Host, fmt.Sprintf("server = %q\n", r.URL))
		_, _, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrTLS, "certificate of "+r.Host+" is signed by an authority this node does not trust",
			"ca = \"/path/to/ca.crt\" in "+hostsFile, "skip_verify = true")
	})
	t.Run("no hosts.toml names where it goes", func(t *testing.T) {
		opts := isolated(t)
		// Not localhost, so no default skip_verify: reach the registry
		// through a _default that names only its server.
		writeHosts(t, opts.HostsDirs[0], "_default", fmt.Sprintf("server = %q\n", r.URL))
		_, _, err := fetch(t, "registry.example/test/tiny:v1", opts)
		wantErr(t, err, backend.ErrTLS, "does not trust", filepath.Join(opts.HostsDirs[0], "_default", "hosts.toml"))
	})
	t.Run("skip_verify", func(t *testing.T) {
		opts := isolated(t)
		writeHosts(t, opts.HostsDirs[0], r.Host, fmt.Sprintf("server = %q\nskip_verify = true\n", r.URL))
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "skip_verify") {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("ca file in certs dir", func(t *testing.T) {
		opts := isolated(t)
		dir := filepath.Join(opts.HostsDirs[0], registry.HostDirName(r.Host))
		os.MkdirAll(dir, 0o755)
		b, _ := os.ReadFile(r.CAFile)
		writeFile(t, filepath.Join(dir, "ca.crt"), string(b))
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "certificates from "+dir) {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("plain http to https", func(t *testing.T) {
		opts := isolated(t)
		opts.PlainHTTP = true
		_, _, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrPlainHTTP, "as an HTTPS server does", "drop --plain-http")
	})
	t.Run("registries.yaml ca", func(t *testing.T) {
		opts := isolated(t)
		y := filepath.Join(t.TempDir(), "registries.yaml")
		writeFile(t, y, fmt.Sprintf("mirrors:\n  %q:\n    endpoint: [%q]\nconfigs:\n  %q:\n    tls:\n      ca_file: %s\n", r.Host, r.URL, r.Host, r.CAFile))
		opts.RegistriesYAML = []string{y}
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, img)
		if d := res.Describe(); !strings.Contains(d, "configured by "+y) || !strings.Contains(d, "own CA") {
			t.Errorf("Describe: %q", d)
		}
	})
}

func TestTLSHostnameMismatch(t *testing.T) {
	r := registry.New(t, registry.Options{TLS: true, TLSNames: []string{"registry.example"}})
	push(t, r, "test/tiny", "v1", "mismatch")
	opts := isolated(t)
	writeHosts(t, opts.HostsDirs[0], r.Host, r.HostsTOML(""))
	_, _, err := fetch(t, r.Ref("test/tiny", "v1"), opts)
	wantErr(t, err, backend.ErrTLS, "certificate of "+r.Host+" is not valid for that name (it is for registry.example)", "skip_verify = true")
}

func TestClientCertificates(t *testing.T) {
	r := registry.New(t, registry.Options{ClientCerts: true})
	img := push(t, r, "test/tiny", "v1", "mtls")
	ref := r.Ref("test/tiny", "v1")
	opts := isolated(t)
	writeHosts(t, opts.HostsDirs[0], r.Host, r.HostsTOML(""))
	got, res, err := fetch(t, ref, opts)
	wantManifest(t, got, err, img)
	if d := res.Describe(); !strings.Contains(d, "client certificate") {
		t.Errorf("Describe: %q", d)
	}

	opts = isolated(t)
	writeHosts(t, opts.HostsDirs[0], r.Host, fmt.Sprintf("server = %q\nca = %q\n", r.URL, r.CAFile))
	_, _, err = fetch(t, ref, opts)
	wantErr(t, err, backend.ErrTLS, r.Host+" demands a client certificate")
}

func TestUnknownHost(t *testing.T) {
	start := time.Now()
	_, _, err := fetch(t, "ctui-no-such-host.invalid/app:v1", isolated(t))
	if time.Since(start) > 10*time.Second {
		t.Logf("name lookup took %v", time.Since(start))
	}
	wantErr(t, err, backend.ErrNetwork, "cannot find registry host ctui-no-such-host.invalid")
}

func TestPlainHTTPMismatch(t *testing.T) {
	r := registry.New(t, registry.Options{})
	push(t, r, "test/tiny", "v1", "plain")
	opts := isolated(t)
	hostsFile := writeHosts(t, opts.HostsDirs[0], r.Host, fmt.Sprintf("server = \"https://%s\"\n", r.Host))
	_, _, err := fetch(t, r.Ref("test/tiny", "v1"), opts)
	wantErr(t, err, backend.ErrPlainHTTP, r.Host+" speaks plain HTTP", "write its URL as http://"+r.Host+" in "+hostsFile)
}

func TestMirrorFallback(t *testing.T) {
	origin := registry.New(t, registry.Options{})
	mirror := registry.New(t, registry.Options{})
	fromOrigin := push(t, origin, "test/tiny", "v1", "origin")
	fromMirror := push(t, mirror, "test/tiny", "v1", "mirror")
	down, err := registry.DownHost()
	if err != nil {
		t.Fatal(err)
	}
	ref := origin.Ref("test/tiny", "v1")

	t.Run("first mirror down", func(t *testing.T) {
		opts := isolated(t)
		writeHosts(t, opts.HostsDirs[0], origin.Host, fmt.Sprintf(
			"server = %q\n[host.\"http://%s\"]\n  capabilities = [\"pull\", \"resolve\"]\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n",
			origin.URL, down, mirror.URL))
		got, res, err := fetch(t, ref, opts)
		wantManifest(t, got, err, fromMirror)
		d := res.Describe()
		want := fmt.Sprintf("tries http://%s/v2 (pull+resolve), http://%s/v2 (pull+resolve), then %s/v2 (server, pull+resolve+push)", down, mirror.Host, origin.URL)
		if !strings.Contains(d, want) {
			t.Errorf("Describe:\n %q\nwant it to contain\n %q", d, want)
		}
	})
	t.Run("all mirrors down, server answers", func(t *testing.T) {
		opts := isolated(t)
		writeHosts(t, opts.HostsDirs[0], origin.Host, fmt.Sprintf(
			"server = %q\n[host.\"http://%s\"]\n  capabilities = [\"pull\", \"resolve\"]\n", origin.URL, down))
		got, _, err := fetch(t, ref, opts)
		wantManifest(t, got, err, fromOrigin)
	})
	t.Run("everything down", func(t *testing.T) {
		opts := isolated(t)
		writeHosts(t, opts.HostsDirs[0], origin.Host, fmt.Sprintf(
			"server = \"http://%s\"\n[host.\"http://%s\"]\n  capabilities = [\"pull\", \"resolve\"]\n", down, down))
		_, _, err := fetch(t, ref, opts)
		wantErr(t, err, backend.ErrNetwork, "nothing listens at "+down, "tried http://"+down)
	})
	t.Run("_default", func(t *testing.T) {
		opts := isolated(t)
		writeHosts(t, opts.HostsDirs[0], "_default", fmt.Sprintf("server = %q\n", mirror.URL))
		got, res, err := fetch(t, "registry.example/test/tiny:v1", opts)
		wantManifest(t, got, err, fromMirror)
		if d := res.Describe(); !strings.Contains(d, "(the _default entry)") {
			t.Errorf("Describe: %q", d)
		}
	})
	t.Run("registries.yaml mirror with a down endpoint", func(t *testing.T) {
		opts := isolated(t)
		y := filepath.Join(t.TempDir(), "registries.yaml")
		writeFile(t, y, fmt.Sprintf("mirrors:\n  registry.example:\n    endpoint:\n      - http://%s\n      - %s\n", down, mirror.Host))
		opts.RegistriesYAML = []string{y}
		got, res, err := fetch(t, "registry.example/test/tiny:v1", opts)
		wantManifest(t, got, err, fromMirror)
		t.Log(res.Describe())
	})
	t.Run("registries.yaml star", func(t *testing.T) {
		opts := isolated(t)
		y := filepath.Join(t.TempDir(), "registries.yaml")
		writeFile(t, y, fmt.Sprintf("mirrors:\n  \"*\":\n    endpoint: [%q]\n", mirror.URL))
		opts.RegistriesYAML = []string{y}
		got, _, err := fetch(t, "registry.example/test/tiny:v1", opts)
		wantManifest(t, got, err, fromMirror)
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeHosts(t *testing.T, root, host, content string) string {
	t.Helper()
	dir, err := registry.WriteHostsTOML(root, host, content)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "hosts.toml")
}
