package containerd

import (
	"reflect"
	"testing"
	"time"

	apievents "github.com/containerd/containerd/api/events"
	tasktypes "github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/events"
	"github.com/containerd/typeurl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ctui/ctui/backend"
)

func TestDecodeEvent(t *testing.T) {
	at := time.Date(2026, 11, 21, 22, 40, 24, 0, time.UTC)
	tests := []struct {
		topic string
		event any
		want  backend.Event
	}{
		{backend.TopicTaskStart, &apievents.TaskStart{ContainerID: "web", Pid: 42},
			backend.Event{ID: "web", PID: 42}},
		{backend.TopicTaskExit, &apievents.TaskExit{ContainerID: "web", ID: "web", Pid: 42, ExitStatus: 137},
			backend.Event{ID: "web", PID: 42, ExitStatus: 137}},
		{backend.TopicTaskDelete, &apievents.TaskDelete{ContainerID: "web", Pid: 42, ExitStatus: 3},
			backend.Event{ID: "web", PID: 42, ExitStatus: 3}},
		{backend.TopicTaskOOM, &apievents.TaskOOM{ContainerID: "web"}, backend.Event{ID: "web"}},
		{backend.TopicContainerDelete, &apievents.ContainerDelete{ID: "web"}, backend.Event{ID: "web"}},
		{backend.TopicImageCreate, &apievents.ImageCreate{Name: "docker.io/library/busybox:latest"},
			backend.Event{ID: "docker.io/library/busybox:latest"}},
		{backend.TopicNamespaceDelete, &apievents.NamespaceDelete{Name: "scratch"}, backend.Event{ID: "scratch"}},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			payload, err := typeurl.MarshalAny(tt.event)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeEvent(&events.Envelope{Timestamp: at, Namespace: "default", Topic: tt.topic, Event: payload})
			tt.want.Namespace, tt.want.Topic, tt.want.Time = "default", tt.topic, at
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A payload this client does not know (a later daemon's new event) still
// gives the topic, so a list can refresh.
func TestDecodeEventUnknownPayload(t *testing.T) {
	env := &events.Envelope{Namespace: "k8s.io", Topic: "/something/new",
		Event: &unknownAny{url: "containerd.events.SomethingNew", value: []byte{1, 2, 3}}}
	got := decodeEvent(env)
	want := backend.Event{Namespace: "k8s.io", Topic: "/something/new"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

type unknownAny struct {
	url   string
	value []byte
}

func (a *unknownAny) GetTypeUrl() string { return a.url }
func (a *unknownAny) GetValue() []byte   { return a.value }

func TestTaskFromProcess(t *testing.T) {
	exited := time.Date(2026, 11, 21, 22, 40, 24, 5, time.UTC)
	tests := []struct {
		name string
		p    *tasktypes.Process
		want backend.Task
	}{
		{"running, no exit time", &tasktypes.Process{ID: "web", Pid: 7, Status: tasktypes.Status_RUNNING,
			Stdout: "/run/containerd/fifo/1/web-stdout", Stderr: "/run/containerd/fifo/1/web-stderr",
			ExitedAt: timestamppb.New(time.Time{})},
			backend.Task{ID: "web", PID: 7, Status: backend.TaskRunning,
				Stdout: "/run/containerd/fifo/1/web-stdout", Stderr: "/run/containerd/fifo/1/web-stderr"}},
		{"stopped with a log uri", &tasktypes.Process{ID: "job", Pid: 8, Status: tasktypes.Status_STOPPED,
			ExitStatus: 3, ExitedAt: timestamppb.New(exited), Stdout: "file:///var/log/job.log", Terminal: true},
			backend.Task{ID: "job", PID: 8, Status: backend.TaskStopped, ExitStatus: 3, ExitedAt: exited,
				Stdout: "file:///var/log/job.log", Terminal: true}},
		{"unix epoch is no exit", &tasktypes.Process{ContainerID: "c", Status: tasktypes.Status_CREATED,
			ExitedAt: &timestamppb.Timestamp{}},
			backend.Task{ID: "c", Status: backend.TaskCreated}},
		{"paused", &tasktypes.Process{ID: "p", Status: tasktypes.Status_PAUSED}, backend.Task{ID: "p", Status: backend.TaskPaused}},
		{"pausing", &tasktypes.Process{ID: "p", Status: tasktypes.Status_PAUSING}, backend.Task{ID: "p", Status: backend.TaskPausing}},
		{"unknown", &tasktypes.Process{ID: "p", Status: tasktypes.Status(99)}, backend.Task{ID: "p", Status: backend.TaskUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := *taskFromProcess(tt.p)
			if !got.ExitedAt.Equal(tt.want.ExitedAt) {
				t.Errorf("ExitedAt = %v, want %v", got.ExitedAt, tt.want.ExitedAt)
			}
			got.ExitedAt, tt.want.ExitedAt = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestContainerFromRecordReadsCRILabels(t *testing.T) {
	r := containers.Container{
		ID: "4f1e", Image: "localhost/test/busybox:latest", Snapshotter: "overlayfs", SnapshotKey: "4f1e",
		Runtime: containers.RuntimeInfo{Name: "io.containerd.runc.v2"},
		Labels: map[string]string{
			backend.LabelPodName: "web-0", backend.LabelPodNamespace: "shop", backend.LabelPodUID: "u-1",
			backend.LabelContainerName: "app", backend.LabelCRIKind: "container",
		},
	}
	got := containerFromRecord(r)
	if got.PodName != "web-0" || got.PodNamespace != "shop" || got.PodUID != "u-1" || got.ContainerName != "app" ||
		got.Kind != "container" || got.Runtime != "io.containerd.runc.v2" || got.Image != r.Image || got.Task != nil {
		t.Errorf("got %+v", got)
	}
	plain := containerFromRecord(containers.Container{ID: "t1"})
	if plain.PodName != "" || plain.Kind != "" {
		t.Errorf("a ctr container got pod fields: %+v", plain)
	}
}

func TestFormatPlatforms(t *testing.T) {
	got := formatPlatforms([]ocispec.Platform{
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
		{OS: "linux", Architecture: "amd64"},
	})
	want := []string{"linux/amd64", "linux/arm/v7", "linux/arm64/v8"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := formatPlatforms(nil); got != nil {
		t.Errorf("no platforms gave %v, want nil (ctr prints -)", got)
	}
}
