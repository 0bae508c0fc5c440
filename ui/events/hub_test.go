package events

import (
	"testing"

	"github.com/ctui/ctui/backend"
)

func TestStreamFilter(t *testing.T) {
	s := subscription{ns: "default"}
	tests := []struct {
		ns, topic string
		want      bool
	}{
		{"default", backend.TopicTaskStart, true},
		{"default", backend.TopicTaskExit, true},
		{"default", "/tasks/exec-added", false},
		{"default", "/tasks/exec-started", false},
		{"default", backend.TopicImageUpdate, true},
		{"default", "/sandboxes/start", true},
		{"default", "/snapshot/prepare", false},
		{"default", "/content/create", false},
		{"k8s.io", backend.TopicTaskExit, false}, // probes on a busy node
		{"k8s.io", backend.TopicTaskStart, true}, // counts on the namespaces page
		{"k8s.io", backend.TopicImageCreate, true},
		{"k8s.io", backend.TopicContainerUpdate, false},
		{"moby", backend.TopicNamespaceCreate, true},
	}
	for _, tt := range tests {
		if got := s.wants(backend.Event{Namespace: tt.ns, Topic: tt.topic}); got != tt.want {
			t.Errorf("%s %s: %v, want %v", tt.ns, tt.topic, got, tt.want)
		}
	}
}
