package containerd

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	"github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/typeurl/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// Task metrics against real daemons: a busy task reads above half a core,
// an idle one near zero, one holding a tmpfs file shows it in its working
// set, a task over its 20 MiB limit is OOM-killed with containerd's TaskOOM
// event, and describe adds the current use beside the spec's limits.
func TestTaskMetricsAgainstContainerd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testTaskMetrics(t, v)
		})
	}
}

const statsNS = "stats"

func testTaskMetrics(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := testbed.Start(t, v)
	c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	evs, _ := c.Events(ctx, statsNS)

	run := func(id string, spec []oci.SpecOpts, args ...string) {
		t.Helper()
		if err := d.RunTaskWith(ctx, statsNS, id, testbed.BusyboxImage, "", spec, args...); err != nil {
			t.Fatal(err)
		}
	}
	run("idle", []oci.SpecOpts{oci.WithCPUCFS(50000, 100000), oci.WithPidsLimit(64)}, testbed.IdleCommand...)
	run("shm", nil, testbed.FillShmCommand(24)...)

	ids := []string{"busy", "idle", "shm", "missing"}
	var rates backend.Rates
	sample := func() map[string]backend.Stats {
		t.Helper()
		us, err := c.TaskMetrics(ctx, statsNS, ids)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]backend.Stats{}
		for _, u := range us {
			if u.Problem != "" || u.Source != backend.SourceCgroupV1 && u.Source != backend.SourceCgroupV2 {
				t.Errorf("%s: source %q, problem %q", u.ID, u.Source, u.Problem)
			}
			out[u.ID] = rates.Add(u)
		}
		return out
	}
	// The shm writer needs a moment to fill its file: wait for it, then
	// take the two samples the rate is computed from.
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := sample()
		if s["shm"].Memory >= 24<<20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The busy loop is weighted to get about three quarters of a core on
	// this machine now (testbed.BusyShares), one such loop at a time on the
	// machine; it starts only now, ends by itself within two minutes and
	// is killed once measured.
	release, err := testbed.WeightedBusyLock()
	if err != nil {
		t.Fatal(err)
	}
	unlock := sync.OnceFunc(release)
	defer unlock()
	run("busy", []oci.SpecOpts{oci.WithCPUShares(uint64(testbed.BusyShares()))}, testbed.WeightedBusyCommand(120)...)
	sample()
	busyTask, err := c.Container(ctx, statsNS, "busy")
	if err != nil || busyTask.Task == nil {
		t.Fatalf("busy task: %v", err)
	}
	var s map[string]backend.Stats
	busy, kernelPct := busyWindows(t, busyTask.Task.PID, func() backend.Stats { s = sample(); return s["busy"] })
	if _, ok := s["missing"]; ok || len(s) != 3 {
		t.Errorf("sampled %v, want busy, idle and shm only", keys(s))
	}
	if out, err := d.Ctr(ctx, "-n", statsNS, "tasks", "kill", "-s", "KILL", "busy"); err != nil {
		t.Logf("ctr tasks kill busy: %v\n%s", err, out) // it may have ended by itself
	}
	unlock()
	idle, shm := s["idle"], s["shm"]
	t.Logf("containerd %s: busy %.1f%% (the kernel says %.1f%%) idle %.1f%% shm %.1f MiB (source %s)",
		v, busy.CPU, kernelPct, idle.CPU, float64(shm.Memory)/(1<<20), busy.Source)
	if !idle.CPUKnown() || idle.CPU > 5 {
		t.Errorf("idle task: CPU %.1f%%, want near 0", idle.CPU)
	}
	if shm.Memory < 24<<20 || shm.Memory > 64<<20 {
		t.Errorf("shm task: working set %d bytes, want the 24 MiB it wrote to /dev/shm", shm.Memory)
	}
	if idle.PIDsLimit != 64 || idle.PIDs != 1 {
		t.Errorf("idle task: pids %d of %d, want 1 of 64", idle.PIDs, idle.PIDsLimit)
	}

	// Describe: the use now and the spec's limits.
	doc, err := c.DescribeContainer(ctx, statsNS, "idle")
	if err != nil {
		t.Fatal(err)
	}
	var desc struct{ Resources *backend.ResourcesDescription }
	if err := json.Unmarshal([]byte(doc), &desc); err != nil {
		t.Fatal(err)
	}
	r := desc.Resources
	if r == nil || r.Problem != "" || r.CPUPercent == nil || r.MemoryWorkingSet == nil || r.MemoryPressure == nil ||
		r.Limits.CPUQuota != 50000 || r.Limits.CPUPeriod != 100000 || r.Limits.CPUs != "0.5" || r.Limits.PIDsLimit != 64 {
		t.Errorf("describe of the idle task: Resources %+v", r)
	}

	// Over its limit: the kernel kills it, containerd says TaskOOM, and
	// the exit status is SIGKILL's.
	run("hog", []oci.SpecOpts{oci.WithMemoryLimit(20 << 20)}, testbed.OOMCommand...)
	// The two events come in either order: the shim reports the exit and
	// the cgroup's OOM notification on their own paths (on a loaded
	// machine the exit often comes first).
	got := waitEvents(t, evs, statsNS, "hog", backend.TopicTaskOOM, backend.TopicTaskExit)
	if exit := got[backend.TopicTaskExit]; exit.ExitStatus != 137 {
		t.Errorf("OOM-killed task exited with %d, want 137", exit.ExitStatus)
	}

	// A deleted task's cgroup is gone: no metrics, no error, and describe
	// of its container leaves Resources out.
	if out, err := d.Ctr(ctx, "-n", statsNS, "tasks", "rm", "hog"); err != nil {
		t.Fatalf("ctr tasks rm hog: %v\n%s", err, out)
	}
	us, err := c.TaskMetrics(ctx, statsNS, []string{"hog", "idle"})
	if err != nil || len(us) != 1 || us[0].ID != "idle" {
		t.Errorf("metrics of a deleted task and a running one: %v, %v; want the running one only", us, err)
	}
	us, err = c.TaskMetrics(ctx, statsNS, []string{"hog"})
	if err != nil || len(us) != 0 {
		t.Errorf("metrics of the deleted task: %v, %v; want none", us, err)
	}
	if doc, err := c.DescribeContainer(ctx, statsNS, "hog"); err != nil || strings.Contains(doc, `"Resources"`) {
		t.Errorf("describe of the deleted task: %v\n%s", err, doc)
	}
}

// busyWindows samples a weighted busy loop (testbed.BusyShares) in 2 s
// windows until its rate reads above half a core, within a generous
// deadline (the event waited for, not a timed assertion). Each sample's CPU
// counter is held between two reads of the cgroup's own counter taken just
// before and just after it, which no machine load can skew; the rate is
// logged beside what the kernel's scheduler counted for the loop's process
// (a loaded daemon stamps its samples late, so the two windows differ).
func busyWindows(t *testing.T, pid uint32, sample func() backend.Stats) (backend.Stats, float64) {
	t.Helper()
	deadline := time.Now().Add(testclock.Generous)
	for {
		k0, err := testbed.ProcessCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		time.Sleep(2 * time.Second)
		before, err := testbed.CgroupCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		busy := sample()
		after, err := testbed.CgroupCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		k1, err := testbed.ProcessCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		kernelPct := float64(k1-k0) * 100 / float64(time.Since(start))
		if !busy.CPUKnown() {
			t.Fatalf("busy task: no CPU rate after two samples")
		}
		if got := time.Duration(busy.CPUNanos); got < before || got > after {
			t.Errorf("busy task: sampled CPU time %v, but its cgroup counted %v just before the sample and %v just after", got, before, after)
			return busy, kernelPct
		}
		if busy.CPU > 50 {
			return busy, kernelPct
		}
		if time.Now().After(deadline) {
			t.Errorf("busy task: CPU %.1f%% (the kernel counted %.1f%%), never above 50%% of a core in %v", busy.CPU, kernelPct, testclock.Generous)
			return busy, kernelPct
		}
		t.Logf("busy task: %.1f%% this window (the kernel gave it %.1f%%); sampling again", busy.CPU, kernelPct)
	}
}

// waitEvents waits for an event of each topic about id, in any order.
func waitEvents(t *testing.T, evs <-chan backend.Event, ns, id string, topics ...string) map[string]backend.Event {
	t.Helper()
	const wait = time.Minute
	timeout := time.After(wait)
	got := map[string]backend.Event{}
	var seen []string
	for len(got) < len(topics) {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatalf("stream closed before %v %s; saw %v", topics, id, seen)
			}
			seen = append(seen, ev.Namespace+":"+ev.Topic+":"+ev.ID)
			if ev.Namespace == ns && ev.ID == id && slices.Contains(topics, ev.Topic) {
				if _, dup := got[ev.Topic]; !dup {
					got[ev.Topic] = ev
				}
			}
		case <-timeout:
			t.Fatalf("not all of %v %s in %v; saw %v", topics, id, wait, seen)
		}
	}
	return got
}

func keys(m map[string]backend.Stats) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The two payload types containerd sends, decoded by type URL. The v1
// daemon tests above decode this machine's real payloads (cgroup v1 on both
// 1.6 and 2.x here); these build each type with the protobuf message a
// shim marshals (v2 as a cgroup v2 host sends it, with memory.events), plus
// the payloads ctui must survive: an unknown type, a corrupt one, none.
func TestUsageFromMetric(t *testing.T) {
	at := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	metric := func(t *testing.T, m proto.Message) *types.Metric {
		a, err := typeurl.MarshalAny(m)
		if err != nil {
			t.Fatal(err)
		}
		return &types.Metric{ID: "c1", Timestamp: timestamppb.New(at), Data: &anypb.Any{TypeUrl: a.GetTypeUrl(), Value: a.GetValue()}}
	}
	t.Run("cgroup v1", func(t *testing.T) {
		m := metric(t, &v1.Metrics{
			CPU:    &v1.CPUStat{Usage: &v1.CPUUsage{Total: 5_000_000_000}},
			Memory: &v1.MemoryStat{TotalInactiveFile: 1 << 20, Usage: &v1.MemoryEntry{Usage: 30 << 20, Limit: 9223372036854771712, Failcnt: 3}},
			Pids:   &v1.PidsStat{Current: 4, Limit: 0},
		})
		if got := m.Data.GetTypeUrl(); got != "io.containerd.cgroups.v1.Metrics" {
			t.Errorf("type URL %q", got)
		}
		u := UsageFromMetric(m)
		if u.Source != backend.SourceCgroupV1 || !u.HasCPU || u.CPUNanos != 5e9 || u.Memory != 29<<20 || u.MemoryLimit != 0 ||
			u.PIDs != 4 || u.Pressure == nil || u.Pressure.Failcnt != 3 || !u.Time.Equal(at) {
			t.Errorf("%+v", u)
		}
	})
	t.Run("cgroup v2", func(t *testing.T) {
		m := metric(t, &v2.Metrics{
			CPU:          &v2.CPUStat{UsageUsec: 2_500_000},
			Memory:       &v2.MemoryStat{Usage: 21 << 20, InactiveFile: 1 << 20, UsageLimit: 20 << 20},
			MemoryEvents: &v2.MemoryEvents{Max: 12, Oom: 1, OomKill: 1},
			Pids:         &v2.PidsStat{Current: 2, Limit: 100},
		})
		if got := m.Data.GetTypeUrl(); got != "io.containerd.cgroups.v2.Metrics" {
			t.Errorf("type URL %q", got)
		}
		u := UsageFromMetric(m)
		if u.Source != backend.SourceCgroupV2 || u.CPUNanos != 2_500_000_000 || u.Memory != 20<<20 || u.MemoryLimit != 20<<20 ||
			u.PIDsLimit != 100 || u.Pressure == nil || !u.Pressure.CgroupV2 || u.Pressure.OOMKill != 1 || u.Pressure.Max != 12 {
			t.Errorf("%+v", u)
		}
	})
	t.Run("unknown type", func(t *testing.T) {
		u := UsageFromMetric(&types.Metric{ID: "c1", Data: &anypb.Any{TypeUrl: "io.microsoft.hcsshim.Statistics", Value: []byte{1, 2}}})
		if u.HasCPU || u.HasMemory || !strings.Contains(u.Problem, "io.microsoft.hcsshim.Statistics") {
			t.Errorf("%+v", u)
		}
	})
	t.Run("corrupt payload", func(t *testing.T) {
		u := UsageFromMetric(&types.Metric{ID: "c1", Data: &anypb.Any{TypeUrl: "io.containerd.cgroups.v1.Metrics", Value: []byte{0xff, 0xff}}})
		if u.HasCPU || !strings.Contains(u.Problem, "do not decode") {
			t.Errorf("%+v", u)
		}
	})
	t.Run("no payload", func(t *testing.T) {
		if u := UsageFromMetric(&types.Metric{ID: "c1"}); u.Problem == "" {
			t.Errorf("%+v", u)
		}
	})
}
