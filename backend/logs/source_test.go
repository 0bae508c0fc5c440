package logs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctui/ctui/backend"
)

func TestPreviousLogPath(t *testing.T) {
	tests := []struct {
		path    string
		attempt uint32
		want    string
	}{
		{"/var/log/pods/default_web_1234/nginx/3.log", 3, "/var/log/pods/default_web_1234/nginx/2.log"},
		{"/var/log/pods/default_web_1234/nginx/1.log", 1, "/var/log/pods/default_web_1234/nginx/0.log"},
		// crictl takes the attempt from the status, not from the name.
		{"/logs/web/current.log", 5, "/logs/web/4.log"},
		{"/logs/web/noext", 2, "/logs/web/1"},
	}
	for _, tc := range tests {
		got, err := PreviousLogPath(tc.path, tc.attempt)
		if err != nil || got != tc.want {
			t.Errorf("%s attempt %d: %q %v, want %q", tc.path, tc.attempt, got, err, tc.want)
		}
	}
	if _, err := PreviousLogPath("/x/0.log", 0); !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "first run") {
		t.Errorf("attempt 0: %v", err)
	}
}

func TestPreviousSource(t *testing.T) {
	dir := t.TempDir()
	c := backend.PodContainer{ID: "abc", Name: "crash", PodName: "loop", Attempt: 2, LogPath: filepath.Join(dir, "2.log")}
	_, err := PreviousSource(c)
	if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "no previous log at "+filepath.Join(dir, "1.log")) {
		t.Fatalf("missing previous: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "1.log"), nil, 0o644)
	src, err := PreviousSource(c)
	if err != nil || src.Path != filepath.Join(dir, "1.log") || src.Format != FormatCRI || src.Name != "container loop/crash (attempt 1)" {
		t.Fatalf("%+v %v", src, err)
	}
	c.Attempt = 0
	if _, err := PreviousSource(c); !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "container loop/crash (attempt 0): no previous attempt") {
		t.Fatalf("attempt 0: %v", err)
	}
	if _, err := CRISource(backend.PodContainer{Name: "x"}); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("no log path: %v", err)
	}
}

func TestTaskSource(t *testing.T) {
	tests := []struct {
		task     backend.Task
		wantPath string
		wantErr  string
	}{
		{backend.Task{ID: "web", Stdout: "file:///var/log/ctr/web.log"}, "/var/log/ctr/web.log", ""},
		{backend.Task{ID: "web", Stdout: "file:///var/log/ctr/../ctr/web.log?x=1"}, "/var/log/ctr/web.log", ""},
		{backend.Task{ID: "web", Stdout: "file://var/log/web.log"}, "/var/log/web.log", ""},
		{backend.Task{ID: "web", Stdout: "/run/containerd/fifo/123/web-stdout"}, "", "writes to the fifo /run/containerd/fifo/123/web-stdout"},
		{backend.Task{ID: "web", Stdout: "/run/containerd/fifo/123/web-stdout", Terminal: true}, "", "terminal"},
		{backend.Task{ID: "web", Stdout: "binary:///usr/local/bin/nerdctl?_NERDCTL_INTERNAL_LOGGING=/var/lib/nerdctl"}, "", "logging program /usr/local/bin/nerdctl"},
		{backend.Task{ID: "web", Stdout: "fifo:///tmp/x"}, "", "fifo /tmp/x"},
		{backend.Task{ID: "web", Stdout: ""}, "", "no stdout"},
		{backend.Task{ID: "web", Stdout: "s3://bucket/x"}, "", "only file://"},
	}
	for _, tc := range tests {
		src, err := TaskSource(tc.task)
		if tc.wantErr == "" {
			if err != nil || src.Path != tc.wantPath || src.Format != FormatRaw {
				t.Errorf("%q: %+v %v", tc.task.Stdout, src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q: %v, want %q", tc.task.Stdout, err, tc.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), "ctr run --log-uri file:///var/log/ctr/web.log") {
			t.Errorf("%q: the error does not say what to do: %v", tc.task.Stdout, err)
		}
	}
}
