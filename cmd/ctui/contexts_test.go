package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestContexts(t *testing.T) {
	home := t.TempDir()
	xdg := t.TempDir()
	writeFile(t, filepath.Join(home), ".placeholder", "")
	cfgDir := filepath.Join(xdg, "ctui")
	if err := mkdirAll(cfgDir); err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfgDir, "config.yaml", `current-context: local
contexts:
  - name: local
    endpoint: /run/k3s/containerd/containerd.sock
    namespace: k8s.io
  - name: prod
    endpoint: ssh://admin@node1:2222
    namespace: k8s.io
    sudo: true
    readonly: true
`)
	base := map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	// current-context applies when nothing else chooses.
	cfg, _, err := buildConfig(parse(t), mapEnv(base), "", sockets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Context != "local" || cfg.Address != "/run/k3s/containerd/containerd.sock" || cfg.Namespace != "k8s.io" || cfg.Readonly {
		t.Errorf("current-context: %+v", cfg)
	}
	if !strings.Contains(cfg.AddressSource, "context local") || !strings.Contains(cfg.AddressSource, "current-context") {
		t.Errorf("address source %q does not name the context", cfg.AddressSource)
	}

	// --context picks another; sudo and readonly come with it; the
	// endpoint is remote, so it is resolved on the node once connected.
	cfg, _, err = buildConfig(parse(t, "--context", "prod"), mapEnv(base), "", sockets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Context != "prod" || cfg.Remote != "ssh://admin@node1:2222?sudo" || !cfg.Readonly || cfg.Namespace != "k8s.io" || cfg.Address != "" {
		t.Errorf("--context prod: %+v", cfg)
	}
	// Refusals name the read-only context and its file; with --readonly
	// as well, the flag is what to drop first.
	if want := "prod of " + filepath.Join(cfgDir, "config.yaml"); cfg.ReadonlyContext != want {
		t.Errorf("--context prod: ReadonlyContext %q, want %q", cfg.ReadonlyContext, want)
	}
	if cfg, _, _ := buildConfig(parse(t, "--context", "prod", "--readonly"), mapEnv(base), "", sockets()); !cfg.Readonly || cfg.ReadonlyContext != "" {
		t.Errorf("--context prod --readonly: Readonly %v, ReadonlyContext %q", cfg.Readonly, cfg.ReadonlyContext)
	}
	// The environment chooses as well; a flag still beats the context.
	cfg, _, err = buildConfig(parse(t, "-n", "default"), mapEnv(with(map[string]string{envContext: "prod", envNamespace: "other"})), "", sockets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Context != "prod" || cfg.Namespace != "default" || cfg.NamespaceSource != "flag --namespace" {
		t.Errorf("CTUI_CONTEXT with -n: %+v", cfg)
	}
	// The context beats the environment's address: naming it is on purpose.
	cfg, _, err = buildConfig(parse(t, "--context", "local"), mapEnv(with(map[string]string{envAddress: "/env.sock"})), "", sockets())
	if err != nil || cfg.Address != "/run/k3s/containerd/containerd.sock" {
		t.Errorf("context vs env: %+v, %v", cfg, err)
	}

	// An unknown name lists the known ones.
	_, _, err = buildConfig(parse(t, "--context", "nope"), mapEnv(base), "", sockets())
	if err == nil || !strings.Contains(err.Error(), `no context "nope"`) || !strings.Contains(err.Error(), "local, prod") {
		t.Errorf("unknown context: %v", err)
	}
	// A broken file says where.
	writeFile(t, cfgDir, "config.yaml", "contexts:\n  - name: a\n    bogus: 1\n")
	_, _, err = buildConfig(parse(t), mapEnv(base), "", sockets())
	if err == nil || !strings.Contains(err.Error(), "config.yaml") || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("broken config.yaml: %v", err)
	}
	// Without XDG_CONFIG_HOME it is ~/.config/ctui/config.yaml.
	if p := ctuiConfigPath(mapEnv(map[string]string{"HOME": home})); p != filepath.Join(home, ".config", "ctui", "config.yaml") {
		t.Errorf("config path %q", p)
	}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
