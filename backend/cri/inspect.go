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
func (c *Client) ContainerStatus(ctx context.Context, id string) (string, error) {
	r, err := c.containerStatus(ctx, id, true)
	if err != nil {
		return "", err
	}
	return statusJSON(r.Status, r.Info)
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
