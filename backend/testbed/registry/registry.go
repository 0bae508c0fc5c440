// Package registry runs Debian's distribution registry (/usr/bin/docker-registry)
// on loopback for tests: plain HTTP, htpasswd basic auth, TLS with a CA made
// by the test, and TLS that demands client certificates. Pull and push code
// is tested against the real server, so the HTTP, auth and TLS behaviour the
// resolver meets is the one a node meets, not a fake's idea of it.
package registry

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary is where Debian's docker-registry package installs the registry.
const Binary = "/usr/bin/docker-registry"

// Options choose the registry variant.
type Options struct {
	// User and Password turn on htpasswd basic auth (bcrypt, as
	// `htpasswd -B` writes it).
	User, Password string
	// TLS serves HTTPS with a server certificate signed by a CA of this
	// registry's own (Registry.CAFile).
	TLS bool
	// TLSNames are the names the server certificate is valid for; IPs
	// become IP SANs. Default: 127.0.0.1 and localhost. Set it to
	// something else to provoke a hostname mismatch.
	TLSNames []string
	// ClientCerts makes the registry demand a client certificate signed
	// by its CA (implies TLS); Registry.ClientCert/ClientKey hold one.
	ClientCerts bool
}

// Registry is a running registry. Host is what goes into an image
// reference (127.0.0.1:PORT); URL is its base URL with scheme.
type Registry struct {
	Host string
	URL  string
	Dir  string // config, storage, certificates and the log

	User, Password string

	CAFile     string // PEM of the CA that signed the server certificate (TLS only)
	ClientCert string // client certificate and key (ClientCerts only)
	ClientKey  string

	cmd  *exec.Cmd
	done chan struct{}
	tls  *tls.Config
}

// New starts a registry for a test and stops it at cleanup. It skips the
// test when the binary is not installed, so `go test ./...` stays usable on
// a developer laptop; on the lab machines it is there.
func New(t testing.TB, opts Options) *Registry {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a registry (skipped under -short)")
	}
	if _, err := os.Stat(Binary); err != nil {
		t.Skipf("%s not installed (apt-get install docker-registry)", Binary)
	}
	r, err := Start(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("stop registry: %v", err)
		}
	})
	return r
}

// Start runs a registry with its files under dir and waits until it
// answers on /v2/. A port picked free can be taken by someone else before
// the registry binds it, so a failed bind is retried on a new port.
func Start(dir string, opts Options) (*Registry, error) {
	if opts.ClientCerts {
		opts.TLS = true
	}
	r := &Registry{Dir: dir, User: opts.User, Password: opts.Password}
	if opts.TLS {
		if err := r.makeCerts(opts); err != nil {
			return nil, err
		}
	}
	if opts.User != "" {
		if err := r.writeHtpasswd(); err != nil {
			return nil, err
		}
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		r.Host = fmt.Sprintf("127.0.0.1:%d", port)
		scheme := "http"
		if opts.TLS {
			scheme = "https"
		}
		r.URL = scheme + "://" + r.Host
		if lastErr = r.run(opts); lastErr == nil {
			return r, nil
		}
	}
	return nil, lastErr
}

func (r *Registry) run(opts Options) error {
	cfg := r.config(opts)
	cfgPath := filepath.Join(r.Dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	logPath := filepath.Join(r.Dir, "registry.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(Binary, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	r.cmd, r.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(r.done) }()

	client := r.Client()
	client.Timeout = time.Second
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			return fmt.Errorf("registry exited at start: %s", tail(logPath))
		default:
		}
		resp, err := client.Get(r.URL + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = r.Close()
	return fmt.Errorf("registry at %s not answering after 15s: %s", r.URL, tail(logPath))
}

func (r *Registry) config(opts Options) string {
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	var b strings.Builder
	fmt.Fprintf(&b, "version: 0.1\n")
	fmt.Fprintf(&b, "log:\n  level: warn\n  accesslog:\n    disabled: true\n")
	fmt.Fprintf(&b, "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n", filepath.Join(r.Dir, "data"))
	fmt.Fprintf(&b, "  maintenance:\n    uploadpurging:\n      enabled: false\n")
	fmt.Fprintf(&b, "http:\n  addr: %s\n  secret: %s\n", r.Host, hex.EncodeToString(secret))
	if opts.TLS {
		fmt.Fprintf(&b, "  tls:\n    certificate: %s\n    key: %s\n",
			filepath.Join(r.Dir, "server.crt"), filepath.Join(r.Dir, "server.key"))
		if opts.ClientCerts {
			fmt.Fprintf(&b, "    clientcas:\n      - %s\n", r.CAFile)
		}
	}
	if opts.User != "" {
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: ctui-test\n    path: %s\n", filepath.Join(r.Dir, "htpasswd"))
	}
	return b.String()
}

func (r *Registry) writeHtpasswd() error {
	out, err := exec.Command("htpasswd", "-Bbn", r.User, r.Password).Output()
	if err != nil {
		return fmt.Errorf("htpasswd (apache2-utils) for the test registry: %w", err)
	}
	return os.WriteFile(filepath.Join(r.Dir, "htpasswd"), bytes.TrimSpace(out), 0o600)
}

// Close stops the registry by its pid and waits for it to exit.
func (r *Registry) Close() error {
	if r.cmd == nil || r.cmd.Process == nil {
		return nil
	}
	select {
	case <-r.done:
		return nil
	default:
	}
	_ = r.cmd.Process.Kill()
	select {
	case <-r.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("registry pid %d did not exit", r.cmd.Process.Pid)
	}
}

// Client is an HTTP client that trusts the registry's CA and presents its
// client certificate, for the harness's own pushes and checks.
func (r *Registry) Client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = r.tls
	return &http.Client{Transport: tr}
}

// Ref is a full reference to repo:tag on this registry.
func (r *Registry) Ref(repo, tag string) string {
	return r.Host + "/" + repo + ":" + tag
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// DownHost returns a 127.0.0.1:PORT nobody listens on, as a mirror that is
// down: connecting to it is refused at once, so fallback tests stay fast.
func DownHost() (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("127.0.0.1:%d", port), nil
}

// HostDirName is the directory name containerd looks up for a host under a
// certs.d root: a port is written _port_ (127.0.0.1:5000 -> 127.0.0.1_5000_).
func HostDirName(host string) string {
	if i := strings.LastIndex(host, ":"); i > 0 {
		return host[:i] + "_" + host[i+1:] + "_"
	}
	return host
}

// WriteHostsTOML writes root/<host dir>/hosts.toml with the given content
// and returns the host directory. host may be "_default".
func WriteHostsTOML(root, host, content string) (string, error) {
	dir := filepath.Join(root, HostDirName(host))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "hosts.toml"), []byte(content), 0o644)
}

// HostsTOML is a hosts.toml for this registry as its server, trusting its
// CA when it has one (and presenting its client certificate when it asks
// for one); extra is appended verbatim (mirrors, headers).
func (r *Registry) HostsTOML(extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "server = %q\n", r.URL)
	if r.CAFile != "" {
		fmt.Fprintf(&b, "ca = %q\n", r.CAFile)
	}
	if r.ClientCert != "" {
		fmt.Fprintf(&b, "client = [[%q, %q]]\n", r.ClientCert, r.ClientKey)
	}
	b.WriteString(extra)
	return b.String()
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	if s == "" {
		return "(empty log)"
	}
	return s
}

var errStatus = errors.New("unexpected registry status")

func statusErr(resp *http.Response, what string) error {
	body := make([]byte, 512)
	n, _ := resp.Body.Read(body)
	return fmt.Errorf("%w: %s: %s: %s", errStatus, what, resp.Status, strings.TrimSpace(string(body[:n])))
}
