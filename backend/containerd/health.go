package containerd

import (
	"context"
	"errors"

	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"

	"github.com/ctui/ctui/backend"
)

var _ backend.Introspector = (*Client)(nil)

// Health is what `ctr version`, `ctr plugins ls` and `ctr deprecations list`
// print, in one answer: version, server identity and deprecations, every
// plugin with its state, and the snapshotter namespace ns uses. A daemon whose
// introspection Server call fails (or is older than the call) still reports
// its plugins; the failure is kept in ServerErr.
func (c *Client) Health(ctx context.Context, ns string) (backend.DaemonHealth, error) {
	var h backend.DaemonHealth
	v, err := c.version(ctx)
	if err != nil {
		return h, c.translate(err, "ask containerd for its version")
	}
	h.Version = v

	plugins, err := c.plugins(ctx)
	if err != nil {
		return h, err
	}
	h.Plugins = plugins

	h.UUID, h.PID, h.Deprecations, h.ServerErr = c.server(ctx)
	h.ServerDetails = h.PID != 0

	h.Snapshotter, h.SnapshotterSource = backend.DefaultSnapshotter, "containerd's default"
	if ns != "" {
		sctx, cancel := c.call(ctx, "")
		labels, err := c.c.NamespaceService().Labels(sctx, ns)
		cancel()
		switch {
		case err == nil:
			if s := labels[backend.SnapshotterLabel]; s != "" {
				h.Snapshotter, h.SnapshotterSource = s, "label "+backend.SnapshotterLabel+" of namespace "+ns
			}
		case errdefs.IsNotFound(err):
			// A namespace not created yet uses the default.
		default:
			return h, c.translate(err, "read the labels of namespace "+ns)
		}
	}
	return h, nil
}

// plugins lists every plugin, as `ctr plugins ls` does.
func (c *Client) plugins(ctx context.Context) ([]backend.Plugin, error) {
	ctx, cancel := c.call(ctx, "")
	defer cancel()
	r, err := c.c.IntrospectionService().Plugins(ctx)
	if err != nil {
		return nil, c.translate(err, "list containerd's plugins")
	}
	out := make([]backend.Plugin, 0, len(r.Plugins))
	for _, p := range r.Plugins {
		bp := backend.Plugin{Type: p.Type, ID: p.ID, Exports: p.Exports}
		for _, pl := range p.Platforms {
			bp.Platforms = append(bp.Platforms, platforms.Format(platforms.Platform{
				OS: pl.OS, Architecture: pl.Architecture, Variant: pl.Variant}))
		}
		if p.InitErr != nil {
			bp.InitErr = p.InitErr.Message
		}
		bp.State = backend.PluginStateOf(bp.InitErr, p.InitErr != nil)
		out = append(out, bp)
	}
	backend.SortPlugins(out)
	return out, nil
}

// server asks introspection's Server for the daemon's identity and the
// deprecated features it saw used. containerd 1.6 answers the UUID only.
func (c *Client) server(ctx context.Context) (uuid string, pid uint64, deps []backend.Deprecation, err error) {
	ctx, cancel := c.call(ctx, "")
	defer cancel()
	r, err := c.c.IntrospectionService().Server(ctx)
	if err != nil {
		if errors.Is(err, errdefs.ErrNotImplemented) {
			return "", 0, nil, backend.Errorf(backend.ErrUnsupported, "this containerd has no introspection Server call")
		}
		return "", 0, nil, c.translate(err, "ask containerd's introspection service about the server")
	}
	for _, d := range r.Deprecations {
		bd := backend.Deprecation{ID: d.ID, Message: d.Message}
		if d.LastOccurrence != nil {
			bd.LastOccurrence = d.LastOccurrence.AsTime()
		}
		deps = append(deps, bd)
	}
	return r.UUID, r.Pid, deps, nil
}
