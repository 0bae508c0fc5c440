package backend

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRates(t *testing.T) {
	now := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	r := Rates{Now: func() time.Time { return now }}
	if s := r.Add(Usage{ID: "a", HasCPU: true, CPUNanos: 1e9}); s.CPUKnown() {
		t.Errorf("first sample has a rate: %v", s.CPU)
	}
	now = now.Add(2 * time.Second)
	if s := r.Add(Usage{ID: "a", HasCPU: true, CPUNanos: 2.5e9}); math.Abs(s.CPU-75) > 1e-9 {
		t.Errorf("1.5 s of CPU in 2 s: %v%%, want 75%%", s.CPU)
	}
	// A sample's own time wins over the clock: 3 cores busy for 1 s.
	at := now.Add(time.Second)
	if s := r.Add(Usage{ID: "a", Time: at, HasCPU: true, CPUNanos: 5.5e9}); math.Abs(s.CPU-300) > 1e-9 {
		t.Errorf("3 s of CPU in 1 s: %v%%, want 300%%", s.CPU)
	}
	if s := r.Add(Usage{ID: "a", Time: at.Add(time.Second), HasCPU: true, CPUNanos: 1e9}); s.CPUKnown() {
		t.Errorf("a counter that went back (a new cgroup under the same id) gave a rate: %v", s.CPU)
	}
	if s := r.Add(Usage{ID: "a", Time: at.Add(time.Second), HasCPU: true, CPUNanos: 2e9}); s.CPUKnown() {
		t.Errorf("two samples at the same time gave a rate: %v", s.CPU)
	}
	r.Add(Usage{ID: "b", HasCPU: true})
	r.Forget(func(id string) bool { return id == "b" })
	if r.Len() != 1 {
		t.Errorf("after Forget: %d remembered", r.Len())
	}
	s := Stats{Usage: Usage{HasMemory: true, Memory: 10 << 20, MemoryLimit: 20 << 20}, CPU: 150}
	if s.MemoryPercent() != 50 || s.NodeShare(2) != 75 {
		t.Errorf("MemoryPercent %v, NodeShare %v", s.MemoryPercent(), s.NodeShare(2))
	}
	if (Stats{Usage: Usage{HasMemory: true, Memory: 1}, CPU: -1}).MemoryPercent() != -1 {
		t.Errorf("a percentage without a limit")
	}
}

func TestStatsQueryCommandLine(t *testing.T) {
	cfg := Config{Address: "/run/k3s/containerd/containerd.sock", RuntimeEndpoint: "unix:///run/k3s/containerd/containerd.sock"}
	for _, tc := range []struct {
		q    StatsQuery
		want string
	}{
		{StatsQuery{Via: "containerd", Namespace: "default", IDs: []string{"web"}}, "ctr --address /run/k3s/containerd/containerd.sock tasks metrics web"},
		{StatsQuery{Via: "containerd", Namespace: "k8s.io", IDs: []string{"a", "b"}},
			`for id in a b; do ctr --address /run/k3s/containerd/containerd.sock --namespace k8s.io tasks metrics "$id"; done`},
		{StatsQuery{Via: "CRI"}, "crictl --runtime-endpoint unix:///run/k3s/containerd/containerd.sock stats"},
		{StatsQuery{Via: "CRI", IDs: []string{"abc"}}, "crictl --runtime-endpoint unix:///run/k3s/containerd/containerd.sock stats --id abc"},
		{StatsQuery{Via: "CRI", Pods: true}, "crictl --runtime-endpoint unix:///run/k3s/containerd/containerd.sock statsp"},
	} {
		if got := tc.q.CommandLine(cfg); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.q, got, tc.want)
		}
	}
}

func TestReadNode(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stat", "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\ncpu1 50 0 25 400 25 0 0 0 0 0\nintr 1\n")
	write("meminfo", "MemTotal:        2048 kB\nMemFree:          512 kB\nMemAvailable:    1024 kB\n")
	write("loadavg", "0.50 1.25 2.00 1/123 4567\n")
	at := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	n, err := ReadNode(dir, at)
	if err != nil {
		t.Fatal(err)
	}
	if n.CPUs != 2 || n.Busy != 150 || n.Total != 1000 || n.MemTotal != 2048*1024 || n.MemUsed() != 1024*1024 || n.Load5 != 1.25 || !n.Time.Equal(at) {
		t.Errorf("%+v", n)
	}
	later := n
	later.Busy, later.Total = 250, 1200
	if got := NodeCPU(n, later); got != 50 {
		t.Errorf("NodeCPU %v, want 50", got)
	}
	write("stat", "intr 1\n")
	if _, err := ReadNode(dir, at); err == nil {
		t.Error("no cpu line: no error")
	}
	// This machine's own /proc reads.
	if n, err := ReadNode("/proc", time.Now()); err != nil || n.CPUs < 1 || n.MemTotal == 0 {
		t.Errorf("/proc: %+v, %v", n, err)
	}
}
