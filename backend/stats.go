package backend

import (
	"context"
	"fmt"
	"math"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Usage is one sample of what a container (or a pod sandbox) costs the node,
// as one source reported it. Counters are cumulative: a CPU percentage needs
// two samples (see Rates). A field the source did not give has its Has* flag
// false and shows as a dash.
type Usage struct {
	ID   string
	Time time.Time // when the source took the sample; zero if it did not say

	HasCPU   bool
	CPUNanos uint64 // CPU time used since the cgroup was made, all cores, ns

	// Memory is the working set as kubelet counts it for eviction: usage
	// minus inactive file pages (cgroup v1 total_inactive_file, v2
	// inactive_file), never below zero.
	HasMemory bool
	Memory    uint64
	// MemoryLimit is the cgroup's memory limit; 0 when there is none (or
	// the source does not tell).
	MemoryLimit uint64

	PIDs      uint64 // tasks in the cgroup; 0 when unknown
	PIDsLimit uint64 // 0: unlimited or unknown

	// Pressure is what the kernel says about memory trouble: memory.events
	// on cgroup v2, the limit's failcnt on v1. Nil when the source does not
	// carry it (CRI stats).
	Pressure *MemoryPressure

	// Source names where the sample came from: "cri", "task metrics
	// (cgroup v1)" or "task metrics (cgroup v2)".
	Source string
	// Problem is one sentence when this object has no usable sample (a
	// metrics type ctui does not know, a cgroup that went away); the row
	// shows a dash and describe shows the sentence.
	Problem string
}

// MemoryPressure is a cgroup's memory trouble counters since it was made.
type MemoryPressure struct {
	CgroupV2 bool
	// v2 memory.events
	Low, High, Max, OOM, OOMKill uint64
	// v1: how often usage hit the limit (memory.failcnt), and the same for
	// memory plus swap.
	Failcnt, SwapFailcnt uint64
}

// Sources of a Usage.
const (
	SourceCRI      = "cri"
	SourceCgroupV1 = "task metrics (cgroup v1)"
	SourceCgroupV2 = "task metrics (cgroup v2)"
	SourceUnknownV = "task metrics (unknown type)"
)

// TaskMetrics samples running tasks through containerd's task service, as
// `ctr tasks metrics` does: one Metrics call for all ids of a namespace.
// Ids without a running task are left out of the answer.
type TaskMetrics interface {
	TaskMetrics(ctx context.Context, namespace string, ids []string) ([]Usage, error)
}

// RuntimeStats samples CRI containers and pod sandboxes, as `crictl stats`
// and `crictl statsp` do. nil ids asks for all of them in one call; a few ids
// ask for those only.
type RuntimeStats interface {
	ContainerStats(ctx context.Context, ids []string) ([]Usage, error)
	PodStats(ctx context.Context, ids []string) ([]Usage, error)
}

// Limits are the resource limits in a container's OCI spec, what kubelet
// asked the runtime for: describe shows them beside the current use.
type Limits struct {
	CPUQuota    int64  `json:",omitempty"` // µs per period; 0: none
	CPUPeriod   uint64 `json:",omitempty"` // µs
	CPUShares   uint64 `json:",omitempty"` // v1 shares (kubelet: requests in millicores * 1024 / 1000)
	CPUs        string `json:",omitempty"` // quota / period, e.g. "0.5"
	MemoryLimit int64  `json:",omitempty"` // bytes; 0: none
	PIDsLimit   int64  `json:",omitempty"` // 0: none
}

// LimitsCPUs formats quota/period as a number of CPUs ("0.5"), "" when
// there is no quota.
func LimitsCPUs(quota int64, period uint64) string {
	if quota <= 0 || period == 0 {
		return ""
	}
	return trimFloat(float64(quota) / float64(period))
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// StatsQuery is one stats call, for the command log: what ctui asked and the
// ctr or crictl command that asks the same.
type StatsQuery struct {
	Via       string   // "containerd" or "CRI"
	Namespace string   // containerd namespace (task metrics only)
	Pods      bool     // CRI: pod sandboxes (statsp) rather than containers
	IDs       []string // nil: all
}

// Subject says what was sampled.
func (q StatsQuery) Subject() string {
	what := "containers"
	switch {
	case q.Via == "containerd":
		what = "tasks"
	case q.Pods:
		what = "pods"
	}
	if q.IDs == nil {
		return "stats of all " + what
	}
	return fmt.Sprintf("stats of %d %s", len(q.IDs), what)
}

// CommandLine is the ctr or crictl command that reads the same numbers:
// `ctr tasks metrics` takes one id, so several ids read as a loop.
func (q StatsQuery) CommandLine(cfg Config) string {
	if q.Via == "containerd" {
		args := append(ctrBase(cfg, q.Namespace), "tasks", "metrics")
		switch len(q.IDs) {
		case 0:
			return shellJoin(append(args, "ID"))
		case 1:
			return shellJoin(append(args, q.IDs[0]))
		}
		return "for id in " + shellJoin(q.IDs) + "; do " + shellJoin(args) + ` "$id"; done`
	}
	args := crictlRuntimeBase(cfg)
	if q.Pods {
		args = append(args, "statsp")
	} else {
		args = append(args, "stats")
	}
	if len(q.IDs) == 1 {
		args = append(args, "--id", q.IDs[0])
	}
	return shellJoin(args)
}

// Stats is what a row shows of an object's cost: the last sample with the
// CPU rate computed from the one before.
type Stats struct {
	Usage
	// CPU is the CPU used between the last two samples, in percent of one
	// core (as top: 200 is two cores busy); -1 until two samples exist.
	CPU float64
}

// CPUKnown tells whether CPU holds a rate.
func (s Stats) CPUKnown() bool { return s.CPU >= 0 }

// NodeShare is CPU as a share of the whole node with cpus cores.
func (s Stats) NodeShare(cpus int) float64 {
	if cpus <= 0 || s.CPU < 0 {
		return -1
	}
	return s.CPU / float64(cpus)
}

// MemoryPercent is the working set as a percentage of the limit; -1 without
// a limit or a sample.
func (s Stats) MemoryPercent() float64 {
	if !s.HasMemory || s.MemoryLimit == 0 {
		return -1
	}
	return float64(s.Memory) * 100 / float64(s.MemoryLimit)
}

// Rates turns successive samples into Stats: the CPU rate is the delta of
// the CPU counter over the delta of the sample times. Samples without a time
// of their own are stamped with Now, which tests inject. The zero value is
// ready to use with the real clock.
type Rates struct {
	Now  Clock
	prev map[string]Usage
}

// Add records u and returns its Stats.
func (r *Rates) Add(u Usage) Stats {
	if u.Time.IsZero() {
		u.Time = r.Now.Now()
	}
	if r.prev == nil {
		r.prev = map[string]Usage{}
	}
	s := Stats{Usage: u, CPU: -1}
	p, ok := r.prev[u.ID]
	if ok && p.HasCPU && u.HasCPU && u.CPUNanos >= p.CPUNanos && u.Time.After(p.Time) {
		s.CPU = float64(u.CPUNanos-p.CPUNanos) * 100 / float64(u.Time.Sub(p.Time).Nanoseconds())
	}
	if u.HasCPU {
		r.prev[u.ID] = u
	} else {
		delete(r.prev, u.ID)
	}
	return s
}

// Forget drops what Rates keeps of objects not in keep, so a long session
// does not hold every container it ever sampled.
func (r *Rates) Forget(keep func(id string) bool) {
	for id := range r.prev {
		if !keep(id) {
			delete(r.prev, id)
		}
	}
}

// Len is how many objects Rates remembers.
func (r *Rates) Len() int { return len(r.prev) }

// ReasonOOMKilled is the exit reason CRI gives a container the kernel killed
// for exceeding its memory limit; ctui gives native tasks the same word once
// containerd's TaskOOM event named them.
const ReasonOOMKilled = "OOMKilled"

// ActionStats is the command log's kind for a stats query.
const ActionStats ActionKind = "stats"

// DescribeWindow is how far apart describe takes its two samples for the
// CPU rate: long enough to mean something, short enough not to be felt.
const DescribeWindow = 300 * time.Millisecond

// ResourcesDescription is what describe shows of a running container's
// cost: its use now, its limits and (from task metrics) the kernel's memory
// pressure counters. Problem is one sentence when it could not be sampled.
type ResourcesDescription struct {
	Source           string          `json:",omitempty"`
	CPUPercent       *float64        `json:",omitempty"` // of one core, over CPUWindow
	CPUWindow        string          `json:",omitempty"`
	CPUSeconds       *float64        `json:",omitempty"` // since the container started
	MemoryWorkingSet *uint64         `json:",omitempty"`
	MemoryLimit      uint64          `json:",omitempty"`
	MemoryPercent    *float64        `json:",omitempty"` // of the limit
	PIDs             uint64          `json:",omitempty"`
	PIDsLimit        uint64          `json:",omitempty"`
	MemoryPressure   *MemoryPressure `json:",omitempty"`
	Limits           Limits
	Problem          string `json:",omitempty"`
}

// DescribeResources samples one object twice, DescribeWindow apart, through
// sample (task metrics or CRI stats of that one id), for its current CPU
// rate, memory and pids beside limits. none is the sentence for a sample
// that came back empty. A failed sample is a sentence in the description,
// never a failed describe.
func DescribeResources(ctx context.Context, sample func(context.Context) ([]Usage, error), limits Limits, none string) *ResourcesDescription {
	d := &ResourcesDescription{Limits: limits}
	var rates Rates
	var last Stats
	for i := range 2 {
		if i == 1 {
			select {
			case <-time.After(DescribeWindow):
			case <-ctx.Done():
				d.Problem = "describe was canceled before the container could be sampled"
				return d
			}
		}
		us, err := sample(ctx)
		if err != nil {
			d.Problem = err.Error()
			return d
		}
		if len(us) == 0 {
			d.Problem = none
			return d
		}
		if us[0].Problem != "" {
			d.Source, d.Problem = us[0].Source, us[0].Problem
			return d
		}
		last = rates.Add(us[0])
	}
	u := last.Usage
	d.Source = u.Source
	if last.CPUKnown() {
		cpu := roundTo(last.CPU, 1)
		d.CPUPercent, d.CPUWindow = &cpu, DescribeWindow.String()
	}
	if u.HasCPU {
		secs := roundTo(float64(u.CPUNanos)/1e9, 3)
		d.CPUSeconds = &secs
	}
	if u.HasMemory {
		ws := u.Memory
		d.MemoryWorkingSet = &ws
		if p := last.MemoryPercent(); p >= 0 {
			p = roundTo(p, 1)
			d.MemoryPercent = &p
		}
	}
	d.MemoryLimit, d.PIDs, d.PIDsLimit, d.MemoryPressure = u.MemoryLimit, u.PIDs, u.PIDsLimit, u.Pressure
	return d
}

func roundTo(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// SpecLimits reads the resource limits of an OCI runtime spec (the
// container's record on the native side, CRI's verbose info on the other);
// none for a nil spec or one without Linux resources.
func SpecLimits(s *specs.Spec) Limits {
	var l Limits
	if s == nil || s.Linux == nil || s.Linux.Resources == nil {
		return l
	}
	r := s.Linux.Resources
	if cpu := r.CPU; cpu != nil {
		if cpu.Quota != nil {
			l.CPUQuota = *cpu.Quota
		}
		if cpu.Period != nil {
			l.CPUPeriod = *cpu.Period
		}
		if cpu.Shares != nil {
			l.CPUShares = *cpu.Shares
		}
		l.CPUs = LimitsCPUs(l.CPUQuota, l.CPUPeriod)
	}
	if m := r.Memory; m != nil && m.Limit != nil && *m.Limit > 0 {
		l.MemoryLimit = *m.Limit
	}
	if p := r.Pids; p != nil && p.Limit != nil && *p.Limit > 0 {
		l.PIDsLimit = *p.Limit
	}
	return l
}
