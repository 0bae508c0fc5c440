package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// KubeletConfigPath is kubeadm's kubelet config file.
const KubeletConfigPath = "/var/lib/kubelet/config.yaml"

// k3sConfigs are the k3s and RKE2 config files whose kubelet-arg entries
// reach kubelet's command line.
var k3sConfigs = []string{"/etc/rancher/k3s/config.yaml", "/etc/rancher/rke2/config.yaml"}

// KubeletSetting is one kubelet setting and where it was read.
type KubeletSetting struct {
	Value string
	Where string // path:line
	Text  string // the line
}

// KubeletConfig is what doctor needs of kubelet: its cgroup driver and swap
// policy. Found is false when no kubelet config exists on the node.
type KubeletConfig struct {
	Found bool
	// Files are the files read.
	Files        []string
	CgroupDriver *KubeletSetting
	FailSwapOn   *KubeletSetting
	SwapBehavior *KubeletSetting
	// Errs are files that exist but could not be read or parsed.
	Errs []error
}

func readKubelet(f *Facts) KubeletConfig {
	var k KubeletConfig
	b, err := f.readFile(f.host(KubeletConfigPath))
	switch {
	case err == nil:
		k.Found = true
		k.Files = append(k.Files, KubeletConfigPath)
		var doc struct {
			CgroupDriver string `json:"cgroupDriver"`
			FailSwapOn   *bool  `json:"failSwapOn"`
			MemorySwap   struct {
				SwapBehavior string `json:"swapBehavior"`
			} `json:"memorySwap"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			k.Errs = append(k.Errs, fmt.Errorf("%s is not valid YAML: %v", KubeletConfigPath, err))
			break
		}
		lines := strings.Split(string(b), "\n")
		if doc.CgroupDriver != "" {
			k.CgroupDriver = yamlSetting(KubeletConfigPath, lines, "cgroupDriver", doc.CgroupDriver)
		}
		if doc.FailSwapOn != nil {
			k.FailSwapOn = yamlSetting(KubeletConfigPath, lines, "failSwapOn", fmt.Sprint(*doc.FailSwapOn))
		}
		if doc.MemorySwap.SwapBehavior != "" {
			k.SwapBehavior = yamlSetting(KubeletConfigPath, lines, "swapBehavior", doc.MemorySwap.SwapBehavior)
		}
	case !errors.Is(err, fs.ErrNotExist):
		k.Errs = append(k.Errs, err)
	}
	for _, base := range k3sConfigs {
		files := []string{base}
		if drop, _ := f.node().Glob(f.host(base + ".d/*.yaml")); len(drop) > 0 {
			sort.Strings(drop)
			for _, d := range drop {
				files = append(files, filepath.Join(base+".d", filepath.Base(d)))
			}
		}
		for _, p := range files {
			b, err := f.readFile(f.host(p))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				k.Errs = append(k.Errs, err)
				continue
			}
			k.Found = true
			k.Files = append(k.Files, p)
			var doc struct {
				KubeletArg []string `json:"kubelet-arg"`
			}
			if err := yaml.Unmarshal(b, &doc); err != nil {
				k.Errs = append(k.Errs, fmt.Errorf("%s is not valid YAML: %v", p, err))
				continue
			}
			lines := strings.Split(string(b), "\n")
			for _, a := range doc.KubeletArg {
				name, val, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
				s := yamlSetting(p, lines, name, val)
				switch name {
				case "cgroup-driver":
					k.CgroupDriver = s
				case "fail-swap-on":
					k.FailSwapOn = s
				}
			}
		}
	}
	return k
}

// yamlSetting finds the first line naming key, for evidence.
func yamlSetting(path string, lines []string, key, val string) *KubeletSetting {
	s := &KubeletSetting{Value: val, Where: path}
	for i, l := range lines {
		if strings.Contains(l, key) {
			s.Where = fmt.Sprintf("%s:%d", path, i+1)
			s.Text = strings.TrimSpace(l)
			break
		}
	}
	return s
}

// Evidence is "path:line: text".
func (s *KubeletSetting) Evidence() string {
	if s.Text == "" {
		return s.Where + ": " + s.Value
	}
	return s.Where + ": " + s.Text
}
