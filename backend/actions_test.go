package backend

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCommandLines(t *testing.T) {
	local := Config{Address: "/run/containerd/containerd.sock", ImageEndpoint: "unix:///run/containerd/containerd.sock"}
	k3s := Config{Address: "/run/k3s/containerd/containerd.sock", ImageEndpoint: "unix:///run/k3s/containerd/containerd.sock"}
	const pw = "s3cret:pw"
	for _, tc := range []struct {
		name string
		a    Action
		cfg  Config
		ns   string
		want string
	}{
		{"pull defaults", PullOptions{Ref: "nginx"}, local, "default",
			"ctr images pull --hosts-dir /etc/containerd/certs.d docker.io/library/nginx:latest"},
		{"pull everything", PullOptions{Ref: "127.0.0.1:5000/app:v1", Platforms: []string{"linux/arm64"}, Snapshotter: "native",
			Registry: RegistryOptions{HostsDirs: []string{"/tmp/certs.d"}, PlainHTTP: true, Creds: "alice:" + pw}}, k3s, "k8s.io",
			"ctr --address /run/k3s/containerd/containerd.sock --namespace k8s.io images pull --plain-http --hosts-dir /tmp/certs.d --user alice --platform linux/arm64 --snapshotter native 127.0.0.1:5000/app:v1"},
		{"fetch only, all platforms", PullOptions{Ref: "busybox:1.36", NoUnpack: true, AllPlatforms: true, Registry: RegistryOptions{HostsDirs: []string{}}}, local, "",
			"ctr content fetch --all-platforms docker.io/library/busybox:1.36"},
		{"cri pull creds", CRIPullOptions{Ref: "r.example/app:v1", Creds: "bob:" + pw}, local, "k8s.io",
			"crictl --image-endpoint unix:///run/containerd/containerd.sock pull --creds 'bob:<password>' r.example/app:v1"},
		{"cri pull auth", CRIPullOptions{Ref: "r.example/app:v1", Auth: "Ym9iOnB3"}, local, "k8s.io",
			"crictl --image-endpoint unix:///run/containerd/containerd.sock pull --auth '<auth>' r.example/app:v1"},
		{"tag force", TagOptions{Source: "docker.io/library/busybox:latest", Target: "my/busy", Force: true}, local, "example",
			"ctr --namespace example images tag --force docker.io/library/busybox:latest docker.io/my/busy:latest"},
		{"import", ImportOptions{Path: "/tmp/my images.tar", BaseName: "foo/bar", Digests: true, IndexName: "idx", Platform: "linux/amd64", NoUnpack: true}, local, "default",
			"ctr images import --base-name foo/bar --digests --index-name idx --platform linux/amd64 --no-unpack '/tmp/my images.tar'"},
		{"export several", ExportOptions{Refs: []string{"a:1", "b:2"}, Path: "/tmp/o.tar", AllPlatforms: true, SkipManifestJSON: true}, local, "default",
			"ctr images export --all-platforms --skip-manifest-json /tmp/o.tar a:1 b:2"},
		{"push", PushOptions{Ref: "r.example/app:v2", Local: "docker.io/library/app:v2", Platform: "linux/amd64",
			Registry: RegistryOptions{HostsDirs: []string{}, Creds: "carol:" + pw}}, local, "default",
			"ctr images push --user carol --platform linux/amd64 r.example/app:v2 docker.io/library/app:v2"},
		{"pull after a login typed into ctui", PullOptions{Ref: "127.0.0.1:5000/app:v1",
			Registry: RegistryOptions{HostsDirs: []string{}, Logins: loginsOf{"127.0.0.1:5000": "dave"}}}, local, "default",
			"ctr images pull --user dave 127.0.0.1:5000/app:v1"},
		{"push elsewhere than the login", PushOptions{Ref: "r.example/app:v2",
			Registry: RegistryOptions{HostsDirs: []string{}, Logins: loginsOf{"127.0.0.1:5000": "dave"}}}, local, "default",
			"ctr images push r.example/app:v2"},
		{"rm sync", RemoveOptions{Refs: []string{"a:1", "b:2"}, Sync: true}, local, "default", "ctr images rm --sync a:1 b:2"},
		{"rmi", CRIRemoveOptions{ID: "sha256:abc"}, local, "k8s.io", "crictl --image-endpoint unix:///run/containerd/containerd.sock rmi sha256:abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.a.CommandLine(tc.cfg, tc.ns)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if strings.Contains(got, "s3cret") {
				t.Errorf("command line leaks the password: %s", got)
			}
		})
	}
}

// loginsOf is a LoginStore of user names by host.
type loginsOf map[string]string

func (l loginsOf) Set(host, user, _ string) { l[host] = user }
func (l loginsOf) Forget(host string)       { delete(l, host) }
func (l loginsOf) User(host string) string  { return l[host] }

func TestSubjectBeforeTheTargetIsKnown(t *testing.T) {
	for _, tc := range []struct {
		a    Action
		want string
	}{
		{TagOptions{Source: "a:1"}, "a:1"},
		{TagOptions{Source: "a:1", Target: "b:2"}, "a:1 -> b:2"},
		{ExportOptions{Refs: []string{"a:1", "b:2"}}, "a:1, b:2"},
		{ExportOptions{Refs: []string{"a:1"}, Path: "/tmp/a.tar"}, "a:1 -> /tmp/a.tar"},
	} {
		if got := tc.a.Subject(); got != tc.want {
			t.Errorf("%T subject %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestGuardRefusesUnderReadonly(t *testing.T) {
	if err := (Config{}).Guard(PullOptions{Ref: "x"}); err != nil {
		t.Fatal(err)
	}
	err := Config{Readonly: true}.Guard(RemoveOptions{Refs: []string{"busybox"}})
	if !errors.Is(err, ErrReadonly) || !strings.Contains(err.Error(), "remove busybox") || !strings.Contains(err.Error(), "--readonly") {
		t.Errorf("guard: %v", err)
	}
	// A read-only context: the sentence names it, not --readonly.
	err = Config{Readonly: true, ReadonlyContext: "prod of /home/u/.config/ctui/config.yaml"}.Guard(PullOptions{Ref: "busybox"})
	if want := "pull busybox: context prod of /home/u/.config/ctui/config.yaml is read-only (readonly: true), which allows no changes to the node; set readonly: false in that context to pull"; !errors.Is(err, ErrReadonly) || err.Error() != want {
		t.Errorf("guard under a read-only context: %v\nwant %s", err, want)
	}
}

func TestProgressMath(t *testing.T) {
	t0 := time.Unix(1000, 0)
	p := Progress{Done: 50 << 20, Total: 200 << 20, Start: t0, Now: t0.Add(5 * time.Second), Rate: 10 << 20}
	if eta, ok := p.ETA(); !ok || eta != 15*time.Second {
		t.Errorf("ETA %v %v, want 15s", eta, ok)
	}
	if f := p.Fraction(); f != 0.25 {
		t.Errorf("fraction %v", f)
	}
	if r := p.AverageRate(); r != float64(10<<20) {
		t.Errorf("average rate %v", r)
	}
	if _, ok := (Progress{Done: 5}).ETA(); ok {
		t.Error("ETA without a total")
	}
	if (Progress{}).Fraction() != -1 {
		t.Error("fraction without a total")
	}

	var m RateMeter
	m.Window = 2 * time.Second
	var r float64
	for i := 0; i <= 40; i++ { // 10 MB/s for 4 s, sampled every 100 ms
		r = m.Observe(t0.Add(time.Duration(i)*100*time.Millisecond), int64(i)*1_000_000)
	}
	if r < 9.9e6 || r > 10.1e6 {
		t.Errorf("rate %v, want 10 MB/s", r)
	}
	for i := 41; i <= 80; i++ { // then a stall: the rate falls to 0 within the window
		r = m.Observe(t0.Add(time.Duration(i)*100*time.Millisecond), 40_000_000)
	}
	if r != 0 {
		t.Errorf("rate after a stall %v, want 0", r)
	}
}

func TestLatestProgressNeverBlocks(t *testing.T) {
	report, ch := LatestProgress()
	for i := range 100 {
		report(Progress{Done: int64(i)})
	}
	if p := <-ch; p.Done != 99 {
		t.Errorf("got %d, want the newest (99)", p.Done)
	}
}

func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                    "docker.io/library/nginx:latest",
		"alpine:3.20":              "docker.io/library/alpine:3.20",
		"ghcr.io/a/b":              "ghcr.io/a/b:latest",
		"127.0.0.1:5000/x/y:v1":    "127.0.0.1:5000/x/y:v1",
		"localhost/test/busybox":   "localhost/test/busybox:latest",
		"  docker.io/library/x:1 ": "docker.io/library/x:1",
	} {
		if got, err := NormalizeRef(in); err != nil || got != want {
			t.Errorf("NormalizeRef(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lower/UPPER", "a//b", strings.Repeat("b", 64), "sha256:" + strings.Repeat("a", 64)} {
		if _, err := NormalizeRef(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("NormalizeRef(%q): %v, want ErrInvalid", bad, err)
		}
	}
}
