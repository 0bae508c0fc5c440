package cri

import (
	"context"
	"errors"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

var _ backend.RuntimeStats = (*Client)(nil)

// ContainerStats samples CRI containers as `crictl stats` does: one
// ListContainerStats for all (ids nil, or several, of which the answer keeps
// those asked for), or ContainerStats for a single id (`crictl stats --id`).
// The runtime leaves out containers that are not running. The working set
// is the runtime's, as kubelet reads it; the memory limit is the working
// set plus the available bytes the runtime reports where a limit is set.
func (c *Client) ContainerStats(ctx context.Context, ids []string) ([]backend.Usage, error) {
	if ids != nil && len(ids) == 0 {
		return nil, nil
	}
	ctx, cancel := c.unary(ctx)
	defer cancel()
	if len(ids) == 1 {
		r, err := c.runtime.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: ids[0]})
		if err != nil {
			err = c.rtErr(err, "read the stats of container "+shortID(ids[0]))
			if errors.Is(err, backend.ErrNotFound) {
				return nil, nil
			}
			return nil, err
		}
		if r.GetStats() == nil {
			return nil, nil
		}
		return []backend.Usage{usageFromContainerStats(r.GetStats())}, nil
	}
	r, err := c.runtime.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{})
	if err != nil {
		return nil, c.rtErr(err, "list container stats")
	}
	want := idSet(ids)
	out := make([]backend.Usage, 0, len(r.GetStats()))
	for _, s := range r.GetStats() {
		if want == nil || want[s.GetAttributes().GetId()] {
			out = append(out, usageFromContainerStats(s))
		}
	}
	return out, nil
}

// PodStats samples pod sandboxes as `crictl statsp` does, with one
// ListPodSandboxStats (containerd serves it from 1.6 on Linux).
func (c *Client) PodStats(ctx context.Context, ids []string) ([]backend.Usage, error) {
	if ids != nil && len(ids) == 0 {
		return nil, nil
	}
	ctx, cancel := c.unary(ctx)
	defer cancel()
	r, err := c.runtime.ListPodSandboxStats(ctx, &runtimeapi.ListPodSandboxStatsRequest{})
	if err != nil {
		return nil, c.rtErr(err, "list pod stats")
	}
	want := idSet(ids)
	out := make([]backend.Usage, 0, len(r.GetStats()))
	for _, s := range r.GetStats() {
		if want == nil || want[s.GetAttributes().GetId()] {
			out = append(out, usageFromPodStats(s))
		}
	}
	return out, nil
}

func idSet(ids []string) map[string]bool {
	if ids == nil {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func usageFromContainerStats(s *runtimeapi.ContainerStats) backend.Usage {
	u := backend.Usage{ID: s.GetAttributes().GetId(), Source: backend.SourceCRI}
	fillCPUMemory(&u, s.GetCpu(), s.GetMemory())
	if !u.HasCPU && !u.HasMemory {
		u.Problem = "the CRI runtime reported no CPU or memory figures for this container"
	}
	return u
}

func usageFromPodStats(s *runtimeapi.PodSandboxStats) backend.Usage {
	u := backend.Usage{ID: s.GetAttributes().GetId(), Source: backend.SourceCRI}
	l := s.GetLinux()
	fillCPUMemory(&u, l.GetCpu(), l.GetMemory())
	u.PIDs = l.GetProcess().GetProcessCount().GetValue()
	if !u.HasCPU && !u.HasMemory {
		u.Problem = "the CRI runtime reported no CPU or memory figures for this pod"
	}
	return u
}

func fillCPUMemory(u *backend.Usage, cpu *runtimeapi.CpuUsage, mem *runtimeapi.MemoryUsage) {
	if v := cpu.GetUsageCoreNanoSeconds(); v != nil {
		u.HasCPU, u.CPUNanos = true, v.GetValue()
		if ts := cpu.GetTimestamp(); ts > 0 {
			u.Time = unixNano(ts)
		}
	}
	if ws := mem.GetWorkingSetBytes(); ws != nil {
		u.HasMemory, u.Memory = true, ws.GetValue()
		if avail := mem.GetAvailableBytes().GetValue(); avail > 0 {
			u.MemoryLimit = u.Memory + avail
		}
		if u.Time.IsZero() && mem.GetTimestamp() > 0 {
			u.Time = unixNano(mem.GetTimestamp())
		}
	}
}
