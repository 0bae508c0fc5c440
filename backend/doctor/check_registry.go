package doctor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v2"
)

// RegistriesYAML are the k3s and RKE2 registry files.
var RegistriesYAML = []string{"/etc/rancher/k3s/registries.yaml", "/etc/rancher/rke2/registries.yaml"}

// configPath is CRI's registry config_path as the daemon uses it, and where
// that was read.
func (f *Facts) configPath() (string, string) {
	if f.CRI.Parsed && f.CRI.HasRegistry {
		return f.CRI.RegistryConfigPath, "crictl info: config.registry.configPath = " + f.CRI.RegistryConfigPath
	}
	if p, found := f.Daemon.Plugin("io.containerd.cri.v1", "images"); found {
		if v, ok := p.Exports["RegistryConfigPath"]; ok {
			return v, "ctr plugins ls -d: io.containerd.cri.v1.images RegistryConfigPath = " + v
		}
	}
	if v := f.Config.lookup(setRegistry, "config_path"); v.Found {
		return v.String(), v.Evidence()
	}
	return "", ""
}

// checkRegistry: deprecated mirrors/configs next to (or instead of)
// config_path (checkLegacyRegistry); hosts.toml that does not parse, names
// a missing CA, client cert or key, or skips verification; k3s
// registries.yaml that does not parse or whose mirror endpoints do not
// answer.
func checkRegistry(f *Facts) Finding {
	var out []Finding
	cp, cpWhere := f.configPath()
	out = append(out, checkLegacyRegistry(f, cp, cpWhere)...)

	dirs := splitList(cp)
	if cp == "" && f.daemonMajor() == 1 {
		// 1.x reads no hosts.toml without config_path: files there do nothing.
		for _, d := range []string{"/etc/containerd/certs.d", "/etc/docker/certs.d"} {
			if files := hostsFiles(f, d); len(files) > 0 {
				out = append(out, warn(fmt.Sprintf("%s holds hosts.toml files, but CRI reads none: config_path is not set.", d),
					[]string{files[0] + ": present", "crictl info: config.registry.configPath = \"\""},
					f.snippet(f.table(setRegistry)+"\n  config_path = \""+d+"\"")))
			}
		}
	}
	for _, d := range dirs {
		for _, p := range hostsFiles(f, d) {
			out = append(out, checkHostsFile(f, p)...)
		}
	}
	out = append(out, checkRegistriesYAML(f)...)
	if len(out) == 0 {
		what := "no registry configuration beyond the defaults"
		if cp != "" {
			what = "hosts.toml under " + cp + " parse and name existing files"
		}
		return ok("Registry configuration is sound: %s.", what)
	}
	return worst(out...)
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ":") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// hostsFiles lists <dir>/<host>/hosts.toml, as the node names them.
func hostsFiles(f *Facts, dir string) []string {
	entries, err := f.node().ReadDir(f.host(dir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name(), "hosts.toml")
		if _, err := f.node().Stat(f.host(p)); err == nil {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// hostsTOML is the part of hosts.toml that names files or weakens TLS.
type hostsTOML struct {
	Server     string `toml:"server"`
	CA         any    `toml:"ca"`
	Client     any    `toml:"client"`
	SkipVerify *bool  `toml:"skip_verify"`
	Host       map[string]struct {
		CA         any   `toml:"ca"`
		Client     any   `toml:"client"`
		SkipVerify *bool `toml:"skip_verify"`
	} `toml:"host"`
}

func checkHostsFile(f *Facts, p string) []Finding {
	b, err := f.readFile(f.host(p))
	if err != nil {
		return []Finding{skip("%v", err)}
	}
	lines := strings.Split(string(b), "\n")
	var h hostsTOML
	if err := toml.Unmarshal(b, &h); err != nil {
		where := p
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			where = fmt.Sprintf("%s:%d", p, row)
		}
		return []Finding{fail(fmt.Sprintf("%s does not parse; containerd then ignores it and every mirror and setting in it.", p),
			[]string{where + ": " + err.Error()}, "Correct the TOML at the line named (keys: server, [host.\"URL\"], capabilities, ca, client, skip_verify, header)")}
	}
	var out []Finding
	lineOf := func(needle string) string {
		for i, l := range lines {
			if strings.Contains(l, needle) {
				return fmt.Sprintf("%s:%d: %s", p, i+1, strings.TrimSpace(l))
			}
		}
		return p
	}
	checkFiles := func(kind string, v any) {
		for _, fp := range filesOf(v) {
			full := fp
			if !filepath.IsAbs(full) {
				full = filepath.Join(filepath.Dir(p), full)
			}
			fh, err := f.node().Open(f.host(full))
			if err == nil {
				fh.Close()
				continue
			}
			out = append(out, fail(fmt.Sprintf("%s names a %s %s that cannot be read: pulls from that host fail their TLS handshake.", p, kind, full),
				[]string{lineOf(fp), fileErr(full, err).Error()},
				fmt.Sprintf("Put the file at %s (PEM), or correct the path in %s", full, p)))
		}
	}
	checkFiles("CA certificate", h.CA)
	checkFiles("client certificate or key", h.Client)
	skips := []string{}
	if h.SkipVerify != nil && *h.SkipVerify {
		skips = append(skips, lineOf("skip_verify"))
	}
	names := make([]string, 0, len(h.Host))
	for n := range h.Host {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		hh := h.Host[n]
		checkFiles("CA certificate", hh.CA)
		checkFiles("client certificate or key", hh.Client)
		if hh.SkipVerify != nil && *hh.SkipVerify {
			skips = append(skips, lineOf("skip_verify"))
		}
	}
	if len(skips) > 0 {
		out = append(out, warn(fmt.Sprintf("%s turns off TLS verification (skip_verify): anyone on the path can serve images.", p),
			skips, "Give the registry's CA instead: ca = \"/etc/containerd/certs.d/<host>/ca.crt\" and remove skip_verify"))
	}
	return out
}

// filesOf reads ca/client values: a string, a list of strings, or a list of
// [cert, key] pairs.
func filesOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, filesOf(e)...)
		}
		return out
	}
	return nil
}

// quotedValue matches what a YAML decoder quotes back; a registries.yaml
// holds passwords, which never reach a finding.
var quotedValue = regexp.MustCompile("`[^`]*`|\"[^\"]{2,}\"|'[^']{2,}'")

type registriesYAML struct {
	Mirrors map[string]struct {
		Endpoint []string `yaml:"endpoint"`
	} `yaml:"mirrors"`
	Configs map[string]struct {
		TLS *struct {
			CAFile   string `yaml:"ca_file"`
			CertFile string `yaml:"cert_file"`
			KeyFile  string `yaml:"key_file"`
			Insecure bool   `yaml:"insecure_skip_verify"`
		} `yaml:"tls"`
	} `yaml:"configs"`
}

func checkRegistriesYAML(f *Facts) []Finding {
	var out []Finding
	for _, p := range RegistriesYAML {
		b, err := f.node().ReadFile(f.host(p))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			out = append(out, skip("%v", fileErr(p, err)))
			continue
		}
		var doc registriesYAML
		if err := yaml.Unmarshal(b, &doc); err != nil {
			msg := quotedValue.ReplaceAllString(strings.Join(strings.Fields(err.Error()), " "), "<value>")
			out = append(out, fail(fmt.Sprintf("%s does not parse; k3s/RKE2 then configure no mirror and no registry credentials.", p),
				[]string{p + ": " + msg}, "Correct the YAML (mirrors.<host>.endpoint: [URL...], configs.<host>.auth/tls), then restart k3s or rke2-server"))
			continue
		}
		lines := strings.Split(string(b), "\n")
		lineOf := func(needle string) string {
			for i, l := range lines {
				if strings.Contains(l, needle) {
					return fmt.Sprintf("%s:%d: %s", p, i+1, strings.TrimSpace(l))
				}
			}
			return p
		}
		hosts := make([]string, 0, len(doc.Configs))
		for h := range doc.Configs {
			hosts = append(hosts, h)
		}
		sort.Strings(hosts)
		for _, h := range hosts {
			t := doc.Configs[h].TLS
			if t == nil {
				continue
			}
			for _, fp := range []string{t.CAFile, t.CertFile, t.KeyFile} {
				if fp == "" {
					continue
				}
				full := fp
				if !filepath.IsAbs(full) {
					full = filepath.Join(filepath.Dir(p), full)
				}
				if fh, err := f.node().Open(f.host(full)); err == nil {
					fh.Close()
					continue
				} else {
					out = append(out, fail(fmt.Sprintf("%s names a TLS file %s for %s that cannot be read.", p, full, h),
						[]string{lineOf(fp), fileErr(full, err).Error()}, "Put the file there or correct configs."+h+".tls in "+p))
				}
			}
			if t.Insecure {
				out = append(out, warn(fmt.Sprintf("%s turns off TLS verification for %s.", p, h), []string{lineOf("insecure_skip_verify")},
					"Give its CA instead: configs.\""+h+"\".tls.ca_file"))
			}
		}
		out = append(out, probeEndpoints(f, p, doc, lineOf)...)
	}
	return out
}

// probeEndpoints asks each mirror endpoint for /v2/ at once, within the
// timeout: any HTTP answer means it answers; only the connection matters.
func probeEndpoints(f *Facts, p string, doc registriesYAML, lineOf func(string) string) []Finding {
	type probe struct{ host, ep string }
	var probes []probe
	for h, m := range doc.Mirrors {
		for _, ep := range m.Endpoint {
			probes = append(probes, probe{h, ep})
		}
	}
	sort.Slice(probes, func(i, j int) bool { return probes[i].ep < probes[j].ep })
	errs := make([]error, len(probes))
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // reachability only, nothing is trusted
		Proxy:           http.ProxyFromEnvironment,
	}
	if d, ok := f.node().(Dialer); ok {
		// From the node, as k3s would reach them: its names, routes and
		// firewall (this machine's proxy settings are not the node's).
		tr.DialContext, tr.Proxy = d.DialContext, nil
	}
	client := &http.Client{Timeout: f.opts.Timeout, Transport: tr}
	var wg sync.WaitGroup
	for i, pr := range probes {
		wg.Go(func() {
			u := pr.ep
			if !strings.Contains(u, "://") {
				u = "https://" + u
			}
			pu, err := url.Parse(u)
			if err != nil {
				errs[i] = err
				return
			}
			pu.Path = strings.TrimSuffix(pu.Path, "/") + "/v2/"
			ctx, cancel := context.WithTimeout(context.Background(), f.opts.Timeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, pu.String(), nil)
			resp, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	var out []Finding
	for i, pr := range probes {
		if errs[i] != nil {
			why := errs[i].Error()
			var ne net.Error
			if errors.Is(errs[i], context.DeadlineExceeded) || (errors.As(errs[i], &ne) && ne.Timeout()) {
				why = fmt.Sprintf("no answer within %s (--timeout): %v", f.opts.Timeout, errs[i])
			}
			out = append(out, warn(fmt.Sprintf("Mirror endpoint %s for %s in %s does not answer%s; pulls wait for it before falling back.", pr.ep, pr.host, p, f.fromWhere()),
				[]string{lineOf(pr.ep), "GET " + pr.ep + "/v2/: " + why},
				"Start or correct the mirror, or remove the endpoint from mirrors."+pr.host+".endpoint in "+p+", then restart k3s or rke2-server"))
		}
	}
	return out
}
