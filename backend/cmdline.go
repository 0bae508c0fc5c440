package backend

import (
	"strings"

	"github.com/distribution/reference"
)

// defaultAddress is ctr's default socket; the command line names another.
const defaultAddress = "/run/containerd/containerd.sock"

func ctrBase(cfg Config, ns string) []string {
	args := []string{"ctr"}
	if cfg.Address != "" && cfg.Address != defaultAddress {
		args = append(args, "--address", cfg.Address)
	}
	if ns != "" && ns != DefaultNamespace {
		args = append(args, "--namespace", ns)
	}
	return args
}

func crictlBase(cfg Config) []string {
	args := []string{"crictl"}
	ep := cfg.ImageEndpoint
	if ep == "" {
		ep = cfg.RuntimeEndpoint
	}
	if ep != "" {
		args = append(args, "--image-endpoint", ep)
	}
	return args
}

// registryFlags are ctr's flags for the same registry options, ref's
// registry reached with them. A password never appears: ctr -u user asks
// for it with echo off. A login typed into ctui counts as --creds would:
// without its --user the line would fail where ctui's action worked.
func registryFlags(o RegistryOptions, ref string) []string {
	var args []string
	if o.PlainHTTP {
		args = append(args, "--plain-http")
	}
	if o.SkipVerify {
		args = append(args, "--skip-verify")
	}
	switch {
	case o.HostsDirs == nil:
		args = append(args, "--hosts-dir", "/etc/containerd/certs.d")
	case len(o.HostsDirs) > 0:
		args = append(args, "--hosts-dir", o.HostsDirs[0])
	}
	switch {
	case o.Creds != "":
		user, _, _ := strings.Cut(o.Creds, ":")
		args = append(args, "--user", user)
	case o.Logins != nil:
		if named, err := reference.ParseNormalizedNamed(strings.TrimSpace(ref)); err == nil {
			if user := o.Logins.User(reference.Domain(named)); user != "" {
				args = append(args, "--user", user)
			}
		}
	}
	return args
}

// isImageID reports a bare content digest, sha256:<64 hex> or the 64 hex
// alone: reference.ParseAnyReference takes it as an id, ParseDockerRef would
// make a repository of it.
func isImageID(s string) bool {
	s = strings.TrimPrefix(s, "sha256:")
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// normalizedRef is ref as the action uses it (docker.io/library/ expanded),
// since ctr itself does not normalize; the typed text when it is invalid.
func normalizedRef(ref string) string {
	if n, err := NormalizeRef(ref); err == nil {
		return n
	}
	return ref
}

// shellJoin quotes each argument for a POSIX shell when it needs it, so a
// logged command can be pasted as it is.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return strings.Join(out, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
