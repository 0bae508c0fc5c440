package doctor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// TestLegacyRegistryFireAndClear: CRI's deprecated registry.mirrors and
// registry.configs (tls, auth), on real daemons started with them in each
// config schema (version 2 on 1.6; version 3 and a migrated version 2 on
// 2.x). The registry check names the hosts.toml that replaces each
// setting; written where it says, with config_path, the same pulls work
// and the check clears. What the daemons do is checked beside the verdict:
// 1.6 pulls through the deprecated mirror, 2.x ignores configs.tls (the
// pull fails its TLS handshake), both refuse mirrors with config_path, 1.6
// refuses configs.tls with config_path.
func TestLegacyRegistryFireAndClear(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The mirror: TLS with a CA of its own, reached as registry.invalid.
	mirror := testreg.New(t, testreg.Options{TLS: true})
	if _, err := mirror.PushTiny(ctx, "test/pause", "3.10", "pause"); err != nil {
		t.Fatal(err)
	}
	// A registry that wants a login, given in registry.configs.<host>.auth.
	const password = "s3cret-pw"
	private := testreg.New(t, testreg.Options{User: "puller", Password: password})
	if _, err := private.PushTiny(ctx, "test/app", "1", "app"); err != nil {
		t.Fatal(err)
	}
	const viaMirror = "registry.invalid/test/pause:3.10"
	fromPrivate := private.Ref("test/app", "1")

	type layout struct {
		name    string
		v, l    testbed.Version
		table   string // the registry table in the file's schema
		pullOK  bool   // the deprecated mirror with its configs.tls CA pulls
		verdict doctor.Status
	}
	layouts := []layout{
		{"1.6 version 2", testbed.V16, testbed.V16, `plugins."io.containerd.grpc.v1.cri".registry`, true, doctor.WARN},
		{"2.x version 3", testbed.V2, testbed.V2, `plugins."io.containerd.cri.v1.images".registry`, false, doctor.FAIL},
		{"2.x version 2", testbed.V2, testbed.V16, `plugins."io.containerd.grpc.v1.cri".registry`, false, doctor.FAIL},
	}
	for _, lo := range layouts {
		t.Run(lo.name, func(t *testing.T) {
			t.Parallel()
			mirrors := fmt.Sprintf("[%s.mirrors.\"registry.invalid\"]\n  endpoint = [%q]\n", lo.table, mirror.URL)
			tls := fmt.Sprintf("[%s.configs.%q.tls]\n  ca_file = %q\n", lo.table, mirror.Host, mirror.CAFile)
			auth := fmt.Sprintf("[%s.configs.%q.auth]\n  username = %q\n  password = %q\n", lo.table, private.Host, private.User, password)
			start := func(t *testing.T, extra string, opts ...testbed.Option) *node {
				// The test bed's 1.6-schema config sets config_path;
				// these configs say themselves whether they have one.
				drop := testbed.WithConfigEdit(func(s string) string {
					return strings.Replace(s, "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n", "", 1)
				})
				opts = append(opts, drop, testbed.WithConfigExtra(extra))
				if lo.l != lo.v {
					opts = append(opts, testbed.WithConfigVersion2())
				}
				n := startNodeLayout(t, lo.v, lo.l, opts...)
				n.expose(filepath.Dir(mirror.CAFile))
				return n
			}

			// The deprecated settings alone.
			n := start(t, mirrors+tls+auth)
			f := n.run("registry")
			parts := []string{
				"config.toml:", `[` + lo.table + `.mirrors."registry.invalid"]`,
				`[` + lo.table + `.configs."` + mirror.Host + `".tls]`,
				`registry.configs."` + private.Host + `".auth (credentials not shown)`,
				"Write /etc/containerd/certs.d/registry.invalid/hosts.toml:\n",
				"server = \"https://registry.invalid/v2\"\n",
				"[host.\"" + mirror.URL + "/v2\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = [\"" + mirror.CAFile + "\"]\n",
				"Remove the registry.mirrors tables and the tls tables of registry.configs.",
				"keep registry.configs.\"<host>\".auth", "imagePullSecret",
				"[" + lo.table + "]\n  config_path = \"/etc/containerd/certs.d\"", "systemctl restart containerd",
			}
			if lo.v == testbed.V16 {
				hosts := []string{mirror.Host, private.Host}
				sort.Strings(hosts)
				parts = append(parts, "deprecated registry.mirrors (registry.invalid), registry.configs ("+strings.Join(hosts, ", ")+")")
			} else {
				parts = append(parts, "ignores registry.configs.<host>.tls ("+mirror.Host+")",
					"ctr deprecations list: io.containerd.deprecation/cri-registry-mirrors",
					"ctr deprecations list: io.containerd.deprecation/cri-registry-configs")
			}
			want(t, f, lo.verdict, parts...)
			for _, fd := range n.runAll() {
				if strings.Contains(show(fd), password) {
					t.Errorf("%s shows the password:\n%s", fd.Check, show(fd))
				}
			}
			// What the daemon does with them.
			_, err := n.criPull(viaMirror, "")
			switch {
			case lo.pullOK && err != nil:
				t.Errorf("1.6 does not pull through its deprecated mirror: %v", err)
			case !lo.pullOK && (err == nil || !strings.Contains(err.Error(), "certificate")):
				t.Errorf("2.x pulled through the mirror without the CA configs.tls names, or failed otherwise: %v", err)
			}
			if _, err := n.criPull(fromPrivate, ""); err != nil {
				t.Errorf("configs.auth is not used: %v", err)
			}
			files := hostsFiles(t, f.Fix)
			if len(files) != 2 || files["registry.invalid"] == "" || files[testreg.HostDirName(mirror.Host)] == "" {
				t.Fatalf("the fix writes %d hosts.toml files, want registry.invalid and %s:\n%s", len(files), testreg.HostDirName(mirror.Host), f.Fix)
			}

			// The fix applied, keeping configs.auth as it says: the
			// pulls work, only the deprecated auth is left.
			cp := fmt.Sprintf("[%s]\n  config_path = \"{{.Dir}}/certs.d\"\n", lo.table)
			n = start(t, cp+auth)
			n.writeHosts(files)
			f = n.run("registry")
			want(t, f, doctor.WARN, "deprecated registry.configs ("+private.Host+")", "hosts.toml holds no credentials", "config_path stays "+filepath.Join(n.d.Dir, "certs.d"))
			if strings.Contains(f.Fix, "Write ") || strings.Contains(f.Fix, "Remove ") {
				t.Errorf("nothing is left to write or remove:\n%s", show(f))
			}
			if _, err := n.criPull(viaMirror, ""); err != nil {
				t.Errorf("the hosts.toml the fix writes does not pull through the mirror: %v", err)
			}
			if _, err := n.criPull(fromPrivate, ""); err != nil {
				t.Errorf("configs.auth beside config_path is not used: %v", err)
			}

			// Credentials in the pull (an imagePullSecret) instead: it clears.
			n = start(t, cp)
			n.writeHosts(files)
			want(t, n.run("registry"), doctor.OK)
			if _, err := n.criPull(viaMirror, ""); err != nil {
				t.Errorf("pull through the mirror: %v", err)
			}
			if _, err := n.criPull(fromPrivate, private.User+":"+password); err != nil {
				t.Errorf("pull with the credentials in the request: %v", err)
			}
		})
	}

	// Refused combinations: CRI does not load, and both checks say why.
	for _, v := range testbed.Versions() {
		t.Run(string(v)+" refused", func(t *testing.T) {
			t.Parallel()
			table := `plugins."io.containerd.grpc.v1.cri".registry`
			if v == testbed.V2 {
				table = `plugins."io.containerd.cri.v1.images".registry`
			}
			cp := fmt.Sprintf("[%s]\n  config_path = \"/etc/containerd/certs.d\"\n", table)
			drop := testbed.WithConfigEdit(func(s string) string {
				return strings.Replace(s, "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n", "", 1)
			})
			n := startNode(t, v, drop, testbed.WithoutCRIWait(), testbed.WithConfigExtra(cp+
				fmt.Sprintf("[%s.mirrors.\"registry.invalid\"]\n  endpoint = [%q]\n", table, mirror.URL)))
			want(t, n.run("registry"), doctor.FAIL, "registry.mirrors and config_path are both set", "config_path = \"/etc/containerd/certs.d\"",
				"Write /etc/containerd/certs.d/registry.invalid/hosts.toml:", "config_path stays /etc/containerd/certs.d")
			want(t, n.run("cri-plugin"), doctor.FAIL, "`mirrors` cannot be set when `config_path` is provided")

			n = startNode(t, v, drop, testbed.WithoutCRIWait(), testbed.WithConfigExtra(cp+
				fmt.Sprintf("[%s.configs.%q.tls]\n  ca_file = %q\n", table, mirror.Host, mirror.CAFile)))
			if v == testbed.V16 {
				want(t, n.run("registry"), doctor.FAIL, "registry.configs.<host>.tls ("+mirror.Host+") and config_path are both set: containerd 1.x refuses",
					"Write /etc/containerd/certs.d/"+testreg.HostDirName(mirror.Host)+"/hosts.toml:", "ca = [\""+mirror.CAFile+"\"]")
				want(t, n.run("cri-plugin"), doctor.FAIL, "`configs.tls` cannot be set when `config_path` is provided")
			} else {
				want(t, n.run("registry"), doctor.FAIL, "ignores registry.configs.<host>.tls ("+mirror.Host+")")
				want(t, n.run("cri-plugin"), doctor.OK)
			}
		})
	}
}

// criPull pulls through the daemon's CRI, as kubelet does; creds is
// "user:password" for the request (an imagePullSecret), or "".
func (n *node) criPull(ref, creds string) (string, error) {
	n.t.Helper()
	p, ok := n.b.CRI.(interface {
		PullImage(context.Context, backend.CRIPullOptions) (string, error)
	})
	if !ok {
		n.t.Fatalf("the CRI backend cannot pull (%v)", n.b.CRIErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return p.PullImage(ctx, backend.CRIPullOptions{Ref: ref, Creds: creds})
}

// hostsFiles reads the "Write <certs.d>/<dir>/hosts.toml:" blocks of a fix,
// by directory.
func hostsFiles(t *testing.T, fix string) map[string]string {
	t.Helper()
	out := map[string]string{}
	dir, body := "", []string{}
	flush := func() {
		if dir != "" {
			out[dir] = strings.Join(body, "\n") + "\n"
		}
		dir, body = "", nil
	}
	for _, l := range strings.Split(fix, "\n") {
		switch {
		case strings.HasPrefix(l, "Write ") && strings.HasSuffix(l, "/hosts.toml:"):
			flush()
			dir = filepath.Base(filepath.Dir(strings.TrimSuffix(strings.TrimPrefix(l, "Write "), ":")))
		case strings.HasPrefix(l, "In "):
			flush()
		case dir != "":
			body = append(body, l)
		}
	}
	flush()
	return out
}

// expose shows doctor a directory of this machine at the same path on the
// node (the registry's CA and keys, in the test's temp dir).
func (n *node) expose(dir string) {
	n.t.Helper()
	must(n.t, os.MkdirAll(filepath.Dir(n.path(dir)), 0o755))
	must(n.t, os.Symlink(dir, n.path(dir)))
}

// writeHosts writes hosts.toml files into the daemon's certs.d (its
// config_path here), where doctor sees them through the root too.
func (n *node) writeHosts(files map[string]string) {
	n.t.Helper()
	certs := filepath.Join(n.d.Dir, "certs.d")
	must(n.t, os.MkdirAll(certs, 0o755))
	if _, err := os.Lstat(n.path(certs)); err != nil {
		must(n.t, os.Symlink(certs, n.path(certs)))
	}
	for dir, content := range files {
		must(n.t, os.MkdirAll(filepath.Join(certs, dir), 0o755))
		must(n.t, os.WriteFile(filepath.Join(certs, dir, "hosts.toml"), []byte(content), 0o644))
	}
}
