package cri

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
)

// crictl stop, rm, stopp and rmp through ctui's CRI client, on both daemon
// versions: a pod container is stopped and removed, then a whole pod, and
// CRI no longer lists them.
func TestLifecycle(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testLifecycle(t, v)
		})
	}
}

func testLifecycle(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	d := testbed.Start(t, v)
	webID, webCtrs, err := d.RunPod(ctx, testbed.LoggingPod("web"))
	if err != nil {
		t.Fatal(err)
	}
	dbID, _, err := d.RunPod(ctx, testbed.LoggingPod("db"))
	if err != nil {
		t.Fatal(err)
	}
	// A call's timeout well above what stopping and removing a sandbox
	// takes on a loaded machine (seconds): nothing here is about timeouts.
	c, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Logf("containerd %s: pods ready in %v", v, time.Since(start).Round(time.Millisecond))
	ctrID := webCtrs[0]

	t.Run("RemoveRunningContainerRefused", func(t *testing.T) {
		err := c.RemoveContainer(ctx, backend.CRIRemoveContainerOptions{ID: ctrID})
		if !errors.Is(err, backend.ErrRunning) || !strings.Contains(err.Error(), "through CRI") {
			t.Errorf("got %v, want ErrRunning saying CRI", err)
		}
	})
	t.Run("StopThenRemoveContainer", func(t *testing.T) {
		if err := c.StopContainer(ctx, backend.CRIStopOptions{ID: ctrID, Timeout: time.Second}); err != nil {
			t.Fatal(err)
		}
		// containerd 2.x answers StopContainer once the task is gone but
		// records the exit from its event monitor a moment later (crictl
		// ps -a can show it Running in between): wait for Exited.
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
			pcs, err := c.PodContainers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(pcs, func(p backend.PodContainer) bool { return p.ID == ctrID })
			if i >= 0 && pcs[i].State == backend.ContainerExited {
				break
			}
			if i < 0 || time.Now().After(deadline) {
				t.Fatalf("after stop: %+v, want Exited", pcs)
			}
		}
		err = c.StopContainer(ctx, backend.CRIStopOptions{ID: ctrID})
		if !errors.Is(err, backend.ErrNotRunning) || !strings.Contains(err.Error(), "already exited") {
			t.Errorf("second stop: %v, want 'already exited'", err)
		}
		if err := c.RemoveContainer(ctx, backend.CRIRemoveContainerOptions{ID: ctrID}); err != nil {
			t.Fatal(err)
		}
		pcs, err := c.PodContainers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(pcs, func(p backend.PodContainer) bool { return p.ID == ctrID }) {
			t.Errorf("container %s still listed after rm", ctrID)
		}
		err = c.RemoveContainer(ctx, backend.CRIRemoveContainerOptions{ID: ctrID})
		if !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("second rm: %v, want ErrNotFound", err)
		}
	})
	t.Run("StopThenRemovePod", func(t *testing.T) {
		if err := c.StopPod(ctx, backend.CRIStopPodOptions{ID: webID, Name: "default/web"}); err != nil {
			t.Fatal(err)
		}
		err := c.StopPod(ctx, backend.CRIStopPodOptions{ID: webID, Name: "default/web"})
		if !errors.Is(err, backend.ErrNotRunning) || !strings.Contains(err.Error(), "pod default/web") {
			t.Errorf("second stopp: %v, want ErrNotRunning naming the pod", err)
		}
		if err := c.RemovePod(ctx, backend.CRIRemovePodOptions{ID: webID}); err != nil {
			t.Fatal(err)
		}
		assertPodGone(ctx, t, c, webID)
	})
	t.Run("RemoveReadyPod", func(t *testing.T) {
		err := c.RemovePod(ctx, backend.CRIRemovePodOptions{ID: dbID, Name: "default/db"})
		if !errors.Is(err, backend.ErrRunning) || !strings.Contains(err.Error(), "Ready") {
			t.Errorf("rmp of a Ready pod: %v, want ErrRunning", err)
		}
		if err := c.RemovePod(ctx, backend.CRIRemovePodOptions{ID: dbID, StopFirst: true}); err != nil {
			t.Fatal(err)
		}
		assertPodGone(ctx, t, c, dbID)
		pcs, err := c.PodContainers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(pcs, func(p backend.PodContainer) bool { return p.PodID == dbID }) {
			t.Errorf("containers of the removed pod still listed")
		}
	})
}

func assertPodGone(ctx context.Context, t *testing.T, c *Client, id string) {
	t.Helper()
	pods, err := c.Pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(pods, func(p backend.Pod) bool { return p.ID == id }) {
		t.Errorf("pod %s still listed after rmp", id)
	}
}
