package cri

import (
	"reflect"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

func TestUnixNanoKeepsZero(t *testing.T) {
	if got := unixNano(0); !got.IsZero() {
		t.Errorf("unixNano(0) = %v, want the zero time", got)
	}
	if got := unixNano(1_700_000_000_123_456_789); !got.Equal(time.Unix(1_700_000_000, 123_456_789)) {
		t.Errorf("unixNano = %v", got)
	}
}

func TestToPod(t *testing.T) {
	got := toPod(&runtimeapi.PodSandbox{
		Id:             "abc",
		Metadata:       &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "prod", Uid: "u1", Attempt: 2},
		State:          runtimeapi.PodSandboxState_SANDBOX_NOTREADY,
		CreatedAt:      5,
		Labels:         map[string]string{"app": "web"},
		RuntimeHandler: "runc",
	})
	want := backend.Pod{ID: "abc", Name: "web", Namespace: "prod", UID: "u1", Attempt: 2, State: backend.PodNotReady,
		CreatedAt: time.Unix(0, 5), Labels: map[string]string{"app": "web"}, RuntimeHandler: "runc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("toPod:\n got %+v\nwant %+v", got, want)
	}
	if s := toPod(&runtimeapi.PodSandbox{State: runtimeapi.PodSandboxState_SANDBOX_READY}).State; s != backend.PodReady {
		t.Errorf("ready sandbox state = %q", s)
	}
}

func TestToPodContainerAndStatus(t *testing.T) {
	tests := []struct {
		name      string
		list      *runtimeapi.Container
		status    *runtimeapi.ContainerStatus
		wantImage string
		wantRef   string
		wantState backend.ContainerState
	}{
		{
			name: "kubelet passes the image id and the user's name",
			list: &runtimeapi.Container{Image: &runtimeapi.ImageSpec{Image: "sha256:aaa", UserSpecifiedImage: "busybox"},
				ImageRef: "sha256:aaa", State: runtimeapi.ContainerState_CONTAINER_RUNNING},
			status: &runtimeapi.ContainerStatus{Image: &runtimeapi.ImageSpec{Image: "docker.io/library/busybox:latest"},
				ImageRef: "docker.io/library/busybox@sha256:bbb", State: runtimeapi.ContainerState_CONTAINER_EXITED},
			wantImage: "busybox", wantRef: "docker.io/library/busybox@sha256:bbb", wantState: backend.ContainerExited,
		},
		{
			name: "an id without a user name gives way to the status's tag",
			list: &runtimeapi.Container{Image: &runtimeapi.ImageSpec{Image: "sha256:aaa"}, ImageRef: "sha256:aaa"},
			status: &runtimeapi.ContainerStatus{Image: &runtimeapi.ImageSpec{Image: "localhost/test/busybox:latest"},
				State: runtimeapi.ContainerState_CONTAINER_CREATED},
			wantImage: "localhost/test/busybox:latest", wantRef: "sha256:aaa", wantState: backend.ContainerCreated,
		},
		{
			name: "a name stays",
			list: &runtimeapi.Container{Image: &runtimeapi.ImageSpec{Image: "localhost/test/busybox:latest"}},
			status: &runtimeapi.ContainerStatus{Image: &runtimeapi.ImageSpec{Image: "localhost/other:1"},
				State: runtimeapi.ContainerState(42)},
			wantImage: "localhost/test/busybox:latest", wantState: backend.ContainerUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.list.Id, tt.list.PodSandboxId = "c1", "p1"
			tt.list.Metadata = &runtimeapi.ContainerMetadata{Name: "app", Attempt: 3}
			tt.list.Labels = map[string]string{backend.LabelPodName: "web", backend.LabelPodNamespace: "prod"}
			pc := toPodContainer(tt.list, nil)
			if pc.Name != "app" || pc.Attempt != 3 || pc.PodName != "web" || pc.PodNamespace != "prod" || pc.PodID != "p1" {
				t.Errorf("list fields: %+v", pc)
			}
			tt.status.ExitCode, tt.status.Reason, tt.status.LogPath = 3, "Error", "/var/log/pods/x/app/3.log"
			tt.status.StartedAt = 10
			addStatus(&pc, tt.status)
			if pc.Image != tt.wantImage || pc.ImageRef != tt.wantRef || pc.State != tt.wantState {
				t.Errorf("image %q ref %q state %q, want %q %q %q", pc.Image, pc.ImageRef, pc.State, tt.wantImage, tt.wantRef, tt.wantState)
			}
			if pc.ExitCode != 3 || pc.Reason != "Error" || pc.LogPath == "" || !pc.FinishedAt.IsZero() || pc.StartedAt.IsZero() {
				t.Errorf("status fields: %+v", pc)
			}
		})
	}
}

// The sandbox's metadata names the pod; the labels only when the sandbox is
// not in the list (gone between the calls), and then as they are.
func TestToPodContainerNamesThePodBySandbox(t *testing.T) {
	sandboxes := map[string]backend.PodRef{"p1": {SandboxID: "p1", Name: "runp-pod", Namespace: "tools", UID: "u1"}}
	bare := &runtimeapi.Container{Id: "c1", PodSandboxId: "p1", Metadata: &runtimeapi.ContainerMetadata{Name: "app"}}
	if pc := toPodContainer(bare, sandboxes); pc.PodName != "runp-pod" || pc.PodNamespace != "tools" || pc.PodID != "p1" {
		t.Errorf("label-less container: %+v, want pod tools/runp-pod from its sandbox", pc)
	}
	labelled := &runtimeapi.Container{Id: "c2", PodSandboxId: "p1",
		Labels: map[string]string{backend.LabelPodName: "stale", backend.LabelPodNamespace: "old"}}
	if pc := toPodContainer(labelled, sandboxes); pc.PodName != "runp-pod" || pc.PodNamespace != "tools" {
		t.Errorf("labels beside the sandbox: %+v, want the sandbox's metadata", pc)
	}
	orphan := &runtimeapi.Container{Id: "c3", PodSandboxId: "gone",
		Labels: map[string]string{backend.LabelPodName: "web", backend.LabelPodNamespace: "prod"}}
	if pc := toPodContainer(orphan, sandboxes); pc.PodName != "web" || pc.PodNamespace != "prod" {
		t.Errorf("sandbox not listed: %+v, want the labels", pc)
	}
	if pc := toPodContainer(&runtimeapi.Container{Id: "c4", PodSandboxId: "gone"}, sandboxes); pc.PodName != "" || pc.PodNamespace != "" {
		t.Errorf("nothing known: %+v, want no pod", pc)
	}
}

func TestIsImageID(t *testing.T) {
	for ref, want := range map[string]bool{
		"sha256:0123": true,
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": true,
		"busybox":                        false,
		"docker.io/library/busybox:1.36": false,
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeX": false,
	} {
		if got := isImageID(ref); got != want {
			t.Errorf("isImageID(%q) = %v", ref, got)
		}
	}
}

func TestSortImagesLikeCrictl(t *testing.T) {
	imgs := []backend.CRIImage{
		{ID: "sha256:3", RepoTags: []string{"b:1"}},
		{ID: "sha256:2", RepoDigests: []string{"z@sha256:1"}},
		{ID: "sha256:1", RepoTags: []string{"a:1"}},
		{ID: "sha256:0"},
	}
	sortImages(imgs)
	var got []string
	for _, i := range imgs {
		got = append(got, i.ID)
	}
	// untagged images sort first (empty first tag), by digest then id
	want := []string{"sha256:0", "sha256:2", "sha256:1", "sha256:3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestStatusJSONLayout(t *testing.T) {
	s, err := statusJSON(&runtimeapi.ContainerStatus{Id: "c1", ExitCode: 0, LogPath: "/l"},
		map[string]string{"info": `{"pid": 42}`, "note": "not json"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"exitCode": 0`, `"logPath": "/l"`, `"pid": 42`, `"note": "not json"`, `"status": {`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
}
