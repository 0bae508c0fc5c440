package cri

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// These tests run against real containerd daemons, 1.6 and 2.x, started by
// the test bed on private sockets: a logging pod and a crash-looping pod are
// what a node operator would look at.

func TestAgainstContainerd(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testAgainst(t, v)
		})
	}
}

func testAgainst(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d := testbed.Start(t, v)

	start := time.Now()
	logID, logCtrs, err := d.RunPod(ctx, testbed.LoggingPod("web"))
	if err != nil {
		t.Fatal(err)
	}
	crashID, crashCtrs, err := d.RunPod(ctx, testbed.CrashLoopPod("crasher"))
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := d.CrashLoop(ctx, crashCtrs[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitContainerExit(ctx, attempts[len(attempts)-1]); err != nil {
		t.Fatal(err)
	}
	t.Logf("containerd %s: pods ready in %v", v, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	c, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 2 * time.Minute}) // far past the generous waits: a call that waits for it fails
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Logf("New in %v", time.Since(start).Round(time.Microsecond))

	t.Run("Version", func(t *testing.T) {
		ver, err := c.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := "1.6."
		if v == testbed.V2 {
			want = "2."
		}
		if ver.RuntimeName != "containerd" || !strings.HasPrefix(ver.RuntimeVersion, want) ||
			ver.RuntimeAPIVersion != "v1" || ver.Version != "0.1.0" {
			t.Errorf("version %+v, want containerd %s*, CRI v1, 0.1.0", ver, want)
		}
	})

	t.Run("Status", func(t *testing.T) {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rr, ok := st.Condition(backend.ConditionRuntimeReady); !ok || !rr.Status {
			t.Errorf("RuntimeReady = %+v, %v; want true", rr, ok)
		}
		nr, ok := st.Condition(backend.ConditionNetworkReady)
		if !ok || nr.Status || nr.Reason != "NetworkPluginNotReady" || !strings.Contains(nr.Message, "cni") {
			t.Errorf("NetworkReady = %+v, %v; want false with reason NetworkPluginNotReady (no CNI config)", nr, ok)
		}
		for _, key := range []string{"config", "golang", "cniconfig", "lastCNILoadStatus"} {
			if st.Info[key] == "" {
				t.Errorf("verbose info lacks %q (has %v)", key, keys(st.Info))
			}
		}
		if !json.Valid([]byte(st.Info["config"])) {
			t.Errorf("info config is not JSON: %.200s", st.Info["config"])
		}
	})

	t.Run("Pods", func(t *testing.T) {
		start := time.Now()
		pods, err := c.Pods(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d pods in %v", len(pods), time.Since(start).Round(time.Microsecond))
		if len(pods) != 2 || pods[0].ID != crashID || pods[1].ID != logID {
			t.Fatalf("pods %+v, want crasher then web (newest first)", pods)
		}
		for _, p := range pods {
			if p.Namespace != "default" || p.UID == "" || p.State != backend.PodReady || p.CreatedAt.IsZero() ||
				p.Labels[backend.LabelPodName] != p.Name || p.Annotations["kubernetes.io/config.source"] != "ctui-testbed" {
				t.Errorf("pod %+v", p)
			}
		}
		if pods[0].Name != "crasher" || pods[1].Name != "web" {
			t.Errorf("names %q %q", pods[0].Name, pods[1].Name)
		}
	})

	t.Run("PodContainers", func(t *testing.T) {
		start := time.Now()
		ctrs, err := c.PodContainers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d containers in %v", len(ctrs), time.Since(start).Round(time.Microsecond))
		if len(ctrs) != 3 {
			t.Fatalf("%d containers, want logger and two crasher attempts: %+v", len(ctrs), ctrs)
		}
		byID := map[string]backend.PodContainer{}
		for i, pc := range ctrs {
			byID[pc.ID] = pc
			if i > 0 && pc.CreatedAt.After(ctrs[i-1].CreatedAt) {
				t.Errorf("not newest first at %d", i)
			}
		}

		logger := byID[logCtrs[0]]
		if logger.Name != "logger" || logger.PodID != logID || logger.PodName != "web" || logger.PodNamespace != "default" ||
			logger.State != backend.ContainerRunning || logger.Attempt != 0 || logger.StartedAt.IsZero() ||
			!logger.FinishedAt.IsZero() || logger.Image != testbed.BusyboxImage || !strings.HasPrefix(logger.ImageRef, "sha256:") {
			t.Errorf("logger %+v", logger)
		}
		wantLog, err := d.ContainerLogPath(ctx, logger.ID)
		if err != nil {
			t.Fatal(err)
		}
		if logger.LogPath != wantLog || filepath.Base(logger.LogPath) != "0.log" {
			t.Errorf("logger log path %q, want %q", logger.LogPath, wantLog)
		}

		for attempt, id := range attempts {
			pc := byID[id]
			if pc.Name != "crasher" || pc.PodName != "crasher" || pc.PodID != crashID || pc.Attempt != uint32(attempt) ||
				pc.State != backend.ContainerExited || pc.ExitCode != testbed.CrashExitCode || pc.Reason != "Error" ||
				pc.FinishedAt.IsZero() || filepath.Base(pc.LogPath) != fmt.Sprintf("%d.log", attempt) {
				t.Errorf("crasher attempt %d: %+v", attempt, pc)
			}
		}
	})

	// In a kubectl debug node container the node's root is at /host: the
	// log paths CRI reports are read under it. Here the host root is a
	// directory whose copy of the log's directory links to the real one.
	t.Run("log paths under the host root", func(t *testing.T) {
		wantLog, err := d.ContainerLogPath(ctx, logCtrs[0])
		if err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		dir := filepath.Dir(wantLog)
		if err := os.MkdirAll(filepath.Dir(root+dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(dir, root+dir); err != nil {
			t.Fatal(err)
		}
		hc, err := New(ctx, backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 5 * time.Second, HostRoot: root})
		if err != nil {
			t.Fatal(err)
		}
		defer hc.Close()
		ctrs, err := hc.PodContainers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ctrs, func(pc backend.PodContainer) bool { return pc.ID == logCtrs[0] })
		if i < 0 || ctrs[i].LogPath != root+wantLog {
			t.Fatalf("log path under %s: %+v, want %s", root, ctrs, root+wantLog)
		}
		data, err := os.ReadFile(ctrs[i].LogPath)
		if err != nil || !strings.Contains(string(data), " stdout F ") {
			t.Errorf("read %s: %v\n%s", ctrs[i].LogPath, err, data)
		}
	})

	t.Run("Images", func(t *testing.T) {
		imgs, err := c.Images(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out, err := d.Ctr(ctx, "-n", backend.CRINamespace, "images", "ls")
		if err != nil {
			t.Fatal(err)
		}
		refs := parseCtrImages(t, out)
		var tags []string
		for _, img := range imgs {
			id, ok := refs[img.ID]
			if !ok {
				t.Errorf("image %s is not in ctr's list as a ref", img.ID)
				continue
			}
			if got, want := ctrSize(img.Size), id.size; got != want {
				t.Errorf("image %s: CRI size %d (%s), ctr says %s", img.ID, img.Size, got, want)
			}
			for _, tag := range img.RepoTags {
				tags = append(tags, tag)
				if r, ok := refs[tag]; !ok || r.digest != id.digest {
					t.Errorf("tag %s: ctr has %+v, want target %s", tag, r, id.digest)
				}
			}
			for _, dg := range img.RepoDigests {
				name, digest, _ := strings.Cut(dg, "@")
				if r, ok := refs[dg]; !ok || digest != id.digest || name == "" {
					t.Errorf("digest %s: ctr has %+v, want target %s", dg, r, id.digest)
				}
			}
			if pinned := slices.Contains(img.RepoTags, testbed.PauseImage) && v == testbed.V2; img.Pinned != pinned {
				t.Errorf("image %v pinned = %v, want %v (2.x pins its sandbox image)", img.RepoTags, img.Pinned, pinned)
			}
		}
		// every tag ctr lists (a name neither sha256:<id> nor name@digest) is one of CRI's
		var ctrTags []string
		for ref := range refs {
			if !strings.HasPrefix(ref, "sha256:") && !strings.Contains(ref, "@") {
				ctrTags = append(ctrTags, ref)
			}
		}
		slices.Sort(tags)
		slices.Sort(ctrTags)
		if !slices.Equal(tags, ctrTags) || !slices.Contains(tags, testbed.BusyboxImage) {
			t.Errorf("CRI tags %v, ctr tags %v", tags, ctrTags)
		}
	})

	t.Run("ImageFsInfo", func(t *testing.T) {
		fs, err := c.ImageFsInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(d.Dir, "root", "io.containerd.snapshotter.v1.overlayfs")
		if len(fs) == 0 || fs[0].Mountpoint != want || fs[0].Timestamp.IsZero() {
			t.Errorf("image filesystems %+v, want the first at %s", fs, want)
		}
	})

	t.Run("InspectJSON", func(t *testing.T) {
		js, err := c.ContainerStatus(ctx, attempts[0])
		if err != nil {
			t.Fatal(err)
		}
		var ctr struct {
			Status struct {
				ExitCode int32  `json:"exitCode"`
				LogPath  string `json:"logPath"`
			} `json:"status"`
			Info struct {
				Pid         *int            `json:"pid"`
				RuntimeSpec json.RawMessage `json:"runtimeSpec"`
			} `json:"info"`
		}
		if err := json.Unmarshal([]byte(js), &ctr); err != nil {
			t.Fatalf("%v in %.300s", err, js)
		}
		if ctr.Status.ExitCode != testbed.CrashExitCode || ctr.Status.LogPath == "" || ctr.Info.Pid == nil || len(ctr.Info.RuntimeSpec) == 0 {
			t.Errorf("container JSON: %.600s", js)
		}

		js, err = c.PodStatus(ctx, logID)
		if err != nil {
			t.Fatal(err)
		}
		var pod struct {
			Status struct {
				State    string                `json:"state"`
				Metadata struct{ Name string } `json:"metadata"`
			} `json:"status"`
			Info struct {
				Pid int `json:"pid"`
			} `json:"info"`
		}
		if err := json.Unmarshal([]byte(js), &pod); err != nil {
			t.Fatalf("%v in %.300s", err, js)
		}
		if pod.Status.State != "SANDBOX_READY" || pod.Status.Metadata.Name != "web" || pod.Info.Pid == 0 {
			t.Errorf("pod JSON: %.600s", js)
		}

		_, err = c.ContainerStatus(ctx, "0123456789abcdef")
		if !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("status of an unknown container: %v, want ErrNotFound", err)
		}
	})

	t.Run("DaemonStopsMidSession", func(t *testing.T) {
		if err := d.Stop(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := c.Pods(ctx)
		took := time.Since(start)
		if !errors.Is(err, backend.ErrUnavailable) {
			t.Errorf("after the daemon stopped: %v, want ErrUnavailable", err)
		}
		if took > testclock.Generous {
			t.Errorf("took %v to notice; want well under the client's timeout", took)
		}
		t.Logf("%v after %v", err, took.Round(time.Microsecond))
	})
}

func TestCRIDisabled(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v, testbed.WithoutCRI())
			start := time.Now()
			c, err := New(context.Background(), backend.Config{RuntimeEndpoint: d.Endpoint, Timeout: 2 * time.Minute})
			if err == nil {
				c.Close()
				t.Fatal("New succeeded on a containerd without CRI")
			}
			if !errors.Is(err, backend.ErrCRIUnavailable) || !strings.Contains(err.Error(), "still work") {
				t.Errorf("err = %v, want ErrCRIUnavailable saying the containerd views still work", err)
			}
			if took := time.Since(start); took > testclock.Generous {
				t.Errorf("took %v; the answer was there, no need to wait for the timeout", took)
			}
			t.Logf("%v", err)

			// beside a running daemon, a socket that is not there is named as missing
			_, err = New(context.Background(), backend.Config{RuntimeEndpoint: "unix://" + filepath.Join(d.Dir, "nope.sock")})
			if !errors.Is(err, backend.ErrSocketMissing) {
				t.Errorf("missing socket: %v, want ErrSocketMissing", err)
			}
		})
	}
}

type ctrRef struct{ digest, size string }

// parseCtrImages reads `ctr images ls` (REF TYPE DIGEST SIZE PLATFORMS
// LABELS; SIZE is two fields such as "1.0 MiB") into ref -> target digest
// and size, skipping anything the tool logged before its header.
func parseCtrImages(t *testing.T, out string) map[string]ctrRef {
	t.Helper()
	refs := map[string]ctrRef{}
	header := false
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !header { // 2.x's ctr may log a deprecation warning first
			header = strings.HasPrefix(l, "REF ")
			continue
		}
		f := strings.Fields(l)
		if len(f) < 5 {
			t.Fatalf("ctr images ls line %q", l)
		}
		refs[f[0]] = ctrRef{digest: f[2], size: f[3] + " " + f[4]}
	}
	return refs
}

// ctrSize formats bytes as ctr images ls does (base 1024, "%02.1f %s").
func ctrSize(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%02.1f %s", f, units[i])
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
