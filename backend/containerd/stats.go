package containerd

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/api/types"
	"github.com/containerd/typeurl/v2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/ctui/ctui/backend"
)

var _ backend.TaskMetrics = (*Client)(nil)

// TaskMetrics samples the running tasks ids of namespace ns in one Metrics
// call, as `ctr tasks metrics ID` does for one: containerd asks each task's
// shim for its cgroup's counters. Tasks that are not running, or whose
// cgroup is gone, are left out by containerd; an id with a payload ctui
// cannot read comes back with Problem set. No ids, no call.
func (c *Client) TaskMetrics(ctx context.Context, ns string, ids []string) ([]backend.Usage, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ctx, cancel := c.call(ctx, ns)
	defer cancel()
	filters := make([]string, len(ids))
	for i, id := range ids {
		// One filter per id: containerd ORs the filters of a request.
		filters[i] = "id==" + quoteFilter(id)
	}
	resp, err := c.c.TaskService().Metrics(ctx, &tasksapi.MetricsRequest{Filters: filters})
	if err != nil {
		return nil, c.translate(err, "read task metrics in namespace "+ns)
	}
	out := make([]backend.Usage, 0, len(resp.Metrics))
	for _, m := range resp.Metrics {
		out = append(out, UsageFromMetric(m))
	}
	return out, nil
}

// quoteFilter quotes an id for containerd's filter syntax when it holds
// characters other than the plain ones (ids may hold dots and dashes, which
// the syntax reads as operators only inside unquoted field paths).
func quoteFilter(id string) string {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Sprintf("%q", id)
		}
	}
	return id
}

// UsageFromMetric decodes one task metric. Its payload is a cgroup v1 or
// v2 Metrics message (github.com/containerd/cgroups/v3 stats), told apart by
// the Any's type URL as ctr does; anything else (a Windows shim's stats, a
// newer type) gives a Usage with only Problem set.
func UsageFromMetric(m *types.Metric) backend.Usage {
	u := backend.Usage{ID: m.ID}
	if m.Timestamp != nil {
		u.Time = m.Timestamp.AsTime()
	}
	if err := decodeMetrics(m.Data, &u); err != nil {
		u.Source = backend.SourceUnknownV
		u.Problem = err.Error()
	}
	return u
}

func decodeMetrics(data *anypb.Any, u *backend.Usage) error {
	if data == nil {
		return fmt.Errorf("containerd sent task metrics without a payload")
	}
	switch {
	case typeurl.Is(data, (*v1.Metrics)(nil)):
		var m v1.Metrics
		if err := proto.Unmarshal(data.GetValue(), &m); err != nil {
			return fmt.Errorf("the task's cgroup v1 metrics do not decode: %v", err)
		}
		fillV1(&m, u)
	case typeurl.Is(data, (*v2.Metrics)(nil)):
		var m v2.Metrics
		if err := proto.Unmarshal(data.GetValue(), &m); err != nil {
			return fmt.Errorf("the task's cgroup v2 metrics do not decode: %v", err)
		}
		fillV2(&m, u)
	default:
		return fmt.Errorf("the task's metrics are of type %q, which ctui cannot read (it reads cgroup v1 and v2 metrics)",
			strings.TrimPrefix(data.GetTypeUrl(), "type.googleapis.com/"))
	}
	return nil
}

// unlimited tells a "no limit" value: cgroup v1 reports the largest page
// multiple below 2^63, v2 "max" reads as 2^64-1.
func unlimited(v uint64) bool { return v == 0 || v >= 1<<62 }

func fillV1(m *v1.Metrics, u *backend.Usage) {
	u.Source = backend.SourceCgroupV1
	if cpu := m.GetCPU().GetUsage(); cpu != nil {
		u.HasCPU, u.CPUNanos = true, cpu.GetTotal()
	}
	if mem := m.GetMemory(); mem.GetUsage() != nil {
		u.HasMemory = true
		u.Memory = workingSet(mem.GetUsage().GetUsage(), mem.GetTotalInactiveFile())
		if l := mem.GetUsage().GetLimit(); !unlimited(l) {
			u.MemoryLimit = l
		}
		u.Pressure = &backend.MemoryPressure{Failcnt: mem.GetUsage().GetFailcnt(), SwapFailcnt: mem.GetSwap().GetFailcnt()}
	}
	if p := m.GetPids(); p != nil {
		u.PIDs = p.GetCurrent()
		if !unlimited(p.GetLimit()) {
			u.PIDsLimit = p.GetLimit()
		}
	}
}

func fillV2(m *v2.Metrics, u *backend.Usage) {
	u.Source = backend.SourceCgroupV2
	if cpu := m.GetCPU(); cpu != nil {
		u.HasCPU, u.CPUNanos = true, cpu.GetUsageUsec()*1000
	}
	if mem := m.GetMemory(); mem != nil {
		u.HasMemory = true
		u.Memory = workingSet(mem.GetUsage(), mem.GetInactiveFile())
		if l := mem.GetUsageLimit(); !unlimited(l) {
			u.MemoryLimit = l
		}
	}
	if ev := m.GetMemoryEvents(); ev != nil {
		u.Pressure = &backend.MemoryPressure{CgroupV2: true, Low: ev.GetLow(), High: ev.GetHigh(), Max: ev.GetMax(),
			OOM: ev.GetOom(), OOMKill: ev.GetOomKill()}
	}
	if p := m.GetPids(); p != nil {
		u.PIDs = p.GetCurrent()
		if !unlimited(p.GetLimit()) {
			u.PIDsLimit = p.GetLimit()
		}
	}
}

// workingSet is kubelet's eviction measure: usage less the inactive file
// pages the kernel can drop at once.
func workingSet(usage, inactiveFile uint64) uint64 {
	if inactiveFile >= usage {
		return 0
	}
	return usage - inactiveFile
}

// describeResources samples task id twice for describe (see
// backend.DescribeResources). A failed sample is a sentence in the
// description, never a failed describe.
func (c *Client) describeResources(ctx context.Context, ns, id string, limits backend.Limits) *backend.ResourcesDescription {
	return backend.DescribeResources(ctx, func(ctx context.Context) ([]backend.Usage, error) {
		return c.TaskMetrics(ctx, ns, []string{id})
	}, limits, "containerd returned no metrics for this task: it stopped, or its cgroup is gone (a runtime without stats support answers the same)")
}

// specLimits reads the resource limits of a container's OCI spec.
func specLimits(spec typeurl.Any) backend.Limits {
	if spec == nil {
		return backend.Limits{}
	}
	v, err := typeurl.UnmarshalAny(spec)
	if err != nil {
		return backend.Limits{}
	}
	s, _ := v.(*specs.Spec)
	return backend.SpecLimits(s)
}
