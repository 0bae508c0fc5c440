package cri

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
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
	busyID, idleID, shmID := ids[0], ids[1], ids[2]
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
	pid := busyPID(ctx, t, c, busyID)
	k0, err := testbed.ProcessCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	time.Sleep(2 * time.Second)
	s := sample([]string{busyID, idleID, shmID, "no-such-container"})
	k1, err := testbed.ProcessCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	kernelPct := float64(k1-k0) * 100 / float64(time.Since(start))
	busy, idle, shm := s[busyID], s[idleID], s[shmID]
	t.Logf("containerd %s: busy %.1f%% (the kernel says %.1f%%) idle %.1f%% shm %.1f MiB", v, busy.CPU, kernelPct, idle.CPU, float64(shm.Memory)/(1<<20))
	if len(s) != 3 {
		t.Errorf("sampled %d containers, want the 3 asked for that exist", len(s))
	}
	if !busy.CPUKnown() {
		t.Fatal("busy container: no CPU rate after two samples")
	}
	if d := busy.CPU - kernelPct; d > 20 || d < -20 {
		t.Errorf("busy container: CPU %.1f%%, but the kernel counted %.1f%% for its loop", busy.CPU, kernelPct)
	}
	if kernelPct >= 60 && busy.CPU <= 50 {
		t.Errorf("busy container: CPU %.1f%%, want above 50%%", busy.CPU)
	} else if kernelPct < 60 {
		t.Logf("the machine gave the loop only %.1f%% of a core; the 50%% floor is not checked", kernelPct)
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
