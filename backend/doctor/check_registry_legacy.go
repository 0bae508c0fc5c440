package doctor

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ctui/ctui/backend/registry"
)

// checkLegacyRegistry: CRI's registry.mirrors, registry.configs and
// registry.auths, deprecated since containerd 1.5 (auths 1.3) and reported
// by 2.x, beside or instead of config_path. Mirrors with config_path stop
// CRI on every version, configs.<host>.tls with config_path stops it on 1.x,
// and 2.x ignores configs.<host>.tls altogether. The fix is the hosts.toml
// of each host, rendered as ctui renders k3s's registries.yaml (the same
// schema), and config_path.
func checkLegacyRegistry(f *Facts, cp, cpWhere string) []Finding {
	reg := func(sub ...string) Value { return f.Config.lookup(setRegistry, sub...) }
	mirrors, configs, auths := asMap(reg("mirrors").V), asMap(reg("configs").V), asMap(reg("auths").V)
	var depEv []string
	for _, d := range f.Daemon.Deprecations {
		if isRegistryDeprecation(d.ID) {
			depEv = append(depEv, fmt.Sprintf("ctr deprecations list: %s: %s", d.ID, d.Message))
		}
	}
	if len(mirrors)+len(configs)+len(auths)+len(f.CRI.RegistryMirrors) == 0 {
		if len(depEv) == 0 {
			return nil
		}
		return []Finding{warn("containerd reports deprecated registry settings in use.", depEv,
			"Put each registry's settings in <config_path>/<host>/hosts.toml and remove the settings the messages name from "+f.configFileName()+", then: "+f.restartFix())}
	}

	var ev, used []string
	eps := map[string][]string{}
	for _, h := range sortedKeys(mirrors) {
		v := reg("mirrors", h)
		ev = append(ev, v.Evidence())
		list, _ := asMap(v.V)["endpoint"].([]any)
		for _, e := range list {
			if s, ok := e.(string); ok {
				eps[h] = append(eps[h], s)
			}
		}
	}
	hasMirrors := len(mirrors) > 0
	switch {
	case hasMirrors:
		used = append(used, "registry.mirrors ("+strings.Join(sortedKeys(mirrors), ", ")+")")
	case len(f.CRI.RegistryMirrors) > 0:
		hasMirrors = true
		used = append(used, "registry.mirrors ("+strings.Join(f.CRI.RegistryMirrors, ", ")+")")
		ev = append(ev, "crictl info: config.registry.mirrors: "+strings.Join(f.CRI.RegistryMirrors, ", "))
	}
	tls := map[string]registry.TLSFiles{}
	var tlsHosts, authHosts []string
	for _, h := range sortedKeys(configs) {
		c := asMap(configs[h])
		if t := asMap(c["tls"]); len(t) > 0 {
			tlsHosts = append(tlsHosts, h)
			s := func(k string) string { v, _ := t[k].(string); return v }
			skip, _ := t["insecure_skip_verify"].(bool)
			tls[h] = registry.TLSFiles{CAFile: s("ca_file"), CertFile: s("cert_file"), KeyFile: s("key_file"), InsecureSkipVerify: skip}
			ev = append(ev, noSecrets(reg("configs", h, "tls"), "registry.configs.\""+h+"\".tls"))
		}
		if _, ok := c["auth"]; ok {
			authHosts = append(authHosts, h)
			ev = append(ev, reg("configs", h, "auth").Where()+": registry.configs.\""+h+"\".auth (credentials not shown)")
		}
	}
	if len(configs) > 0 {
		used = append(used, "registry.configs ("+strings.Join(sortedKeys(configs), ", ")+")")
	}
	for _, ep := range sortedKeys(auths) {
		ev = append(ev, reg("auths", ep).Where()+": registry.auths.\""+ep+"\" (credentials not shown)")
	}
	if len(auths) > 0 {
		used = append(used, "registry.auths ("+strings.Join(sortedKeys(auths), ", ")+")")
	}
	if cp != "" {
		ev = append(ev, cpWhere)
	}
	ev = append(ev, depEv...)

	fix := legacyFix(f, cp, eps, tls, hasMirrors, authHosts, sortedKeys(auths))
	tlsNames := strings.Join(tlsHosts, ", ")
	major := f.daemonMajor()
	switch {
	case hasMirrors && cp != "":
		return []Finding{fail("The deprecated registry.mirrors and config_path are both set: containerd refuses the combination and CRI does not load.", ev, fix)}
	case len(tlsHosts) > 0 && cp != "" && major == 1:
		return []Finding{fail("The deprecated registry.configs.<host>.tls ("+tlsNames+") and config_path are both set: containerd 1.x refuses the combination and CRI does not load.", ev, fix)}
	case len(tlsHosts) > 0 && major >= 2:
		return []Finding{fail(f.daemonName()+" ignores registry.configs.<host>.tls ("+tlsNames+"): configs keep only auth on 2.x, so pulls from those hosts use none of its CA, client certificate or skip_verify; hosts.toml under config_path is where TLS settings go.", ev, fix)}
	}
	return []Finding{warn("CRI's registry uses the deprecated "+strings.Join(used, ", ")+": containerd is to remove them in 2.7, and hosts.toml under config_path replaces them.", ev, fix)}
}

// legacyFix writes the hosts.toml of every mirrored host and every host with
// TLS settings under the first config_path root (or /etc/containerd/certs.d),
// then what to remove from the config file and keep (credentials, which
// hosts.toml cannot hold), and config_path.
func legacyFix(f *Facts, cp string, eps map[string][]string, tls map[string]registry.TLSFiles, hasMirrors bool, authHosts, auths []string) string {
	certs := "/etc/containerd/certs.d"
	if dirs := splitList(cp); len(dirs) > 0 {
		certs = dirs[0]
	}
	source := f.configFileName()
	if v := f.Config.lookup(setRegistry); v.File != nil {
		source = v.File.Path
	}
	var b strings.Builder
	files, err := registry.LegacyHostsTOML(source, eps, tls)
	for _, dir := range sortedKeys(files) {
		fmt.Fprintf(&b, "Write %s:\n%s", filepath.Join(certs, dir, "hosts.toml"), files[dir])
	}
	if err != nil || (hasMirrors && len(eps) == 0) {
		fmt.Fprintf(&b, "Write each mirror as %s/<host>/hosts.toml, e.g. %s/docker.io/hosts.toml:\n"+
			"server = \"https://registry-1.docker.io\"\n[host.\"https://mirror.example.com\"]\n  capabilities = [\"pull\", \"resolve\"]\n", certs, certs)
	}
	var remove []string
	if hasMirrors {
		remove = append(remove, "the registry.mirrors tables")
	}
	if len(tls) > 0 {
		remove = append(remove, "the tls tables of registry.configs")
	}
	var body strings.Builder
	if len(remove) > 0 {
		body.WriteString("Remove " + strings.Join(remove, " and ") + ".\n")
	}
	if len(authHosts) > 0 || len(auths) > 0 {
		body.WriteString("hosts.toml holds no credentials: keep registry.configs.\"<host>\".auth, which containerd still reads beside config_path")
		if len(auths) > 0 {
			body.WriteString(", and move each registry.auths.\"<URL>\" there under the URL's host (" + strings.Join(auths, ", ") + ")")
		}
		body.WriteString("; or give the pods an imagePullSecret instead.\n")
	}
	if cp == "" {
		body.WriteString("Set:\n" + f.table(setRegistry) + "\n  config_path = \"" + certs + "\"")
	} else {
		body.WriteString("config_path stays " + cp + ".")
	}
	return b.String() + f.snippet(body.String())
}

// noSecrets is a setting's line as evidence, or only its place when the
// line could hold credentials (an inline table with the auth beside it).
func noSecrets(v Value, what string) string {
	ev := v.Evidence()
	low := strings.ToLower(ev)
	if strings.Contains(low, "password") || strings.Contains(low, "auth") || strings.Contains(low, "token") {
		return v.Where() + ": " + what
	}
	return ev
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
