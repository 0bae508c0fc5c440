package registry

import (
	"github.com/containerd/containerd/v2/core/remotes/docker/config"
)

// TransferSettings says how to have containerd 2.x's transfer service pull
// or push the image inside the daemon with the same outcome as this
// resolution: the certs.d root to pass as its host directory ("" when no
// file configures the host, so containerd's defaults apply there too) and
// whether plain HTTP is the default scheme. Credentials answers the
// service's credential callbacks from the same sources.
//
// ok is false when the daemon cannot be told the same thing, and the pull
// must then run on the client side: the host is configured by a k3s
// registries.yaml (ctui translates it into a hosts.toml the daemon never
// sees), or SkipVerify is set (the transfer service has no such option).
// The daemon reads the hosts directory itself, so the answer assumes ctui
// runs on the node, as it must for everything else it does.
func (r *Resolution) TransferSettings() (hostsRoot string, plainHTTP bool, ok bool) {
	hs, err := r.hosts.get(r.Host)
	if err != nil || r.hosts.opts.DefaultTLS != nil {
		return "", false, false
	}
	switch hs.kind {
	case "":
		return "", r.hosts.plainHTTP, true
	case "hosts.toml", "certs":
		for _, root := range r.hosts.hostsDirs {
			if dir, err := config.HostDirFromRoot(root)(r.Host); err == nil && dir != "" {
				return root, r.hosts.plainHTTP, true
			}
		}
	}
	return "", false, false
}

// Credentials answers for host what the resolver's authorizer would send
// there: --creds, the session's logins, registries.yaml, docker's
// config.json, in that order. What is sent is remembered for Describe and
// the error sentences, as for the resolver's own requests.
func (r *Resolution) Credentials(host string) (username, secret string, err error) {
	return r.creds.lookup(host)
}
