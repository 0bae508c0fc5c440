package cri

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/testbed"
)

// A pod made as `crictl runp pod-config.json` makes it has no
// io.kubernetes.pod.* labels on its sandbox or containers: its name and
// namespace are only in the sandbox's metadata. ctui joins each container to
// its sandbox by PodSandboxId to name the pod, on 1.6 and 2.x.
func TestPodsWithoutKubeletLabels(t *testing.T) {
	testbed.EachVersion(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		sbID, ids, err := d.RunPod(ctx, testbed.PodSpec{Name: "runp-pod", Namespace: "tools", UID: "runp-uid",
			WithoutKubeletLabels: true, Containers: []testbed.ContainerSpec{{Name: "app", Command: testbed.IdleCommand}}})
		if err != nil {
			t.Fatal(err)
		}
		appID := ids[0]
		cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Timeout: time.Minute}
		c, err := New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		nc, err := containerd.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()

		// The precondition: containerd's records carry no pod name,
		// so labels alone would show the pod as "-".
		native, err := nc.Containers(ctx, backend.CRINamespace)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]int{}
		for i, ct := range native {
			byID[ct.ID] = i
			if ct.Labels[backend.LabelPodName] != "" || ct.PodName != "" {
				t.Fatalf("container %s has a pod label: %v", ct.ID, ct.Labels)
			}
		}
		if _, ok := byID[appID]; !ok {
			t.Fatalf("native list lacks the app container %s: %+v", appID, native)
		}
		if _, ok := byID[sbID]; !ok {
			t.Fatalf("native list lacks the sandbox %s: %+v", sbID, native)
		}

		pcs, err := c.PodContainers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pcs) != 1 || pcs[0].ID != appID || pcs[0].PodName != "runp-pod" || pcs[0].PodNamespace != "tools" || pcs[0].PodID != sbID {
			t.Errorf("PodContainers %+v, want app in tools/runp-pod", pcs)
		}

		refs, err := c.PodRefs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := backend.PodRef{SandboxID: sbID, Name: "runp-pod", Namespace: "tools", UID: "runp-uid"}
		if refs[sbID] != want {
			t.Errorf("sandbox ref %+v, want %+v", refs[sbID], want)
		}
		want.Container = "app"
		if refs[appID] != want {
			t.Errorf("container ref %+v, want %+v", refs[appID], want)
		}

		backend.JoinPods(native, refs)
		for _, id := range []string{sbID, appID} {
			ct := native[byID[id]]
			if ct.PodName != "runp-pod" || ct.PodNamespace != "tools" || ct.PodUID != "runp-uid" {
				t.Errorf("joined %s: %+v, want pod tools/runp-pod", id, ct)
			}
		}
		if app := native[byID[appID]]; app.ContainerName != "app" || app.Kind != "container" {
			t.Errorf("joined app: name %q kind %q", app.ContainerName, app.Kind)
		}
		if sb := native[byID[sbID]]; sb.Kind != "sandbox" {
			t.Errorf("sandbox kind %q", sb.Kind)
		}

		// One id at a time (describe): a container, its sandbox, an
		// id CRI does not know.
		for _, id := range []string{appID, sbID} {
			ref, ok, err := c.PodOf(ctx, id)
			want := backend.PodRef{SandboxID: sbID, Name: "runp-pod", Namespace: "tools", UID: "runp-uid"}
			if id == appID {
				want.Container = "app"
			}
			if err != nil || !ok || ref != want {
				t.Errorf("PodOf(%s) = %+v, %v, %v; want %+v", id, ref, ok, err, want)
			}
		}
		if ref, ok, err := c.PodOf(ctx, "no-such-id"); err != nil || ok {
			t.Errorf("PodOf of an unknown id = %+v, %v, %v; want not found, no error", ref, ok, err)
		}

		// Describe (crictl inspect) names the pod too.
		js, err := c.ContainerStatus(ctx, appID)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Pod struct{ SandboxID, Name, Namespace, UID string } `json:"pod"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatalf("%v in %.300s", err, js)
		}
		if doc.Pod.SandboxID != sbID || doc.Pod.Name != "runp-pod" || doc.Pod.Namespace != "tools" || doc.Pod.UID != "runp-uid" {
			t.Errorf("describe's pod %+v, want tools/runp-pod (%s)", doc.Pod, sbID)
		}
	})
}
