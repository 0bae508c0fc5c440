package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/registry"
	"github.com/ctui/ctui/backend/remote"
	"github.com/ctui/ctui/ui/usage"
)

// Environment variables ctr and crictl read; ctui reads the same ones.
const (
	envAddress         = "CONTAINERD_ADDRESS"
	envNamespace       = "CONTAINERD_NAMESPACE"
	envRuntimeEndpoint = "CONTAINER_RUNTIME_ENDPOINT"
	envImageEndpoint   = "IMAGE_SERVICE_ENDPOINT"
	envCRIConfigFile   = "CRI_CONFIG_FILE"
	envNoColor         = "NO_COLOR"
	envCreds           = "CTUI_CREDS"
	envHostRoot        = "CTUI_HOST_ROOT"
)

// defaultCrictlConfig is where crictl looks first; the second place is next to
// the binary (crictl's own fallback).
const defaultCrictlConfig = "/etc/crictl.yaml"

// options are the command line as parsed, before weighing env and files.
type options struct {
	address, namespace   string
	runtimeEP, imageEP   string
	configFile           string
	timeout              string
	readonly, debug      bool
	noColor, showVersion bool
	creds, hostsDir      string
	hostRoot             string
	context              string
	logLines             int
	traceStartup         string
	// doctor: `ctui doctor` and its flags.
	showDoctor    bool
	output, check string
	statsInterval time.Duration
	flags         *pflag.FlagSet
}

func newFlagSet(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("ctui", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVar(&o.context, "context", "", "a named context of ~/.config/ctui/config.yaml (env "+envContext+"; default: its current-context): endpoint, namespace, sudo, readonly")
	fs.StringVarP(&o.address, "address", "a", "", "containerd socket (env "+envAddress+"; default: autodetect, /run/containerd/containerd.sock first)")
	fs.StringVarP(&o.namespace, "namespace", "n", "", "containerd namespace (env "+envNamespace+"; default \"default\"; Kubernetes uses k8s.io)")
	fs.StringVarP(&o.runtimeEP, "runtime-endpoint", "r", "", "CRI runtime endpoint, unix:// or tcp:// (env "+envRuntimeEndpoint+"; crictl.yaml runtime-endpoint)")
	fs.StringVarP(&o.imageEP, "image-endpoint", "i", "", "CRI image endpoint (env "+envImageEndpoint+"; crictl.yaml image-endpoint; default: the runtime endpoint)")
	fs.StringVarP(&o.configFile, "config", "c", "", "crictl config file (env "+envCRIConfigFile+"; default "+defaultCrictlConfig+")")
	fs.StringVarP(&o.timeout, "timeout", "t", "", "timeout for connecting and for each call, e.g. 10s or 10 (seconds); 0 or less means the default 10s")
	fs.BoolVar(&o.readonly, "readonly", false, "browse only: every action that changes the node is refused")
	fs.BoolVarP(&o.debug, "debug", "D", false, "write a debug log (connection details, error causes, containerd and gRPC library logs) to "+debugLogPath())
	fs.StringVar(&o.creds, "creds", "", "registry credentials user[:password] for pulls and pushes, as crictl --creds and ctr -u (env "+envCreds+"); without the password ctui asks for it")
	fs.StringVar(&o.hostsDir, "hosts-dir", "", "':'-separated certs.d roots with <host>/hosts.toml, as ctr --hosts-dir (default: CRI's "+registry.DefaultConfigPath+")")
	fs.StringVar(&o.hostRoot, "host-root", "", "where the node's root filesystem is, e.g. /host in kubectl debug node (env "+envHostRoot+"); sockets are looked for, log files, crictl.yaml, certs.d, registries.yaml and ctui doctor's files (/etc, /var/lib, /proc, /sys, the daemon's paths) read under it (default: autodetect, / then "+backend.DefaultHostRoot+")")
	fs.IntVar(&o.logLines, "log-lines", 0, "lines a log page keeps, the newest (0 or less: 10000); each costs its text plus some 80 bytes")
	fs.DurationVar(&o.statsInterval, "stats-interval", usage.DefaultInterval, "how often the page on screen samples CPU and memory, e.g. 2s or 500ms; 0 turns stats off")
	fs.BoolVar(&o.noColor, "no-color", false, "monochrome screen (also when "+envNoColor+" is set)")
	fs.StringVar(&o.traceStartup, "trace-startup", "", "write when each phase of the start ended (config, connects, terminal set up and answers, first list, first frame) to this file")
	fs.BoolVarP(&o.showVersion, "version", "v", false, "print versions of ctui, containerd and the CRI runtime, then exit (same as ctui version)")
	fs.StringVarP(&o.output, "output", "o", "text", "ctui doctor: text or json (field names in docs/doctor.md)")
	fs.StringVar(&o.check, "check", "", "ctui doctor: run only the named check (cri-plugin, containerd-config, cgroup-driver, sandbox-image, registry, cni, crictl, kernel, disk, runtime)")
	o.flags = fs
	return fs
}

// crictlConfig is the part of crictl.yaml ctui uses. Keys crictl knows but
// ctui does not need are accepted so that a shared file is not an error.
type crictlConfig struct {
	RuntimeEndpoint   string `json:"runtime-endpoint"`
	ImageEndpoint     string `json:"image-endpoint"`
	Timeout           int    `json:"timeout"`
	Debug             bool   `json:"debug"`
	PullImageOnCreate bool   `json:"pull-image-on-create"`
	DisablePullOnRun  bool   `json:"disable-pull-on-run"`
	MaxRetries        int    `json:"max-retries"`
}

// env is the environment as a lookup, so tests need not touch the process's.
type env func(string) (string, bool)

// loadCrictlConfig finds and reads crictl.yaml as crictl does: the file named
// by -c or CRI_CONFIG_FILE must exist and hold only crictl's keys; otherwise
// /etc/crictl.yaml, then crictl.yaml beside the binary, either of which is
// skipped when missing or broken (crictl ignores a broken default file too).
// It returns the path read ("" when none) and a warning for a skipped file.
//
// root is the node's root as ctui sees it (--host-root, or autodetected):
// the default file is then <root>/etc/crictl.yaml, and a unix endpoint it
// names (a path on the node) is taken under root too. A file named by -c or
// CRI_CONFIG_FILE is read where it is named, endpoints as written.
func loadCrictlConfig(flagPath string, getenv env, exeDir, root string) (cfg crictlConfig, path, warning string, err error) {
	named := flagPath
	if named == "" {
		named, _ = getenv(envCRIConfigFile)
	}
	if named != "" {
		data, err := os.ReadFile(named)
		if err != nil {
			return cfg, "", "", fmt.Errorf("crictl config %s: %w", named, err)
		}
		if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
			return cfg, "", "", fmt.Errorf("crictl config %s: %v", named, err)
		}
		return cfg, named, "", nil
	}
	candidates := []string{backend.HostPath(root, defaultCrictlConfig)}
	if exeDir != "" && !underRoot(root) {
		candidates = append(candidates, filepath.Join(exeDir, "crictl.yaml"))
	}
	for _, p := range candidates {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return crictlConfig{}, "", fmt.Sprintf("ignoring %s: %v", p, err), nil
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return crictlConfig{}, "", fmt.Sprintf("ignoring %s: %v", p, err), nil
		}
		if underRoot(root) {
			cfg.RuntimeEndpoint = endpointUnder(root, cfg.RuntimeEndpoint)
			cfg.ImageEndpoint = endpointUnder(root, cfg.ImageEndpoint)
		}
		return cfg, p, "", nil
	}
	return cfg, "", "", nil
}

// underRoot reports whether root names a node root other than ctui's own /.
func underRoot(root string) bool {
	return root != "" && filepath.Clean(root) != "/"
}

// endpointUnder is a crictl.yaml endpoint read from the node's root as ctui
// reaches it: a unix socket (unix:///path or a bare path) under root; a
// tcp:// endpoint, or one that is not understood, as written (the endpoint
// check words the error).
func endpointUnder(root, ep string) string {
	p, ok := backend.SocketPath(ep)
	if !ok || !filepath.IsAbs(p) {
		return ep
	}
	return "unix://" + backend.HostPath(root, p)
}

// pick returns the first non-empty of flag, env and file, with its source.
func pick(flagVal, flagName, envName string, getenv env, fileVal, filePath, fileKey string) backend.Setting {
	if flagVal != "" {
		return backend.Setting{Value: flagVal, Source: "flag --" + flagName}
	}
	if v, ok := getenv(envName); ok && v != "" {
		return backend.Setting{Value: v, Source: "env " + envName}
	}
	if fileVal != "" {
		return backend.Setting{Value: fileVal, Source: filePath + " " + fileKey}
	}
	return backend.Setting{}
}

// parseTimeout takes a Go duration ("5s", "1m") or a number of seconds, as
// crictl.yaml writes it. Zero or less means the default.
func parseTimeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("--timeout %q: want a duration such as 10s, or seconds", s)
	}
	return d, nil
}

// buildConfig weighs flags, environment and crictl.yaml into a backend.Config:
// flag > env > config file > autodetect, field by field, as ctr and crictl do.
// isSocket is os.Stat's answer for autodetection, injected for tests.
//
// With the node's root elsewhere (--host-root, CTUI_HOST_ROOT), crictl.yaml
// is the node's, under that root. When the root is autodetected (no socket
// at /, one under /host) and no crictl.yaml was found here, the weighing is
// done again with the node's crictl.yaml under the detected root.
func buildConfig(o *options, getenv env, exeDir string, isSocket func(string) bool) (backend.Config, []string, error) {
	cfg, warnings, crictlPath, err := weighConfig(o, getenv, exeDir, isSocket)
	if err != nil || crictlPath != "" || o.hostRoot != "" || cfg.HostRoot == "" || cfg.Remote != "" {
		return cfg, warnings, err
	}
	if v, ok := getenv(envHostRoot); ok && v != "" {
		return cfg, warnings, err
	}
	if v, ok := getenv(envCRIConfigFile); ok && v != "" || o.configFile != "" {
		return cfg, warnings, err
	}
	// Autodetected: the node's own crictl.yaml decides, when it has one.
	if _, err := os.Stat(backend.HostPath(cfg.HostRoot, defaultCrictlConfig)); err != nil {
		return cfg, warnings, nil
	}
	at := *o
	at.hostRoot = cfg.HostRoot
	again, againWarnings, _, err := weighConfig(&at, getenv, exeDir, isSocket)
	if err != nil {
		return cfg, warnings, err
	}
	again.HostRootSource = cfg.HostRootSource
	return again, againWarnings, nil
}

// weighConfig is buildConfig's one pass, with crictl.yaml read under
// o.hostRoot (or CTUI_HOST_ROOT); it also returns the crictl.yaml path read.
func weighConfig(o *options, getenv env, exeDir string, isSocket func(string) bool) (backend.Config, []string, string, error) {
	var warnings []string
	root := o.hostRoot
	if root == "" {
		root, _ = getenv(envHostRoot)
	}
	file, path, warn, err := loadCrictlConfig(o.configFile, getenv, exeDir, strings.TrimSpace(root))
	if err != nil {
		return backend.Config{}, nil, "", err
	}
	if warn != "" {
		warnings = append(warnings, warn)
	}
	// A context chosen (by flag, env or current-context) weighs just
	// below the flags: it is the operator naming a node on purpose.
	cx, cxSource, err := resolveContext(o.context, getenv)
	if err != nil {
		return backend.Config{}, warnings, "", err
	}
	if cx == nil {
		cx = &ctuiContext{}
	}
	withCtx := func(s backend.Setting, flagVal, ctxVal string) backend.Setting {
		if flagVal == "" && ctxVal != "" {
			return backend.Setting{Value: ctxVal, Source: cxSource}
		}
		return s
	}
	eps := backend.Endpoints{
		Address:         withCtx(pick(o.address, "address", envAddress, getenv, "", "", ""), o.address, cx.Endpoint),
		RuntimeEndpoint: withCtx(pick(o.runtimeEP, "runtime-endpoint", envRuntimeEndpoint, getenv, file.RuntimeEndpoint, path, "runtime-endpoint"), o.runtimeEP, cx.RuntimeEndpoint),
		ImageEndpoint:   withCtx(pick(o.imageEP, "image-endpoint", envImageEndpoint, getenv, file.ImageEndpoint, path, "image-endpoint"), o.imageEP, cx.ImageEndpoint),
		HostRoot:        pick(o.hostRoot, "host-root", envHostRoot, getenv, "", "", ""),
	}
	var cfg backend.Config
	if remote.IsSSH(eps.Address.Value) || remote.IsSSH(eps.RuntimeEndpoint.Value) {
		// A node over SSH: its sockets are found there, once connected,
		// and a local crictl.yaml describes this machine, not that node.
		cfg, err = remoteEndpoints(o, getenv, eps)
	} else {
		cfg, err = backend.ResolveEndpoints(eps, isSocket)
	}
	if err != nil {
		return backend.Config{}, warnings, "", err
	}

	ns := withCtx(pick(o.namespace, "namespace", envNamespace, getenv, "", "", ""), o.namespace, cx.Namespace)
	cfg.Namespace, cfg.NamespaceSource = ns.Value, ns.Source
	if cfg.Namespace == "" {
		cfg.Namespace, cfg.NamespaceSource = backend.DefaultNamespace, "default"
	}

	timeout, err := parseTimeout(o.timeout)
	if err != nil {
		return backend.Config{}, warnings, "", err
	}
	if o.timeout == "" && file.Timeout != 0 {
		timeout = time.Duration(file.Timeout) * time.Second
	}
	if timeout <= 0 {
		timeout = backend.DefaultTimeout
	}
	cfg.Timeout = timeout
	cfg.Readonly = o.readonly || cx.Readonly
	if cx.Readonly && !o.readonly {
		cfg.ReadonlyContext = cx.Name + " of " + ctuiConfigPath(getenv)
	}
	cfg.Context = cx.Name
	cfg.Debug = o.debug || (!o.flags.Changed("debug") && file.Debug)
	return cfg, warnings, path, nil
}

// remoteEndpoints takes an ssh:// address (or runtime endpoint): the node
// and, when the URL has a path, its socket there. The other endpoint may be
// the same ssh:// node or a unix:// path on it; anything else is refused.
func remoteEndpoints(o *options, getenv env, eps backend.Endpoints) (backend.Config, error) {
	var c backend.Config
	named := eps.Address
	if !remote.IsSSH(named.Value) {
		named = eps.RuntimeEndpoint
	}
	ep, err := remote.Parse(named.Value)
	if err != nil {
		return c, fmt.Errorf("%s: %w", named.Source, err)
	}
	c.Remote, c.RemoteSource = ep.String(), named.Source
	// Only flags and environment count for the other endpoints: a
	// crictl.yaml here describes this machine.
	other := func(s backend.Setting) (string, error) {
		if s.Value == "" || !strings.HasPrefix(s.Source, "flag") && !strings.HasPrefix(s.Source, "env") && !strings.HasPrefix(s.Source, "context") {
			return "", nil
		}
		if remote.IsSSH(s.Value) {
			e, err := remote.Parse(s.Value)
			if err != nil {
				return "", fmt.Errorf("%s: %w", s.Source, err)
			}
			if e.Node() != ep.Node() || e.Sudo != ep.Sudo {
				return "", fmt.Errorf("%s names %s, but %s names %s: ctui reaches one node at a time", s.Source, e, named.Source, ep)
			}
			return e.Socket, nil
		}
		p, ok := backend.SocketPath(s.Value)
		if !ok {
			return "", fmt.Errorf("%s: %q: with %s, name a unix socket on that node (unix:///path) or leave it out", s.Source, s.Value, ep.Node())
		}
		return p, nil
	}
	addr, err := other(eps.Address)
	if err != nil {
		return c, err
	}
	rt, err := other(eps.RuntimeEndpoint)
	if err != nil {
		return c, err
	}
	img, err := other(eps.ImageEndpoint)
	if err != nil {
		return c, err
	}
	if addr != "" {
		c.Address, c.AddressSource = addr, eps.Address.Source
	}
	if rt != "" {
		c.RuntimeEndpoint, c.RuntimeSource = "unix://"+rt, eps.RuntimeEndpoint.Source
	}
	if img != "" {
		c.ImageEndpoint, c.ImageSource = "unix://"+img, eps.ImageEndpoint.Source
	}
	return c, nil
}

// registryOptions are how pulls and pushes reach registries: --creds (else
// CTUI_CREDS, so a password need not be on the command line) and
// --hosts-dir; the rest are the node's defaults, as the daemon sees them.
// With the node's root elsewhere (hostRoot, as in kubectl debug node), those
// defaults (CRI's certs.d roots, k3s and RKE2 registries.yaml) are read under
// it; --hosts-dir is a path where ctui runs, as ctr's is.
func registryOptions(o *options, getenv env, hostRoot string) backend.RegistryOptions {
	var r backend.RegistryOptions
	r.Creds = o.creds
	if r.Creds == "" {
		r.Creds, _ = getenv(envCreds)
	}
	if o.hostsDir != "" {
		r.HostsDirs = registry.SplitList(o.hostsDir)
	} else if underRoot(hostRoot) {
		r.HostsDirs = underHostRoot(hostRoot, registry.DefaultConfigPath)
	}
	if underRoot(hostRoot) {
		r.RegistriesYAML = underHostRoot(hostRoot, registry.DefaultRegistriesYAML)
	}
	return r
}

// underHostRoot is a ':'-separated list of node paths, each under root.
func underHostRoot(root, list string) []string {
	ps := registry.SplitList(list)
	for i, p := range ps {
		ps[i] = backend.HostPath(root, p)
	}
	return ps
}
