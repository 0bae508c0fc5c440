package registry

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctui/ctui/backend/testbed/registry"
)

// TestSecretsNeverInErrors drives every path where a password or token is
// at hand into failure and checks that neither the sentence, nor any cause
// in the chain (what --debug would print), nor Describe carries it. Decoder
// messages are the sneaky ones: YAML quotes the offending value.
func TestSecretsNeverInErrors(t *testing.T) {
	r := registry.New(t, registry.Options{User: "alice", Password: secret})
	push(t, r, "test/tiny", "v1", "secret")
	ref := r.Ref("test/tiny", "v1")

	helperDir := t.TempDir()
	writeFile(t, filepath.Join(helperDir, "docker-credential-leaky"),
		"#!/bin/sh\necho '{\"Username\":\"alice\",\"Secret\":\""+secret+"\"' \necho \""+secret+"\" >&2\nexit 1\n")
	os.Chmod(filepath.Join(helperDir, "docker-credential-leaky"), 0o755)
	t.Setenv("PATH", helperDir+":"+os.Getenv("PATH"))

	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, o *Options)
	}{
		{"wrong password in --creds", func(t *testing.T, o *Options) { o.Creds = "alice:x" + secret }},
		{"wrong password typed into ctui", func(t *testing.T, o *Options) {
			o.Logins = &Logins{}
			o.Logins.Set(r.Host, "alice", secret+"x")
		}},
		{"registries.yaml: auth is a string, not a map", func(t *testing.T, o *Options) {
			o.RegistriesYAML = []string{yamlFile(t, "configs:\n  \""+r.Host+"\":\n    auth: \""+secret+"\"\n")}
		}},
		{"registries.yaml: password is a list", func(t *testing.T, o *Options) {
			o.RegistriesYAML = []string{yamlFile(t, "configs:\n  \""+r.Host+"\":\n    auth:\n      username: alice\n      password: ["+secret+"]\n")}
		}},
		{"registries.yaml: auth is not base64", func(t *testing.T, o *Options) {
			o.RegistriesYAML = []string{yamlFile(t, "configs:\n  \""+r.Host+"\":\n    auth:\n      auth: \"!"+secret+"\"\n")}
		}},
		{"registries.yaml: base64 without a colon", func(t *testing.T, o *Options) {
			enc := base64.StdEncoding.EncodeToString([]byte(secret))
			o.RegistriesYAML = []string{yamlFile(t, "configs:\n  \""+r.Host+"\":\n    auth:\n      auth: "+enc+"\n")}
		}},
		{"config.json: broken JSON after the secret", func(t *testing.T, o *Options) {
			o.DockerConfig = filepath.Join(t.TempDir(), "config.json")
			writeFile(t, o.DockerConfig, `{"auths":{"`+r.Host+`":{"password":"`+secret+`", oops}}}`)
		}},
		{"config.json: password where an object belongs", func(t *testing.T, o *Options) {
			o.DockerConfig = filepath.Join(t.TempDir(), "config.json")
			writeFile(t, o.DockerConfig, `{"auths":{"`+r.Host+`":"`+secret+`"}}`)
		}},
		{"config.json: auth that is not base64", func(t *testing.T, o *Options) {
			o.DockerConfig = filepath.Join(t.TempDir(), "config.json")
			writeFile(t, o.DockerConfig, `{"auths":{"`+r.Host+`":{"auth":"!`+secret+`"}}}`)
		}},
		{"credential helper fails after printing the secret", func(t *testing.T, o *Options) {
			o.DockerConfig = filepath.Join(t.TempDir(), "config.json")
			writeFile(t, o.DockerConfig, `{"credsStore":"leaky"}`)
		}},
		{"hosts.toml with a token header and a syntax error", func(t *testing.T, o *Options) {
			writeHosts(t, o.HostsDirs[0], r.Host, "server = \""+r.URL+"\"\n[header]\n  Authorization = \"Bearer "+secret+"\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := isolated(t)
			tc.setup(t, &opts)
			_, res, err := fetch(t, ref, opts)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("%v", err)
			for e := err; e != nil; e = errors.Unwrap(e) {
				for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
					if strings.Contains(s, secret) {
						t.Fatalf("the secret is in the error chain (%T): %s", e, s)
					}
				}
			}
			if res != nil {
				if d := res.Describe(); strings.Contains(d, secret) {
					t.Fatalf("the secret is in Describe: %s", d)
				} else {
					t.Logf("Describe: %s", d)
				}
			}
		})
	}
}

func yamlFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "registries.yaml")
	writeFile(t, p, content)
	return p
}
