package doctor

import (
	"context"
	"io"

	"github.com/containerd/log"
	"github.com/sirupsen/logrus"

	"github.com/ctui/ctui/backend/registry"
)

// probePull asks the image's registry for ref's manifest the way CRI would
// reach it: hosts.toml under CRI's config_path and k3s/RKE2 registries.yaml,
// all under the root, no docker config (the daemon reads none). Nothing is
// downloaded: a resolve is one HEAD or GET of the manifest. nil means the
// node can pull it.
func (f *Facts) probePull(ref string) error {
	cp, _ := f.configPath()
	dirs := []string{}
	for _, d := range splitList(cp) {
		dirs = append(dirs, f.host(d))
	}
	var yamls []string
	for _, p := range RegistriesYAML {
		yamls = append(yamls, f.host(p))
	}
	l := logrus.New()
	l.SetOutput(io.Discard)
	ctx, cancel := context.WithTimeout(log.WithLogger(context.Background(), logrus.NewEntry(l)), f.opts.Timeout)
	defer cancel()
	res, err := registry.Resolve(ctx, ref, registry.Options{HostsDirs: dirs, RegistriesYAML: yamls, DockerConfig: "-"})
	if err != nil {
		return err
	}
	_, _, err = res.Resolver.Resolve(ctx, res.Ref)
	return res.Error(err, "resolve "+ref)
}
