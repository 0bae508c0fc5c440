package target

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/page"
)

var t0 = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)

func TestPick(t *testing.T) {
	pcs := []backend.PodContainer{
		{ID: "a0", Name: "app", PodID: "p", State: backend.ContainerExited, CreatedAt: t0},
		{ID: "a1", Name: "app", PodID: "p", State: backend.ContainerRunning, CreatedAt: t0.Add(time.Minute)},
		{ID: "s0", Name: "sidecar", PodID: "p", State: backend.ContainerRunning, CreatedAt: t0.Add(-time.Minute)},
		{ID: "x", Name: "other", PodID: "q", State: backend.ContainerRunning, CreatedAt: t0.Add(time.Hour)},
		{ID: "c0", Name: "crash", PodID: "r", State: backend.ContainerExited, CreatedAt: t0},
		{ID: "c1", Name: "crash", PodID: "r", State: backend.ContainerExited, CreatedAt: t0.Add(time.Minute)},
	}
	tests := []struct {
		pod, want, others string
		ok                bool
	}{
		{"p", "a1", "sidecar", true}, // newest running
		{"q", "x", "", true},
		{"r", "c1", "", true}, // none running: newest attempt, no other names
		{"none", "", "", false},
	}
	for _, tt := range tests {
		c, others, ok := Pick(pcs, tt.pod)
		if c.ID != tt.want || strings.Join(others, ",") != tt.others || ok != tt.ok {
			t.Errorf("pod %s: %s %v %v, want %s %s %v", tt.pod, c.ID, others, ok, tt.want, tt.others, tt.ok)
		}
	}
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	n := &fake.Native{Ctrs: map[string][]backend.Container{
		"default": {{ID: "ticker", Task: &backend.Task{Status: backend.TaskRunning}}},
		"k8s.io":  {{ID: "c1", Kind: "container", Task: &backend.Task{Status: backend.TaskRunning}}},
	}}
	rt := &fake.Runtime{PodCtrs: []backend.PodContainer{
		{ID: "c1", Name: "logger", PodID: "p1", PodName: "web", PodNamespace: "default", State: backend.ContainerRunning, LogPath: "/var/log/pods/x/logger/0.log"},
		{ID: "crio", Name: "app", PodID: "p2", PodName: "api", State: backend.ContainerRunning},
	}}
	both := Finder{Native: n, CRI: rt}

	c, err := both.Find(ctx, page.Object{Kind: page.KindContainer, Namespace: "default", ID: "ticker"})
	if err != nil || c.Native == nil || c.CRI != nil || c.Name != "ticker" || c.Namespace != "default" {
		t.Errorf("a native task: %+v %v", c, err)
	}
	c, err = both.Find(ctx, page.Object{Kind: page.KindContainer, Namespace: "k8s.io", ID: "c1"})
	if err != nil || c.Native == nil || c.CRI == nil || c.Name != "default/web/logger" {
		t.Errorf("a CRI container seen natively gets its CRI view: %+v %v", c, err)
	}
	c, err = both.Find(ctx, page.Object{Kind: page.KindPodContainer, ID: "c1"})
	if err != nil || c.Native == nil || c.Namespace != "k8s.io" || c.CRI == nil {
		t.Errorf("a pod container on containerd gets the native view: %+v %v", c, err)
	}
	c, err = both.Find(ctx, page.Object{Kind: page.KindPodContainer, ID: "crio"})
	if err != nil || c.Native != nil || c.CRI == nil || c.Namespace != "" {
		t.Errorf("a container containerd does not have (CRI-O) is CRI only: %+v %v", c, err)
	}
	c, err = both.Find(ctx, page.Object{Kind: page.KindPod, ID: "p1"})
	if err != nil || c.ID != "c1" {
		t.Errorf("a pod: its container: %+v %v", c, err)
	}
	if _, err = both.Find(ctx, page.Object{Kind: page.KindPod, ID: "nope", Name: "default/nope"}); !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "default/nope has no containers") {
		t.Errorf("a pod without containers: %v", err)
	}
	if _, err = both.Find(ctx, page.Object{Kind: page.KindImage, ID: "busybox"}); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("an image: %v", err)
	}
	noCRI := Finder{Native: n, CRIErr: backend.Errorf(backend.ErrCRIUnavailable, "CRI is off")}
	if _, err = noCRI.Find(ctx, page.Object{Kind: page.KindPodContainer, ID: "c1"}); err == nil || err.Error() != "CRI is off" {
		t.Errorf("CRI missing says why: %v", err)
	}
	c, err = noCRI.Find(ctx, page.Object{Kind: page.KindContainer, Namespace: "k8s.io", ID: "c1"})
	if err != nil || c.Native == nil || c.CRI != nil {
		t.Errorf("without CRI the native view still serves: %+v %v", c, err)
	}
}
