package cri

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

var _ backend.CgroupDriverReader = (*Client)(nil)

// CgroupDriver asks the runtime which cgroup driver it uses (CRI
// RuntimeConfig, which kubelet reads to pick its own, containerd 2.x on);
// "systemd" or "cgroupfs". A runtime without the call (containerd 1.6, 1.7)
// answers ErrUnsupported, and the cgroup driver is then read from the
// runtime's SystemdCgroup option instead.
func (c *Client) CgroupDriver(ctx context.Context) (string, error) {
	ctx, cancel := c.unary(ctx)
	defer cancel()
	r, err := c.runtime.RuntimeConfig(ctx, &runtimeapi.RuntimeConfigRequest{})
	if status.Code(err) == codes.Unimplemented {
		return "", backend.Errorf(backend.ErrUnsupported, "this CRI runtime does not answer RuntimeConfig (containerd 2.x does)")
	}
	if err != nil {
		return "", c.rtErr(err, "ask the CRI runtime for its cgroup driver")
	}
	switch r.GetLinux().GetCgroupDriver() {
	case runtimeapi.CgroupDriver_SYSTEMD:
		return "systemd", nil
	default:
		return "cgroupfs", nil
	}
}
