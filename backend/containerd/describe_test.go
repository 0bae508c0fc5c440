package containerd

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
)

// TestDescribeAgainstContainerd describes a running native task, its image
// and its namespace on real daemons, 1.6 and 2.x: the documents must carry
// what an operator opens describe for (the process args of the spec, the
// manifest's layers, the config's diff ids, the task's state).
func TestDescribeAgainstContainerd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			testDescribe(t, v)
		})
	}
}

func testDescribe(t *testing.T, v testbed.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := testbed.Start(t, v, testbed.WithoutCRI())
	const ns, id = "default", "describe-me"
	args := []string{"sleep", "3600"}
	if err := d.RunTask(ctx, ns, id, testbed.BusyboxImage, "", args...); err != nil {
		t.Fatal(err)
	}
	c, err := New(ctx, backend.Config{Address: d.Socket, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	t.Run("container", func(t *testing.T) {
		s, err := c.DescribeContainer(ctx, ns, id)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			ID      string
			Image   string
			Runtime struct {
				Name    string
				Options json.RawMessage
			}
			Snapshotter string
			Task        *struct {
				PID    uint32
				Status string
			}
			Spec struct {
				Process struct{ Args []string } `json:"process"`
			}
		}
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, s)
		}
		if got.ID != id || got.Image != testbed.BusyboxImage || got.Runtime.Name != "io.containerd.runc.v2" || got.Snapshotter == "" {
			t.Errorf("record: %+v", got)
		}
		if !slices.Equal(got.Spec.Process.Args, args) {
			t.Errorf("spec process args %q, want %q", got.Spec.Process.Args, args)
		}
		if got.Task == nil || got.Task.Status != string(backend.TaskRunning) || got.Task.PID == 0 {
			t.Errorf("task %+v, want RUNNING with a pid", got.Task)
		}
		if strings.Contains(s, `"typeUrl"`) {
			t.Errorf("something was left undecoded:\n%s", s)
		}
	})

	t.Run("image", func(t *testing.T) {
		s, err := c.DescribeImage(ctx, ns, testbed.BusyboxImage)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Name     string
			Target   struct{ Digest string }
			Platform string
			Manifest struct {
				Config struct{ Digest string }
				Layers []struct {
					Digest string
					Size   int64
				}
			}
			Config struct {
				Config struct{ Cmd []string }
				RootFS struct {
					Type    string
					DiffIDs []string `json:"diff_ids"`
				} `json:"rootfs"`
			}
			Missing []string
		}
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, s)
		}
		if got.Name != testbed.BusyboxImage || !strings.HasPrefix(got.Target.Digest, "sha256:") || got.Platform == "" {
			t.Errorf("record: %+v", got)
		}
		if len(got.Manifest.Layers) == 0 || got.Manifest.Layers[0].Size == 0 || !strings.HasPrefix(got.Manifest.Config.Digest, "sha256:") {
			t.Errorf("manifest: %+v", got.Manifest)
		}
		if got.Config.RootFS.Type != "layers" || len(got.Config.RootFS.DiffIDs) != len(got.Manifest.Layers) {
			t.Errorf("config rootfs %+v, want one diff id per layer (%d)", got.Config.RootFS, len(got.Manifest.Layers))
		}
		if !slices.Equal(got.Config.Config.Cmd, []string{"sh"}) || len(got.Missing) > 0 {
			t.Errorf("config cmd %q, missing %q", got.Config.Config.Cmd, got.Missing)
		}
	})

	t.Run("namespace", func(t *testing.T) {
		s, err := c.DescribeNamespace(ctx, ns)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Name       string
			Images     int
			Containers int
			Tasks      map[string]int
		}
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, s)
		}
		if got.Name != ns || got.Images < 1 || got.Containers != 1 || got.Tasks["RUNNING"] != 1 {
			t.Errorf("namespace: %+v", got)
		}
	})

	t.Run("missing", func(t *testing.T) {
		_, err := c.DescribeContainer(ctx, ns, "nope")
		if !errors.Is(err, backend.ErrNotFound) || !strings.Contains(err.Error(), "describe container nope") {
			t.Errorf("container: %v, want ErrNotFound naming it", err)
		}
		_, err = c.DescribeImage(ctx, ns, "docker.io/library/nope:1")
		if !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("image: %v, want ErrNotFound", err)
		}
	})
}

func TestPickManifest(t *testing.T) {
	amd := ocispec.Descriptor{Digest: "sha256:amd", Platform: &ocispec.Platform{OS: "linux", Architecture: "amd64"}}
	arm := ocispec.Descriptor{Digest: "sha256:arm", Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64"}}
	att := ocispec.Descriptor{Digest: "sha256:att", Platform: &ocispec.Platform{OS: "unknown", Architecture: "unknown"}}
	bare := ocispec.Descriptor{Digest: "sha256:bare"}
	only := platforms.Only(ocispec.Platform{OS: "linux", Architecture: "amd64"})
	tests := []struct {
		name  string
		descs []ocispec.Descriptor
		want  string
	}{
		{"matching entry wins over order", []ocispec.Descriptor{arm, att, amd}, "sha256:amd"},
		{"attestations never match", []ocispec.Descriptor{att}, ""},
		{"no platform at all: the first", []ocispec.Descriptor{bare, att}, "sha256:bare"},
		{"a match beats a bare entry", []ocispec.Descriptor{bare, amd}, "sha256:amd"},
		{"nothing for this platform", []ocispec.Descriptor{arm}, ""},
	}
	for _, tt := range tests {
		got, ok := pickManifest(tt.descs, only)
		if string(got.Digest) != tt.want || ok != (tt.want != "") {
			t.Errorf("%s: %q %v, want %q", tt.name, got.Digest, ok, tt.want)
		}
	}
}

func TestAnyJSON(t *testing.T) {
	if got := anyJSON(nil); got != nil {
		t.Errorf("nil: %v", got)
	}
	raw := &anypb.Any{TypeUrl: "example.com/not.registered", Value: []byte{0x0a, 0x01, 0x78}}
	b, _ := json.Marshal(anyJSON(raw))
	if string(b) != `{"typeUrl":"example.com/not.registered","value":"CgF4"}` {
		t.Errorf("unknown type: %s", b)
	}
	js := &anypb.Any{TypeUrl: "example.com/json", Value: []byte(`{"a":1}`)}
	if b, _ := json.Marshal(anyJSON(js)); string(b) != `{"a":1}` {
		t.Errorf("json value: %s", b)
	}
}
