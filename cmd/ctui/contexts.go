package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/ctui/ctui/backend/remote"
)

// envContext names the context to use, as --context does.
const envContext = "CTUI_CONTEXT"

// ctuiConfig is ~/.config/ctui/config.yaml: named contexts, one per node
// (or per namespace of a node), k9s-style.
//
//	current-context: node1
//	contexts:
//	  - name: node1
//	    endpoint: ssh://admin@node1.example.com?sudo
//	    namespace: k8s.io
//	    readonly: true
type ctuiConfig struct {
	CurrentContext string        `json:"current-context,omitempty"`
	Contexts       []ctuiContext `json:"contexts"`
}

// ctuiContext is one named way to reach a node: the same settings as the
// flags of the same names.
type ctuiContext struct {
	Name            string `json:"name"`
	Endpoint        string `json:"endpoint,omitempty"` // -a: a socket, unix://, or ssh://
	Namespace       string `json:"namespace,omitempty"`
	RuntimeEndpoint string `json:"runtime-endpoint,omitempty"`
	ImageEndpoint   string `json:"image-endpoint,omitempty"`
	// Sudo runs the node's side of an ssh:// endpoint through sudo -n
	// (as ?sudo in the endpoint).
	Sudo bool `json:"sudo,omitempty"`
	// Readonly refuses every action that changes the node, as --readonly.
	Readonly bool `json:"readonly,omitempty"`
}

// ctuiConfigPath is $XDG_CONFIG_HOME/ctui/config.yaml, else
// ~/.config/ctui/config.yaml.
func ctuiConfigPath(getenv env) string {
	if d, ok := getenv("XDG_CONFIG_HOME"); ok && d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ctui", "config.yaml")
	}
	home, _ := getenv("HOME")
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "ctui", "config.yaml")
}

// loadCtuiConfig reads config.yaml; a missing file is an empty config.
func loadCtuiConfig(path string) (ctuiConfig, error) {
	var c ctuiConfig
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("%s: %v", path, err)
	}
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return c, fmt.Errorf("%s: %v", path, err)
	}
	seen := map[string]bool{}
	for i, x := range c.Contexts {
		if x.Name == "" {
			return c, fmt.Errorf("%s: context %d has no name", path, i+1)
		}
		if seen[x.Name] {
			return c, fmt.Errorf("%s: context %q is named twice", path, x.Name)
		}
		seen[x.Name] = true
		if x.Sudo && x.Endpoint != "" && !remote.IsSSH(x.Endpoint) {
			return c, fmt.Errorf("%s: context %q: sudo applies to ssh:// endpoints only", path, x.Name)
		}
	}
	return c, nil
}

// resolveContext finds the context to use: --context, else CTUI_CONTEXT,
// else the file's current-context; nil when none is chosen. Every
// subcommand (the navigator, version, doctor) calls it through buildConfig,
// so a context means the same node everywhere. source says what chose it.
func resolveContext(flagName string, getenv env) (c *ctuiContext, source string, err error) {
	path := ctuiConfigPath(getenv)
	name, source := flagName, "flag --context"
	if name == "" {
		if v, ok := getenv(envContext); ok && v != "" {
			name, source = v, "env "+envContext
		}
	}
	file, err := loadCtuiConfig(path)
	if err != nil {
		return nil, "", err
	}
	if name == "" && file.CurrentContext != "" {
		name, source = file.CurrentContext, path+" current-context"
	}
	if name == "" {
		return nil, "", nil
	}
	for i := range file.Contexts {
		if file.Contexts[i].Name == name {
			x := file.Contexts[i]
			if x.Sudo && remote.IsSSH(x.Endpoint) && !strings.Contains(x.Endpoint, "sudo") {
				if strings.Contains(x.Endpoint, "?") {
					x.Endpoint += "&sudo"
				} else {
					x.Endpoint += "?sudo"
				}
			}
			return &x, "context " + name + " (" + source + ")", nil
		}
	}
	var names []string
	for _, x := range file.Contexts {
		names = append(names, x.Name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, "", fmt.Errorf("no context %q: %s names no contexts", name, path)
	}
	return nil, "", fmt.Errorf("no context %q in %s (it has %s)", name, path, strings.Join(names, ", "))
}
