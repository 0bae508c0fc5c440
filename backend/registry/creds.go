package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ctui/ctui/backend"
)

// Logins are credentials the operator typed into ctui during this session
// (the masked dialog shown after ErrNeedPassword or ErrAuth), by registry
// host. The UI sets them while a pull's resolver may be reading them, so
// they are guarded. The zero value is ready to use.
type Logins struct {
	mu sync.Mutex
	m  map[string]credential
}

// Set remembers username and secret for host (as named in the error that
// asked for them). An empty username with a secret is an identity token.
func (l *Logins) Set(host, username, secret string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]credential{}
	}
	l.m[host] = credential{user: username, secret: secret, source: "the login typed into ctui"}
}

// Forget drops what Set remembered for host, after the registry refused it.
func (l *Logins) Forget(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, host)
}

// User is the user name Set remembered for host (or an alias of it), ""
// when none: command lines name it, never the secret.
func (l *Logins) User(host string) string {
	c, _ := l.get(host)
	return c.user
}

func (l *Logins) get(host string) (credential, bool) {
	if l == nil {
		return credential{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, h := range hostAliases(host) {
		if c, ok := l.m[h]; ok {
			return c, true
		}
	}
	return credential{}, false
}

// credential is what one source answered for a host. String never shows
// the secret, so a credential printed by mistake leaks nothing.
type credential struct {
	user, secret string
	source       string // "--creds", a file path, "docker-credential-pass", ...
}

func (c credential) String() string {
	switch {
	case c.user != "":
		return fmt.Sprintf("user %s from %s", c.user, c.source)
	case c.secret != "":
		return "an identity token from " + c.source
	}
	return "none found"
}

// ParseCreds splits a `--creds` value as `ctr -u` and `crictl --creds` take
// it: "user:password", or "user" (also "user:") when the password is to be
// asked for. needPassword is true in that case.
func ParseCreds(s string) (user, password string, needPassword bool) {
	if s == "" {
		return "", "", false
	}
	user, password, _ = strings.Cut(s, ":")
	return user, password, password == ""
}

// credentials answers containerd's authorizer, which asks for the host it
// is talking to (a mirror's host, not only the image's registry) when that
// host asks for authentication. Sources, first answer wins:
//  1. --creds: for every host, as ctr -u and crictl --creds (no
//     ServerAddress) send it;
//  2. Logins typed into ctui this session, since the operator just gave
//     them in answer to this very registry;
//  3. configs.<host>.auth in registries.yaml, as k3s's containerd has them;
//  4. ~/.docker/config.json: credHelpers, else credsStore, else auths.
//
// Every answer and every skipped source is remembered (without secrets) for
// Describe and for the 401 sentence.
type credentials struct {
	explicit   *credential
	logins     *Logins
	registries []*registriesFile
	dockerPath string

	mu        sync.Mutex
	docker    *dockerConfig
	dockerErr error
	used      map[string]credential // host -> what was sent
	skipped   []string              // sentences: which source could not be used and why
}

func (c *credentials) lookup(host string) (string, string, error) {
	cred, err := c.find(host)
	if err != nil {
		return "", "", err
	}
	c.mu.Lock()
	if c.used == nil {
		c.used = map[string]credential{}
	}
	c.used[host] = cred
	c.mu.Unlock()
	return cred.user, cred.secret, nil
}

func (c *credentials) find(host string) (credential, error) {
	if c.explicit != nil {
		return *c.explicit, nil
	}
	if cred, ok := c.logins.get(host); ok {
		return cred, nil
	}
	for _, f := range c.registries {
		user, secret, ok, err := f.auth(host)
		if err != nil {
			return credential{}, err
		}
		if ok {
			return credential{user: user, secret: secret, source: f.Path}, nil
		}
	}
	return c.fromDocker(host)
}

// sent says what was sent to host, if anything was asked for.
func (c *credentials) sent(host string) (credential, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cred, ok := c.used[host]
	return cred, ok
}

func (c *credentials) skip(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	for _, s := range c.skipped {
		if s == msg {
			return
		}
	}
	c.skipped = append(c.skipped, msg)
}

func (c *credentials) notes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.skipped...)
}

// sources names where credentials were looked for, for "none were found".
func (c *credentials) sources() string {
	var s []string
	if c.logins != nil {
		s = append(s, "logins typed into ctui")
	}
	for _, f := range c.registries {
		s = append(s, f.Path)
	}
	if c.dockerPath != "" {
		s = append(s, c.dockerPath)
	}
	if len(s) == 0 {
		return "no credential sources are configured"
	}
	return "looked in " + strings.Join(s, ", ")
}

// dockerConfig is the part of ~/.docker/config.json that holds credentials.
type dockerConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		IdentityToken string `json:"identitytoken"`
	} `json:"auths"`
	CredsStore  string            `json:"credsStore"`
	CredHelpers map[string]string `json:"credHelpers"`
}

// DefaultDockerConfig is where docker login writes: $DOCKER_CONFIG/config.json,
// else ~/.docker/config.json. "" when neither can be named.
func DefaultDockerConfig() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return filepath.Join(d, "config.json")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".docker", "config.json")
	}
	return ""
}

func (c *credentials) loadDocker() (*dockerConfig, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docker != nil || c.dockerErr != nil || c.dockerPath == "" {
		return c.docker, c.dockerErr
	}
	b, err := os.ReadFile(c.dockerPath)
	switch {
	case os.IsNotExist(err):
		c.docker = &dockerConfig{}
	case err != nil:
		c.dockerErr = backend.Errorf(backend.ErrPermission, "cannot read %s: %s", c.dockerPath, redact(err.Error()))
	default:
		var dc dockerConfig
		if err := json.Unmarshal(b, &dc); err != nil {
			c.dockerErr = backend.Errorf(backend.ErrInvalid, "%s cannot be read: %s", c.dockerPath, jsonProblem(err))
		} else {
			c.docker = &dc
		}
	}
	return c.docker, c.dockerErr
}

func (c *credentials) fromDocker(host string) (credential, error) {
	dc, err := c.loadDocker()
	if err != nil {
		c.skip("%s", err.Error())
		return credential{}, nil
	}
	if dc == nil {
		return credential{}, nil
	}
	aliases := hostAliases(host)
	helper := dc.CredsStore
	for _, h := range aliases {
		if name, ok := dc.CredHelpers[h]; ok {
			helper = name
			break
		}
	}
	if helper != "" {
		cred, ok := c.fromHelper(helper, host)
		if ok {
			return cred, nil
		}
	}
	for key, a := range dc.Auths {
		if !matchesHost(key, aliases) {
			continue
		}
		switch {
		case a.IdentityToken != "":
			return credential{user: a.Username, secret: a.IdentityToken, source: c.dockerPath}, nil
		case a.Auth != "":
			u, p, err := decodeAuth(a.Auth)
			if err != nil {
				c.skip("the auths entry for %s in %s %s", key, c.dockerPath, err.Error())
				continue
			}
			return credential{user: u, secret: p, source: c.dockerPath}, nil
		case a.Username != "":
			return credential{user: a.Username, secret: a.Password, source: c.dockerPath}, nil
		}
	}
	return credential{}, nil
}

// fromHelper runs docker-credential-<name> get, as docker does: the server
// URL on stdin, JSON {Username, Secret} on stdout; "<token>" as the user
// means Secret is an identity token. A helper that is not installed, fails
// or knows nothing is skipped with a reason (never its output: that holds
// the secret).
func (c *credentials) fromHelper(name, host string) (credential, bool) {
	bin := "docker-credential-" + name
	path, err := exec.LookPath(bin)
	if err != nil {
		c.skip("%s names credential helper %q, but %s is not on PATH", c.dockerPath, name, bin)
		return credential{}, false
	}
	server := host
	if isDockerHub(host) {
		server = "https://index.docker.io/v1/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "get")
	cmd.Stdin = strings.NewReader(server)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		out := strings.ToLower(stdout.String() + stderr.String())
		if strings.Contains(out, "credentials not found") {
			return credential{}, false
		}
		var exit *exec.ExitError
		why := "could not run"
		if errors.As(err, &exit) {
			why = fmt.Sprintf("exited with status %d", exit.ExitCode())
		} else if ctx.Err() != nil {
			why = "did not answer in 30s"
		}
		c.skip("%s get for %s %s", bin, server, why)
		return credential{}, false
	}
	var resp struct {
		Username string `json:"Username"`
		Secret   string `json:"Secret"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		c.skip("%s get for %s answered something that is not JSON", bin, server)
		return credential{}, false
	}
	if resp.Username == "<token>" {
		return credential{secret: resp.Secret, source: bin}, true
	}
	return credential{user: resp.Username, secret: resp.Secret, source: bin}, true
}

// matchesHost compares a config.json auths key ("https://index.docker.io/v1/",
// "registry.example.com", "http://host:5000/v2/") with a host by its host
// part, as docker's ConvertToHostname does.
func matchesHost(key string, aliases []string) bool {
	h := key
	if strings.Contains(h, "://") {
		if u, err := url.Parse(h); err == nil {
			h = u.Host
		}
	}
	h, _, _ = strings.Cut(h, "/")
	for _, a := range aliases {
		if h == a {
			return true
		}
	}
	return false
}

// hostAliases is host and, for Docker Hub, its other names: containerd
// talks to registry-1.docker.io, docker login writes index.docker.io, k3s
// and operators write docker.io.
func hostAliases(host string) []string {
	if isDockerHub(host) {
		return []string{host, "docker.io", "registry-1.docker.io", "index.docker.io"}
	}
	return []string{host}
}

func isDockerHub(host string) bool {
	switch host {
	case "docker.io", "registry-1.docker.io", "index.docker.io":
		return true
	}
	return false
}

// jsonProblem says where a config.json is broken, built from offsets and
// type names only: the file holds passwords.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s is a JSON %s where %s belongs (byte %d)", typ.Field, typ.Value, jsonKind(typ.Type.Kind().String()), typ.Offset)
	}
	return "invalid JSON"
}

func jsonKind(k string) string {
	switch k {
	case "struct", "map":
		return "an object"
	case "slice":
		return "a list"
	}
	return "a " + k
}
