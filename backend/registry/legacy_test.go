package registry

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestLegacyHostsTOML: CRI's deprecated mirrors and configs.tls become one
// hosts.toml per host, in the directory containerd looks up, and read back
// through containerd's ConfigureHosts they give the endpoints CRI's legacy
// code tried: the mirrors in order, then the registry itself.
func TestLegacyHostsTOML(t *testing.T) {
	ca, _, _ := testPEMs(t)
	files, err := LegacyHostsTOML("/etc/containerd/config.toml",
		map[string][]string{
			"docker.io": {"https://mirror.example.com", "mirror2.example.com:5000"},
			"*":         {"https://any.example.com"},
		},
		map[string]TLSFiles{
			"mirror.example.com":   {CAFile: ca},
			"registry-1.docker.io": {InsecureSkipVerify: true},
		})
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for d := range files {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	if got := strings.Join(dirs, " "); got != "_default docker.io mirror.example.com" {
		t.Fatalf("directories %q, want _default docker.io mirror.example.com", got)
	}
	root := t.TempDir()
	for d, content := range files {
		if !strings.HasPrefix(content, "# Replaces CRI's deprecated registry.mirrors/configs in /etc/containerd/config.toml.\n") {
			t.Errorf("%s lacks its comment:\n%s", d, content)
		}
		writeFile(t, filepath.Join(root, d, "hosts.toml"), content)
	}
	if strings.Contains(files["_default"], "server") {
		t.Errorf("_default names a server (the requested host is the last resort):\n%s", files["_default"])
	}
	for _, tc := range []struct {
		ref  string
		want []string
	}{
		{"docker.io/library/busybox:1", []string{
			"https://mirror.example.com/v2 pull+resolve ca",
			"https://mirror2.example.com:5000/v2 pull+resolve",
			"https://registry-1.docker.io/v2 pull+resolve+push skip_verify",
		}},
		{"quay.example/app:1", []string{"https://any.example.com/v2 pull+resolve", "https://quay.example/v2 pull+resolve+push"}},
	} {
		res, err := Resolve(quiet(), tc.ref, Options{HostsDirs: []string{root}, RegistriesYAML: []string{}, DockerConfig: "-"})
		if err != nil {
			t.Fatal(err)
		}
		if got := endpointList(t, res); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: endpoints\n got %q\nwant %q", tc.ref, got, tc.want)
		}
	}
}
