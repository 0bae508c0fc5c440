package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
)

func mapEnv(m map[string]string) env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func sockets(paths ...string) func(string) bool {
	return func(p string) bool {
		for _, s := range paths {
			if s == p {
				return true
			}
		}
		return false
	}
}

func parse(t *testing.T, args ...string) *options {
	t.Helper()
	o := &options{}
	if err := newFlagSet(o).Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return o
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "crictl.yaml", "runtime-endpoint: unix:///file.sock\nimage-endpoint: unix:///file-img.sock\ntimeout: 7\ndebug: true\n")
	noSockets := sockets()
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		isSocket func(string) bool
		want     backend.Config
	}{
		{
			name:     "nothing configured picks the standard containerd socket",
			isSocket: sockets("/run/containerd/containerd.sock", "/run/k3s/containerd/containerd.sock"),
			want: backend.Config{Address: "/run/containerd/containerd.sock", RuntimeEndpoint: "unix:///run/containerd/containerd.sock",
				ImageEndpoint: "unix:///run/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name:     "k3s socket when upstream's is missing",
			isSocket: sockets("/run/k3s/containerd/containerd.sock", "/run/crio/crio.sock"),
			want: backend.Config{Address: "/run/k3s/containerd/containerd.sock", RuntimeEndpoint: "unix:///run/k3s/containerd/containerd.sock",
				ImageEndpoint: "unix:///run/k3s/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name:     "CRI-O alone has no native address",
			isSocket: sockets("/run/crio/crio.sock"),
			want: backend.Config{RuntimeEndpoint: "unix:///run/crio/crio.sock", ImageEndpoint: "unix:///run/crio/crio.sock",
				Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name:     "no socket anywhere falls back to the default path",
			isSocket: noSockets,
			want: backend.Config{Address: "/run/containerd/containerd.sock", RuntimeEndpoint: "unix:///run/containerd/containerd.sock",
				ImageEndpoint: "unix:///run/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name:     "in a kubectl debug node container the node's socket is under /host",
			isSocket: sockets("/host/run/containerd/containerd.sock", "/host/run/k3s/containerd/containerd.sock"),
			want: backend.Config{Address: "/host/run/containerd/containerd.sock", RuntimeEndpoint: "unix:///host/run/containerd/containerd.sock",
				ImageEndpoint: "unix:///host/run/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second, HostRoot: "/host"},
		},
		{
			name:     "k3s and RKE2 under /host",
			isSocket: sockets("/host/run/k3s/containerd/containerd.sock"),
			want: backend.Config{Address: "/host/run/k3s/containerd/containerd.sock", RuntimeEndpoint: "unix:///host/run/k3s/containerd/containerd.sock",
				ImageEndpoint: "unix:///host/run/k3s/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second, HostRoot: "/host"},
		},
		{
			name:     "CRI-O under /host",
			isSocket: sockets("/host/run/crio/crio.sock"),
			want: backend.Config{RuntimeEndpoint: "unix:///host/run/crio/crio.sock", ImageEndpoint: "unix:///host/run/crio/crio.sock",
				Namespace: "default", Timeout: 10 * time.Second, HostRoot: "/host"},
		},
		{
			name:     "any socket on the node itself wins over /host",
			isSocket: sockets("/run/crio/crio.sock", "/host/run/containerd/containerd.sock"),
			want: backend.Config{RuntimeEndpoint: "unix:///run/crio/crio.sock", ImageEndpoint: "unix:///run/crio/crio.sock",
				Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name:     "--host-root is the only place looked at",
			args:     []string{"--host-root", "/mnt/node/"},
			isSocket: sockets("/run/containerd/containerd.sock", "/mnt/node/run/k3s/containerd/containerd.sock"),
			want: backend.Config{Address: "/mnt/node/run/k3s/containerd/containerd.sock", RuntimeEndpoint: "unix:///mnt/node/run/k3s/containerd/containerd.sock",
				ImageEndpoint: "unix:///mnt/node/run/k3s/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second, HostRoot: "/mnt/node"},
		},
		{
			name: "with no socket under the host root, its default path",
			env:  map[string]string{envHostRoot: "/host"},
			want: backend.Config{Address: "/host/run/containerd/containerd.sock", RuntimeEndpoint: "unix:///host/run/containerd/containerd.sock",
				ImageEndpoint: "unix:///host/run/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second, HostRoot: "/host"},
		},
		{
			name:     "--host-root / is the node itself, /host is not looked at",
			args:     []string{"--host-root", "/"},
			isSocket: sockets("/host/run/containerd/containerd.sock"),
			want: backend.Config{Address: "/run/containerd/containerd.sock", RuntimeEndpoint: "unix:///run/containerd/containerd.sock",
				ImageEndpoint: "unix:///run/containerd/containerd.sock", Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name: "a named endpoint is taken as it is, the host root still applies to log files",
			args: []string{"-a", "/x/containerd.sock", "--host-root", "/host"},
			want: backend.Config{Address: "/x/containerd.sock", RuntimeEndpoint: "unix:///x/containerd.sock",
				ImageEndpoint: "unix:///x/containerd.sock", Namespace: "default", Timeout: 10 * time.Second, HostRoot: "/host"},
		},
		{
			name: "env beats nothing, address feeds CRI",
			env:  map[string]string{envAddress: "/x/containerd.sock", envNamespace: "k8s.io"},
			want: backend.Config{Address: "/x/containerd.sock", RuntimeEndpoint: "unix:///x/containerd.sock",
				ImageEndpoint: "unix:///x/containerd.sock", Namespace: "k8s.io", Timeout: 10 * time.Second},
		},
		{
			name: "flag beats env",
			args: []string{"-a", "/flag.sock", "--namespace=flagns"},
			env:  map[string]string{envAddress: "/env.sock", envNamespace: "envns"},
			want: backend.Config{Address: "/flag.sock", RuntimeEndpoint: "unix:///flag.sock", ImageEndpoint: "unix:///flag.sock",
				Namespace: "flagns", Timeout: 10 * time.Second},
		},
		{
			name: "unix:// prefix accepted on the address",
			args: []string{"--address", "unix:///p.sock"},
			want: backend.Config{Address: "/p.sock", RuntimeEndpoint: "unix:///p.sock", ImageEndpoint: "unix:///p.sock",
				Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name: "crictl.yaml gives CRI endpoints and timeout in seconds; its socket becomes the address",
			args: []string{"-c", file},
			want: backend.Config{Address: "/file.sock", RuntimeEndpoint: "unix:///file.sock", ImageEndpoint: "unix:///file-img.sock",
				Namespace: "default", Timeout: 7 * time.Second, Debug: true},
		},
		{
			name: "env beats crictl.yaml field by field",
			env:  map[string]string{envCRIConfigFile: file, envRuntimeEndpoint: "/env-rt.sock"},
			want: backend.Config{Address: "/env-rt.sock", RuntimeEndpoint: "unix:///env-rt.sock", ImageEndpoint: "unix:///file-img.sock",
				Namespace: "default", Timeout: 7 * time.Second, Debug: true},
		},
		{
			name: "flags beat crictl.yaml, bare path is unix://, timeout flag",
			args: []string{"-c", file, "-r", "/flag-rt.sock", "-i", "tcp://127.0.0.1:1234", "--timeout", "3s", "--debug=false"},
			want: backend.Config{Address: "/flag-rt.sock", RuntimeEndpoint: "unix:///flag-rt.sock", ImageEndpoint: "tcp://127.0.0.1:1234",
				Namespace: "default", Timeout: 3 * time.Second},
		},
		{
			name: "timeout zero or less means the default",
			args: []string{"-a", "/a.sock", "-t", "0"},
			want: backend.Config{Address: "/a.sock", RuntimeEndpoint: "unix:///a.sock", ImageEndpoint: "unix:///a.sock",
				Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name: "timeout in plain seconds",
			args: []string{"-a", "/a.sock", "-t", "20", "--readonly"},
			want: backend.Config{Address: "/a.sock", RuntimeEndpoint: "unix:///a.sock", ImageEndpoint: "unix:///a.sock",
				Namespace: "default", Timeout: 20 * time.Second, Readonly: true},
		},
		{
			name: "address and runtime endpoint given separately stay separate",
			args: []string{"-a", "/native.sock", "-r", "unix:///cri.sock"},
			want: backend.Config{Address: "/native.sock", RuntimeEndpoint: "unix:///cri.sock", ImageEndpoint: "unix:///cri.sock",
				Namespace: "default", Timeout: 10 * time.Second},
		},
		{
			name: "a tcp runtime endpoint gives no native address",
			args: []string{"-r", "tcp://10.0.0.1:1234"},
			want: backend.Config{RuntimeEndpoint: "tcp://10.0.0.1:1234", ImageEndpoint: "tcp://10.0.0.1:1234",
				Namespace: "default", Timeout: 10 * time.Second},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isSocket := tc.isSocket
			if isSocket == nil {
				isSocket = noSockets
			}
			got, _, err := buildConfig(parse(t, tc.args...), mapEnv(tc.env), "", isSocket)
			if err != nil {
				t.Fatal(err)
			}
			// Sources are sentences checked separately; compare values here.
			got.AddressSource, got.RuntimeSource, got.ImageSource, got.NamespaceSource, got.HostRootSource = "", "", "", "", ""
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestBuildConfigSources(t *testing.T) {
	cfg, _, err := buildConfig(parse(t), mapEnv(nil), "", sockets("/run/k3s/containerd/containerd.sock"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cfg.AddressSource, "autodetected") || !strings.Contains(cfg.AddressSource, "k3s") {
		t.Errorf("address source %q should say it was autodetected as k3s's", cfg.AddressSource)
	}
	cfg, _, err = buildConfig(parse(t), mapEnv(nil), "", sockets("/host/run/containerd/containerd.sock"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cfg.HostRootSource, "autodetected") || !strings.Contains(cfg.HostRootSource, "/host") ||
		!strings.Contains(cfg.AddressSource, "/host/run/containerd/containerd.sock") {
		t.Errorf("sources under /host: host root %q address %q", cfg.HostRootSource, cfg.AddressSource)
	}
	cfg, _, err = buildConfig(parse(t), mapEnv(map[string]string{envHostRoot: "/host"}), "", sockets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HostRootSource != "env "+envHostRoot {
		t.Errorf("host root source %q", cfg.HostRootSource)
	}
	cfg, _, err = buildConfig(parse(t, "-n", "k8s.io"), mapEnv(map[string]string{envAddress: "/e.sock"}), "", sockets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AddressSource != "env CONTAINERD_ADDRESS" || cfg.NamespaceSource != "flag --namespace" {
		t.Errorf("sources: address %q namespace %q", cfg.AddressSource, cfg.NamespaceSource)
	}
	if !strings.Contains(cfg.RuntimeSource, "same socket") {
		t.Errorf("runtime source %q should say it reuses the containerd socket", cfg.RuntimeSource)
	}
}

func TestCrictlConfigFiles(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "runtime-endpoint: unix:///a.sock\nbogus-key: 1\n")
	exeDir := t.TempDir()
	writeFile(t, exeDir, "crictl.yaml", "runtime-endpoint: unix:///beside-binary.sock\nbogus-key: 1\n")

	// A named file with an unknown key is an error, as in crictl.
	if _, _, err := buildConfig(parse(t, "-c", bad), mapEnv(nil), "", sockets()); err == nil || !strings.Contains(err.Error(), "bogus-key") {
		t.Errorf("named config with unknown key: err = %v, want one naming the key", err)
	}
	if _, _, err := buildConfig(parse(t), mapEnv(map[string]string{envCRIConfigFile: bad}), "", sockets()); err == nil {
		t.Error("CRI_CONFIG_FILE with unknown key should fail")
	}
	// A named file that is missing is an error.
	if _, _, err := buildConfig(parse(t, "-c", filepath.Join(dir, "missing.yaml")), mapEnv(nil), "", sockets()); err == nil {
		t.Error("missing named config should fail")
	}
	// The fallback beside the binary is read, unknown keys tolerated,
	// unless /etc/crictl.yaml exists on this machine (then it wins).
	if _, err := os.Stat(defaultCrictlConfig); err == nil {
		t.Skip(defaultCrictlConfig + " exists on this machine")
	}
	cfg, _, err := buildConfig(parse(t), mapEnv(nil), exeDir, sockets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RuntimeEndpoint != "unix:///beside-binary.sock" {
		t.Errorf("fallback crictl.yaml beside the binary not used: %+v", cfg)
	}
	// A broken fallback file is ignored with a warning.
	writeFile(t, exeDir, "crictl.yaml", "runtime-endpoint: [unclosed\n")
	cfg, warnings, err := buildConfig(parse(t), mapEnv(nil), exeDir, sockets())
	if err != nil || len(warnings) != 1 || cfg.Address != "/run/containerd/containerd.sock" {
		t.Errorf("broken fallback: cfg %+v warnings %v err %v", cfg, warnings, err)
	}
}

func TestBadEndpoints(t *testing.T) {
	for _, args := range [][]string{{"-r", "http://x"}, {"-i", "npipe:////./pipe/x"}, {"-t", "soon"}, {"--host-root", "host"}} {
		if _, _, err := buildConfig(parse(t, args...), mapEnv(nil), "", sockets()); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

func TestRegistryOptions(t *testing.T) {
	env := func(m map[string]string) env {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	var o options
	fs := newFlagSet(&o)
	if err := fs.Parse([]string{"--hosts-dir", "/a/certs.d:/b"}); err != nil {
		t.Fatal(err)
	}
	r := registryOptions(&o, env(map[string]string{"CTUI_CREDS": "alice:pw"}), "")
	if r.Creds != "alice:pw" || len(r.HostsDirs) != 2 || r.HostsDirs[0] != "/a/certs.d" {
		t.Fatalf("%+v", r)
	}
	o = options{}
	fs = newFlagSet(&o)
	if err := fs.Parse([]string{"--creds", "bob"}); err != nil {
		t.Fatal(err)
	}
	if r := registryOptions(&o, env(map[string]string{"CTUI_CREDS": "alice:pw"}), ""); r.Creds != "bob" || r.HostsDirs != nil {
		t.Fatalf("flag beats env, no --hosts-dir means the defaults: %+v", r)
	}
}

// With the node's root mounted elsewhere (kubectl debug node), crictl.yaml is
// the node's, read under that root, and the socket it names is reached there.
func TestCrictlConfigUnderHostRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	nodeFile := writeFile(t, filepath.Join(root, "etc"), "crictl.yaml", "runtime-endpoint: unix:///run/k3s/containerd/containerd.sock\ntimeout: 9\n")
	exeDir := t.TempDir()
	writeFile(t, exeDir, "crictl.yaml", "runtime-endpoint: unix:///beside-binary.sock\n")
	k3s := root + "/run/k3s/containerd/containerd.sock"

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag", []string{"--host-root", root}, nil},
		{"env", nil, map[string]string{envHostRoot: root}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, warnings, err := buildConfig(parse(t, tc.args...), mapEnv(tc.env), exeDir, sockets(k3s))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.RuntimeEndpoint != "unix://"+k3s || cfg.Address != k3s || cfg.HostRoot != root || cfg.Timeout != 9*time.Second {
				t.Errorf("config %+v (warnings %v), want the node's crictl.yaml endpoint %s under the root and its timeout", cfg, warnings, k3s)
			}
			if !strings.Contains(cfg.RuntimeSource, nodeFile) {
				t.Errorf("runtime source %q should name %s", cfg.RuntimeSource, nodeFile)
			}
		})
	}

	// A file named with -c is read where it is named, endpoints as written.
	named := writeFile(t, t.TempDir(), "named.yaml", "runtime-endpoint: unix:///named.sock\n")
	cfg, _, err := buildConfig(parse(t, "--host-root", root, "-c", named), mapEnv(nil), exeDir, sockets())
	if err != nil || cfg.RuntimeEndpoint != "unix:///named.sock" {
		t.Errorf("-c under --host-root: %+v, %v; want the named file's endpoint as written", cfg, err)
	}

	// A tcp:// endpoint is not a path on the node.
	writeFile(t, filepath.Join(root, "etc"), "crictl.yaml", "runtime-endpoint: tcp://127.0.0.1:1234\n")
	cfg, _, err = buildConfig(parse(t, "--host-root", root), mapEnv(nil), exeDir, sockets())
	if err != nil || cfg.RuntimeEndpoint != "tcp://127.0.0.1:1234" {
		t.Errorf("tcp endpoint under --host-root: %+v, %v", cfg, err)
	}

	// Autodetected /host (a socket there, none at /): the node's crictl.yaml
	// under /host is read when it exists; this machine has none, so the
	// detected socket stands.
	if _, err := os.Stat(backend.DefaultHostRoot); err == nil {
		t.Skip(backend.DefaultHostRoot + " exists on this machine")
	}
	if _, err := os.Stat(defaultCrictlConfig); err == nil {
		t.Skip(defaultCrictlConfig + " exists on this machine")
	}
	hostSock := backend.DefaultHostRoot + "/run/containerd/containerd.sock"
	cfg, _, err = buildConfig(parse(t), mapEnv(nil), "", sockets(hostSock))
	if err != nil || cfg.Address != hostSock || cfg.HostRoot != backend.DefaultHostRoot || !strings.HasPrefix(cfg.HostRootSource, "autodetected") {
		t.Errorf("autodetected /host: %+v, %v", cfg, err)
	}
}

// Under a host root, pulls read the node's registry configuration: CRI's
// certs.d roots and k3s's registries.yaml under that root, not this
// machine's; --hosts-dir stays a path where ctui runs.
func TestRegistryOptionsUnderHostRoot(t *testing.T) {
	root := t.TempDir()
	hostsDir := filepath.Join(root, "etc/containerd/certs.d/reg.example:5000")
	k3sDir := filepath.Join(root, "etc/rancher/k3s")
	for _, d := range []string{hostsDir, k3sDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hostsToml := writeFile(t, hostsDir, "hosts.toml", "server = \"http://127.0.0.1:5999\"\n")
	regYAML := writeFile(t, k3sDir, "registries.yaml", "mirrors:\n  k3s.example:\n    endpoint:\n      - \"http://127.0.0.1:5998\"\n")

	r := registryOptions(parse(t), mapEnv(nil), root)
	want := []string{root + "/etc/containerd/certs.d", root + "/etc/docker/certs.d"}
	if strings.Join(r.HostsDirs, ":") != strings.Join(want, ":") {
		t.Errorf("hosts dirs %v, want %v", r.HostsDirs, want)
	}
	wantYAML := []string{root + "/etc/rancher/k3s/registries.yaml", root + "/etc/rancher/rke2/registries.yaml"}
	if strings.Join(r.RegistriesYAML, ":") != strings.Join(wantYAML, ":") {
		t.Errorf("registries.yaml %v, want %v", r.RegistriesYAML, wantYAML)
	}
	ctx := context.Background()
	for ref, file := range map[string]string{"reg.example:5000/app:1": hostsToml, "k3s.example/app:1": regYAML} {
		res, err := registry.Resolve(ctx, ref, registry.Options{HostsDirs: r.HostsDirs, RegistriesYAML: r.RegistriesYAML, DockerConfig: "-"})
		if err != nil {
			t.Fatal(err)
		}
		if d := res.Describe(); !strings.Contains(d, file) {
			t.Errorf("%s: %q, want it configured by %s", ref, d, file)
		}
	}

	r = registryOptions(parse(t, "--hosts-dir", "/here/certs.d"), mapEnv(nil), root)
	if len(r.HostsDirs) != 1 || r.HostsDirs[0] != "/here/certs.d" {
		t.Errorf("--hosts-dir under a host root: %v, want it as given", r.HostsDirs)
	}
	if r := registryOptions(parse(t), mapEnv(nil), ""); r.HostsDirs != nil || r.RegistriesYAML != nil {
		t.Errorf("no host root: %+v, want the defaults (nil)", r)
	}
}
