package cri

import (
	"context"
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"
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
//
// A running container also gets "resources": its use now (two
// ContainerStats, crictl stats --id, DescribeWindow apart) beside its limits
// (the status's resources, else the runtime spec in the verbose info), as
// the native describe shows a task's; a failed sample is a sentence there.
func (c *Client) ContainerStatus(ctx context.Context, id string) (string, error) {
	r, err := c.containerStatus(ctx, id, true)
	if err != nil {
		return "", err
	}
	info := make(map[string]string, len(r.Info)+2)
	for k, v := range r.Info {
		info[k] = v
	}
	if ref, ok, err := c.PodOf(ctx, id); ok && err == nil {
		b, err := json.Marshal(struct {
			SandboxID string `json:"sandboxId"`
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
			UID       string `json:"uid"`
		}{ref.SandboxID, ref.Name, ref.Namespace, ref.UID})
		if err == nil {
			info["pod"] = string(b)
		}
	}
	if r.Status.GetState() == runtimeapi.ContainerState_CONTAINER_RUNNING {
		d := backend.DescribeResources(ctx, func(ctx context.Context) ([]backend.Usage, error) {
			return c.ContainerStats(ctx, []string{id})
		}, statusLimits(r), "the runtime returned no stats for this container: it stopped, or the runtime has no stats support")
		if b, err := json.Marshal(d); err == nil {
			info["resources"] = string(b)
		}
	}
	return statusJSON(r.Status, info)
}

// statusLimits are a container's resource limits as CRI tells them: the
// status's resources (containerd 1.7 on), else the runtime spec in the
// verbose info (containerd's "info": {"runtimeSpec": ...}).
func statusLimits(r *runtimeapi.ContainerStatusResponse) backend.Limits {
	if lr := r.GetStatus().GetResources().GetLinux(); lr != nil {
		l := backend.Limits{CPUQuota: lr.CpuQuota, CPUPeriod: uint64(max(lr.CpuPeriod, 0)), CPUShares: uint64(max(lr.CpuShares, 0)),
			MemoryLimit: lr.MemoryLimitInBytes}
		l.CPUs = backend.LimitsCPUs(l.CPUQuota, l.CPUPeriod)
		// CRI's resources carry no pids limit; the spec does.
		l.PIDsLimit = specLimits(r.Info).PIDsLimit
		return l
	}
	return specLimits(r.Info)
}

// specLimits reads the limits of the runtime spec containerd puts in a
// verbose status's info.
func specLimits(info map[string]string) backend.Limits {
	var v struct {
		RuntimeSpec *specs.Spec `json:"runtimeSpec"`
	}
	if json.Unmarshal([]byte(info["info"]), &v) != nil {
		return backend.Limits{}
	}
	return backend.SpecLimits(v.RuntimeSpec)
}

// PodOf is the pod a container (or a sandbox, by its own id) belongs to by
// CRI's own records: one ListContainers filtered to the id for its sandbox
// id, one ListPodSandbox filtered to that sandbox. ok is false when CRI
// knows neither a container nor a sandbox of that id.
func (c *Client) PodOf(ctx context.Context, id string) (backend.PodRef, bool, error) {
	ctx, cancel := c.unary(ctx)
	defer cancel()
	cs, err := c.runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{Id: id}})
	if err != nil {
		return backend.PodRef{}, false, c.rtErr(err, "list pod containers")
	}
	sb, name := id, ""
	if len(cs.Containers) == 1 {
		sb, name = cs.Containers[0].PodSandboxId, cs.Containers[0].GetMetadata().GetName()
	}
	ps, err := c.runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{Id: sb}})
	if err != nil {
		return backend.PodRef{}, false, c.rtErr(err, "list pods")
	}
	if len(ps.Items) != 1 {
		return backend.PodRef{}, false, nil
	}
	ref := toPodRef(ps.Items[0])
	ref.Container = name
	return ref, true, nil
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
