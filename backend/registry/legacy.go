package registry

import (
	"sort"

	"github.com/containerd/containerd/v2/core/remotes/docker"
)

// TLSFiles are a registry's TLS settings as CRI's deprecated
// registry.configs.<host>.tls and k3s's registries.yaml write them.
type TLSFiles struct {
	CAFile, CertFile, KeyFile string
	InsecureSkipVerify        bool
}

// LegacyHostsTOML renders the hosts.toml files that replace CRI's deprecated
// registry.mirrors (host -> endpoints) and registry.configs.<host>.tls,
// keyed by their directory under a config_path root (host_port_ for a port,
// _default for "*"). k3s's registries.yaml kept CRI's schema and k3s
// renders it into hosts.toml, so this is the same translation ctui reads
// registries.yaml with: endpoints in order with pull and resolve, TLS
// settings by endpoint host, the registry itself as server, last. source is
// the file they come from, named in each file's comment.
func LegacyHostsTOML(source string, mirrors map[string][]string, tls map[string]TLSFiles) (map[string]string, error) {
	f := &registriesFile{Path: source, origin: "CRI's deprecated registry.mirrors/configs", Mirrors: map[string]yamlMirror{}, Configs: map[string]yamlRegistryCf{}}
	for h, eps := range mirrors {
		f.Mirrors[h] = yamlMirror{Endpoints: eps}
	}
	for h, t := range tls {
		f.Configs[h] = yamlRegistryCf{TLS: &yamlTLS{CAFile: t.CAFile, CertFile: t.CertFile, KeyFile: t.KeyFile, InsecureSkipVerify: t.InsecureSkipVerify}}
	}
	hosts := map[string]bool{}
	for h := range f.Mirrors {
		hosts[h] = true
	}
	for h := range f.Configs {
		if d, _ := docker.DefaultHost("docker.io"); h == d {
			h = "docker.io" // images name docker.io; the directory is looked up by that name
		}
		hosts[h] = true
	}
	names := make([]string, 0, len(hosts))
	for h := range hosts {
		names = append(names, h)
	}
	sort.Strings(names)
	out := map[string]string{}
	for _, h := range names {
		content, _, err := f.hostsTOML(h)
		if err != nil {
			return nil, err
		}
		dir := hostDirName(h)
		if h == "*" {
			dir = "_default"
		}
		out[dir] = content
	}
	return out, nil
}
