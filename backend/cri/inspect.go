package cri

import (
	"context"
	"encoding/json"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

// PodStatus returns what `crictl inspectp` prints for a pod sandbox: its
// verbose status as indented JSON, with "status" next to the runtime's info
// keys (containerd: "info", with the sandbox's config, pid, runtime spec and
// CNI result). The describe page shows it as it comes.
func (c *Client) PodStatus(ctx context.Context, id string) (string, error) {
	ctx, cancel := c.unary(ctx)
	defer cancel()
	r, err := c.runtime.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id, Verbose: true})
	if err != nil {
		return "", c.rtErr(err, "read the status of pod "+shortID(id))
	}
	return statusJSON(r.Status, r.Info)
}

// ContainerStatus returns what `crictl inspect` prints for a container: its
// verbose status as indented JSON, with "status" (state, exit code, reason,
// log path, mounts) next to the runtime's info keys (containerd: "info",
// with the pid, runtime spec and snapshot key).
//
// Next to them, "pod" names the pod the container runs in by its sandbox's
// metadata (sandboxId, name, namespace, uid), which a pod made without
// kubelet's labels (`crictl runp`) has too: one filtered ListContainers for
// the sandbox id and one filtered ListPodSandbox, for this one container.
// When either fails the key is left out and the status still shows.
func (c *Client) ContainerStatus(ctx context.Context, id string) (string, error) {
	r, err := c.containerStatus(ctx, id, true)
	if err != nil {
		return "", err
	}
	info := r.Info
	if ref, ok := c.podOf(ctx, id); ok {
		b, err := json.Marshal(struct {
			SandboxID string `json:"sandboxId"`
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
			UID       string `json:"uid"`
		}{ref.SandboxID, ref.Name, ref.Namespace, ref.UID})
		if err == nil {
			info = make(map[string]string, len(r.Info)+1)
			for k, v := range r.Info {
				info[k] = v
			}
			info["pod"] = string(b)
		}
	}
	return statusJSON(r.Status, info)
}

// podOf is the pod sandbox container id runs in, by CRI's own records.
func (c *Client) podOf(ctx context.Context, id string) (backend.PodRef, bool) {
	ctx, cancel := c.unary(ctx)
	defer cancel()
	cs, err := c.runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{Id: id}})
	if err != nil || len(cs.Containers) != 1 {
		return backend.PodRef{}, false
	}
	sb := cs.Containers[0].PodSandboxId
	ps, err := c.runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{Id: sb}})
	if err != nil || len(ps.Items) != 1 {
		return backend.PodRef{}, false
	}
	ref := toPodRef(ps.Items[0])
	ref.Container = cs.Containers[0].GetMetadata().GetName()
	return ref, true
}

// statusJSON lays out a CRI status and its info map as crictl does: the
// status in protobuf's JSON form (camelCase, zero values shown, so an exit
// code of 0 is visible) and every info value parsed as JSON, or kept as a
// string when the runtime sent something else.
func statusJSON(status proto.Message, info map[string]string) (string, error) {
	out := make(map[string]json.RawMessage, len(info)+1)
	for k, v := range info {
		if json.Valid([]byte(v)) {
			out[k] = json.RawMessage(v)
			continue
		}
		s, _ := json.Marshal(v)
		out[k] = s
	}
	st, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(status)
	if err != nil {
		return "", backend.Errorf(backend.ErrFailed, "encode the status as JSON: %v", err)
	}
	out["status"] = st
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return "", backend.Errorf(backend.ErrFailed, "encode the status as JSON: %v", err)
	}
	return string(b), nil
}
