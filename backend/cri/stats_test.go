package cri

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// crictl stats and statsp against real daemons: a busy container reads what
// the kernel says its loop got (above half a core when the machine lets
// it), an idle one near zero, one holding 24 MiB on a tmpfs shows it in its
// working set; the pod sums them; a container over its 20 MiB limit is
// OOM-killed and CRI says OOMKilled.
func TestStatsAgainstContainerd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testStats(t, v)
		})
	}
}

func testStats(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := testbed.Start(t, v)
	podID, ids, err := d.RunPod(ctx, testbed.StatsPod("stats"))
	if err != nil {
		t.Fatal(err)
	}
	_, idleID, shmID := ids[0], ids[1], ids[2]
	c, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var rates backend.Rates
	sample := func(ids []string) map[string]backend.Stats {
		t.Helper()
		us, err := c.ContainerStats(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]backend.Stats{}
		for _, u := range us {
			if u.Source != backend.SourceCRI || u.Problem != "" {
				t.Errorf("%s: source %q, problem %q", u.ID, u.Source, u.Problem)
			}
			out[u.ID] = rates.Add(u)
		}
		return out
	}
	deadline := time.Now().Add(30 * time.Second)
	for s := sample(nil); s[shmID].Memory < 24<<20 && time.Now().Before(deadline); s = sample(nil) {
		time.Sleep(200 * time.Millisecond)
	}
	// The loop measured is weighted to get about three quarters of a core
	// on this machine now (testbed.BusyShares, it and its pod's cgroup
	// parents), one such loop at a time on the machine; it starts only
	// now, ends by itself within two minutes and is killed once measured.
	// (StatsPod's own busy loop is the UI tests' and weighs as any
	// container.) Windows of 2 s until its rate passes half a core, each
	// sample's counter held between two reads of the cgroup's own.
	release, err := testbed.WeightedBusyLock()
	if err != nil {
		t.Fatal(err)
	}
	unlock := sync.OnceFunc(release)
	defer unlock()
	hotPod, hot, err := d.RunPod(ctx, testbed.PodSpec{Name: "hot", Weighted: true, Containers: []testbed.ContainerSpec{
		{Name: "busy", Command: testbed.WeightedBusyCommand(120), CPUShares: testbed.BusyShares()}}})
	if err != nil {
		t.Fatal(err)
	}
	busyID := hot[0]
	sample([]string{busyID})
	pid := busyPID(ctx, t, c, busyID)
	var s map[string]backend.Stats
	var busy backend.Stats
	var kernelPct float64
	deadline = time.Now().Add(testclock.Generous)
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
		s = sample([]string{busyID, idleID, shmID, "no-such-container"})
		after, err := testbed.CgroupCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		k1, err := testbed.ProcessCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		kernelPct = float64(k1-k0) * 100 / float64(time.Since(start))
		busy = s[busyID]
		if !busy.CPUKnown() {
			t.Fatal("busy container: no CPU rate after two samples")
		}
		if got := time.Duration(busy.CPUNanos); got < before || got > after {
			t.Errorf("busy container: sampled CPU time %v, but its cgroup counted %v just before the sample and %v just after", got, before, after)
			break
		}
		if busy.CPU > 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("busy container: CPU %.1f%% (the kernel counted %.1f%%), never above 50%% in %v", busy.CPU, kernelPct, testclock.Generous)
			break
		}
		t.Logf("busy container: %.1f%% this window (the kernel gave it %.1f%%); sampling again", busy.CPU, kernelPct)
	}
	// The whole pod goes, as kubelet would remove it: 1.6 fails every
	// ListPodSandboxStats while one sandbox's container is half gone.
	if err := c.RemovePod(ctx, backend.CRIRemovePodOptions{ID: hotPod, Name: "default/hot", StopFirst: true}); err != nil {
		t.Errorf("remove the weighted pod: %v", err)
		if out, err := d.Ctr(ctx, "-n", backend.CRINamespace, "tasks", "kill", "-s", "KILL", busyID); err != nil {
			t.Logf("ctr tasks kill the busy container: %v\n%s", err, out) // it may have ended by itself
		}
	}
	unlock()
	idle, shm := s[idleID], s[shmID]
	t.Logf("containerd %s: busy %.1f%% (the kernel says %.1f%%) idle %.1f%% shm %.1f MiB", v, busy.CPU, kernelPct, idle.CPU, float64(shm.Memory)/(1<<20))
	if len(s) != 3 {
		t.Errorf("sampled %d containers, want the 3 asked for that exist", len(s))
	}
	if !idle.CPUKnown() || idle.CPU > 5 {
		t.Errorf("idle container: CPU %.1f%%, want near 0", idle.CPU)
	}
	if shm.Memory < 24<<20 || shm.Memory > 64<<20 || shm.MemoryLimit != 0 {
		t.Errorf("shm container: working set %d, limit %d; want 24 MiB and no limit", shm.Memory, shm.MemoryLimit)
	}

	// One id: ContainerStats, as crictl stats --id.
	if one, err := c.ContainerStats(ctx, []string{idleID}); err != nil || len(one) != 1 || one[0].ID != idleID || !one[0].HasMemory {
		t.Errorf("stats of one container: %+v, %v", one, err)
	}
	if none, err := c.ContainerStats(ctx, []string{"no-such-container"}); err != nil || len(none) != 0 {
		t.Errorf("stats of a missing container: %+v, %v; want none and no error", none, err)
	}

	// Describe (crictl inspect) of a running container: its use now and
	// its limits; of an exited one, no resources.
	js, err := c.ContainerStatus(ctx, shmID)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources *backend.ResourcesDescription `json:"resources"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("%v in %.300s", err, js)
	}
	if r := doc.Resources; r == nil || r.Problem != "" || r.Source != backend.SourceCRI || r.CPUPercent == nil ||
		r.MemoryWorkingSet == nil || *r.MemoryWorkingSet < 24<<20 || r.CPUSeconds == nil {
		t.Errorf("describe of the shm container: resources %+v", r)
	}

	// The pod: statsp.
	pods, err := c.PodStats(ctx, []string{podID})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 1 || pods[0].ID != podID || !pods[0].HasCPU || pods[0].Memory < 24<<20 {
		t.Errorf("pod stats: %+v", pods)
	}

	// Over the limit: OOM-killed, and CRI's reason says so.
	_, hog, err := d.RunPod(ctx, testbed.OOMPod("hog"))
	if err != nil {
		t.Fatal(err)
	}
	if code, err := d.WaitContainerExit(ctx, hog[0]); err != nil || code != 137 {
		t.Fatalf("hog exited with %d, %v; want 137", code, err)
	}
	ctrs, err := c.PodContainers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range ctrs {
		if pc.ID == hog[0] && pc.Reason != backend.ReasonOOMKilled {
			t.Errorf("OOM-killed container: reason %q, want %q", pc.Reason, backend.ReasonOOMKilled)
		}
	}
	js, err = c.ContainerStatus(ctx, hog[0])
	var top map[string]json.RawMessage
	if err != nil || json.Unmarshal([]byte(js), &top) != nil {
		t.Fatalf("describe of the exited hog: %v\n%.400s", err, js)
	}
	if r, ok := top["resources"]; ok {
		t.Errorf("describe of the exited hog shows its use: %s", r)
	}
}

// A container's limits come from CRI's status resources where the runtime
// fills them (containerd 1.7 on), else from the runtime spec in the verbose
// info (1.6); the pids limit only from the spec.
func TestStatusLimits(t *testing.T) {
	info := map[string]string{"info": `{"pid": 7, "runtimeSpec": {"linux": {"resources": {"cpu": {"quota": 50000, "period": 100000, "shares": 512},
		"memory": {"limit": 20971520}, "pids": {"limit": 64}}}}}`}
	want := backend.Limits{CPUQuota: 50000, CPUPeriod: 100000, CPUShares: 512, CPUs: "0.5", MemoryLimit: 20 << 20, PIDsLimit: 64}
	if got := statusLimits(&runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{}, Info: info}); got != want {
		t.Errorf("from the spec: %+v, want %+v", got, want)
	}
	withStatus := &runtimeapi.ContainerStatusResponse{Info: info, Status: &runtimeapi.ContainerStatus{Resources: &runtimeapi.ContainerResources{
		Linux: &runtimeapi.LinuxContainerResources{CpuQuota: 200000, CpuPeriod: 100000, CpuShares: 2048, MemoryLimitInBytes: 1 << 30}}}}
	want = backend.Limits{CPUQuota: 200000, CPUPeriod: 100000, CPUShares: 2048, CPUs: "2", MemoryLimit: 1 << 30, PIDsLimit: 64}
	if got := statusLimits(withStatus); got != want {
		t.Errorf("from the status: %+v, want %+v", got, want)
	}
	if got := statusLimits(&runtimeapi.ContainerStatusResponse{Info: map[string]string{"info": "not json"}}); got != (backend.Limits{}) {
		t.Errorf("no spec: %+v, want none", got)
	}
}

// busyPID is the pid of a CRI container's process, from the verbose
// status crictl inspect prints.
func busyPID(ctx context.Context, t *testing.T, c *Client, id string) uint32 {
	t.Helper()
	st, err := c.containerStatus(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ Pid uint32 }
	if err := json.Unmarshal([]byte(st.Info["info"]), &info); err != nil || info.Pid == 0 {
		t.Fatalf("no pid in the verbose status of %s: %v", id, err)
	}
	return info.Pid
}
