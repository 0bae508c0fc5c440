package describe

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"sigs.k8s.io/yaml"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/page"
)

// text is one rendering of the document, split and measured once, off the
// UI goroutine, so that scrolling and searching a big spec cost only the
// lines on screen.
type text struct {
	lines []string
	lower []string // ASCII-lowercased lines: same byte offsets, for search
	width int      // the widest line, in cells
}

// loadedMsg answers loadCmd with both renderings, so that y flips at once.
type loadedMsg struct {
	gen  uint64
	json text
	yaml text
	err  error
}

// source is what loadCmd reads from; the root fills it from the backend.
type source struct {
	native    backend.NativeDescriber
	nativeErr error
	runtime   backend.RuntimeDescriber
	criErr    error
}

// loadCmd reads the object and prepares both renderings. Built from values
// only.
func loadCmd(parent context.Context, src source, obj page.Object, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		doc, err := fetch(ctx, src, obj)
		if err != nil {
			return loadedMsg{gen: gen, err: err}
		}
		// Every side answers JSON, but not all in one layout (protobuf's
		// encoder varies its spacing on purpose); one indent for all.
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(doc), "", "  ") == nil {
			doc = buf.String()
		}
		msg := loadedMsg{gen: gen, json: split(doc)}
		y, err := yaml.JSONToYAML([]byte(doc))
		if err != nil {
			// Every describe is JSON; a document YAML cannot take is
			// still readable as JSON.
			y = []byte("# not convertible to YAML: " + err.Error() + "\n")
		}
		msg.yaml = split(string(y))
		return msg
	}
}

// fetch asks the side of the backend that owns the object's kind.
func fetch(ctx context.Context, src source, obj page.Object) (string, error) {
	switch obj.Kind {
	case page.KindPod, page.KindPodContainer:
		if src.runtime == nil {
			return "", unavailable(src.criErr, "CRI")
		}
		if obj.Kind == page.KindPod {
			return src.runtime.PodStatus(ctx, obj.ID)
		}
		return src.runtime.ContainerStatus(ctx, obj.ID)
	}
	if src.native == nil {
		return "", unavailable(src.nativeErr, "containerd")
	}
	switch obj.Kind {
	case page.KindContainer:
		doc, err := src.native.DescribeContainer(ctx, obj.Namespace, obj.ID)
		if err != nil || obj.Namespace != backend.CRINamespace {
			return doc, err
		}
		return withPod(ctx, src.runtime, obj.ID, doc), nil
	case page.KindImage:
		return src.native.DescribeImage(ctx, obj.Namespace, obj.ID)
	case page.KindNamespace:
		return src.native.DescribeNamespace(ctx, obj.ID)
	}
	return "", backend.Errorf(backend.ErrUnsupported, "cannot describe a %s", obj.Kind)
}

// withPod puts "Pod" first in a k8s.io container's record: the pod CRI
// says it (or the sandbox it is) belongs to, by the sandbox's metadata, which
// a pod made without kubelet's labels (crictl runp) has too. Two CRI calls
// filtered to the id; without CRI, or for a container CRI does not know,
// the record stays as containerd gave it.
func withPod(ctx context.Context, rt backend.RuntimeDescriber, id, doc string) string {
	f, ok := rt.(backend.PodFinder)
	if !ok || rt == nil {
		return doc
	}
	ref, ok, err := f.PodOf(ctx, id)
	if err != nil || !ok {
		return doc
	}
	b, err := json.Marshal(ref)
	body, isObject := strings.CutPrefix(strings.TrimSpace(doc), "{")
	if err != nil || !isObject {
		return doc
	}
	if strings.TrimSpace(body) == "}" {
		return `{"Pod": ` + string(b) + "}"
	}
	return `{"Pod": ` + string(b) + "," + body
}

// unavailable says why a side cannot describe: the reason it is not
// connected, or that this backend has no describe.
func unavailable(reason error, api string) error {
	if reason != nil {
		return reason
	}
	return backend.Errorf(backend.ErrUnsupported, "the %s backend cannot describe objects", api)
}

// split prepares a document for the page: lines with tabs expanded (a tab's
// width is the terminal's guess, which would break the width rules) and
// control characters other than escapes dropped.
func split(doc string) text {
	doc = strings.TrimRight(doc, "\n")
	lines := strings.Split(doc, "\n")
	t := text{lines: lines, lower: make([]string, len(lines))}
	for i, l := range lines {
		if strings.ContainsAny(l, "\t\r\x1b") {
			l = strings.NewReplacer("\t", "    ", "\r", "", "\x1b", "␛").Replace(l)
			lines[i] = l
		}
		t.lower[i] = asciiLower(l)
		t.width = max(t.width, ansi.StringWidth(l))
	}
	return t
}

// asciiLower lowercases ASCII letters only, so that a match's byte offset in
// the lowered line is its offset in the line itself.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
