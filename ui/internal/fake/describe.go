package fake

import (
	"context"
	"sync"

	"github.com/ctui/ctui/backend"
)

// Describer is a fake of both describe interfaces. Docs holds the JSON to
// answer by key: "container NS/ID", "image NS/NAME", "namespace NAME",
// "pod ID", "pod container ID"; a key it lacks is backend.ErrNotFound. Calls
// records the keys asked, in order ("pod of ID" for PodOf).
type Describer struct {
	mu    sync.Mutex
	Docs  map[string]string
	Err   error
	Calls []string
	// PodsByID answers PodOf (backend.PodFinder) by container or sandbox id.
	PodsByID map[string]backend.PodRef
}

// PodOf implements backend.PodFinder from PodsByID.
func (d *Describer) PodOf(ctx context.Context, id string) (backend.PodRef, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls = append(d.Calls, "pod of "+id)
	ref, ok := d.PodsByID[id]
	return ref, ok, nil
}

var (
	_ backend.NativeDescriber  = (*Describer)(nil)
	_ backend.RuntimeDescriber = (*Describer)(nil)
)

func (d *Describer) answer(key string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls = append(d.Calls, key)
	if d.Err != nil {
		return "", d.Err
	}
	doc, ok := d.Docs[key]
	if !ok {
		return "", backend.Errorf(backend.ErrNotFound, "describe %s: not found", key)
	}
	return doc, nil
}

// SetDoc sets or replaces one answer while commands may be running.
func (d *Describer) SetDoc(key, doc string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.Docs == nil {
		d.Docs = map[string]string{}
	}
	d.Docs[key] = doc
}

// DescribeContainer implements backend.NativeDescriber.
func (d *Describer) DescribeContainer(ctx context.Context, ns, id string) (string, error) {
	return d.answer("container " + ns + "/" + id)
}

// DescribeImage implements backend.NativeDescriber.
func (d *Describer) DescribeImage(ctx context.Context, ns, name string) (string, error) {
	return d.answer("image " + ns + "/" + name)
}

// DescribeNamespace implements backend.NativeDescriber.
func (d *Describer) DescribeNamespace(ctx context.Context, ns string) (string, error) {
	return d.answer("namespace " + ns)
}

// PodStatus implements backend.RuntimeDescriber.
func (d *Describer) PodStatus(ctx context.Context, id string) (string, error) {
	return d.answer("pod " + id)
}

// ContainerStatus implements backend.RuntimeDescriber.
func (d *Describer) ContainerStatus(ctx context.Context, id string) (string, error) {
	return d.answer("pod container " + id)
}
