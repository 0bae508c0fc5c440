package testbed

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PodSpec is a pod as kubelet would hand it to the CRI: a sandbox on the
// host network and its containers.
type PodSpec struct {
	Name       string
	Namespace  string // Kubernetes namespace; "default" when empty
	UID        string // a random UUID when empty
	Labels     map[string]string
	Containers []ContainerSpec
	// Weighted puts the pod under cgroup parents of its own, weighted as
	// much as its heaviest container's CPUShares: a container's own shares
	// only weigh against its siblings, its parents' at the root.
	Weighted bool
	// WithoutKubeletLabels makes the pod as `crictl runp pod-config.json`
	// and `crictl create` do: the sandbox and container metadata only,
	// none of the io.kubernetes.pod.* or io.kubernetes.container.name
	// labels kubelet adds (Labels are still put on the sandbox).
	WithoutKubeletLabels bool
}

// ContainerSpec is one container of a PodSpec.
type ContainerSpec struct {
	Name    string
	Image   string   // BusyboxImage when empty
	Command []string // the entrypoint; the image's when empty
	Args    []string
	Env     map[string]string
	// MemoryLimit is the container's memory limit in bytes, as kubelet
	// sets it from the pod spec; 0 for none.
	MemoryLimit int64
	// CPUShares is the container's cpu.shares (kubelet: its CPU request);
	// 0 for the runtime's default. See BusyShares and PodSpec.Weighted.
	CPUShares int64
}

// LoggingPod is a pod whose one container, "logger", prints "line N" to
// stdout every half second and "warning N" to stderr every fifth line.
func LoggingPod(name string) PodSpec {
	return PodSpec{Name: name, Labels: map[string]string{"app": "logger"}, Containers: []ContainerSpec{{
		Name:    "logger",
		Command: []string{"sh", "-c"},
		Args: []string{`i=0; while true; do i=$((i+1)); echo "line $i"; ` +
			`if [ $((i % 5)) -eq 0 ]; then echo "warning $i" >&2; fi; sleep 0.5; done`},
	}}}
}

// CrashLoopPod is a pod whose one container, "crasher", prints a line to
// stdout and one to stderr, then exits with status 3. Restart it with
// RestartContainer or CrashLoop to get previous attempts, as kubelet would.
func CrashLoopPod(name string) PodSpec {
	return PodSpec{Name: name, Labels: map[string]string{"app": "crasher"}, Containers: []ContainerSpec{{
		Name:    "crasher",
		Command: []string{"sh", "-c"},
		Args:    []string{`echo "starting attempt at $(date)"; echo "fatal: missing config /etc/app.conf" >&2; exit 3`},
	}}}
}

// BusyCommand is a shell loop that keeps one core busy, the fixture for a
// container that eats CPU.
var BusyCommand = []string{"sh", "-c", "while :; do :; done"}

// WeightedBusyCommand is BusyCommand that ends by itself after secs
// seconds, for a container run with BusyShares: such a loop takes most of a
// core from everything else on the machine, so it must not outlive a test
// that was killed before it could stop it.
func WeightedBusyCommand(secs int) []string {
	return []string{"timeout", "-s", "KILL", strconv.Itoa(secs), "sh", "-c", "while :; do :; done"}
}

// IdleCommand sleeps for ever, a container that costs nothing.
var IdleCommand = []string{"sleep", "2147483647"}

// FillShmCommand writes mib MiB to a file on the container's /dev/shm (a
// tmpfs, so the pages count as the container's memory) and then sleeps.
func FillShmCommand(mib int) []string {
	return []string{"sh", "-c", fmt.Sprintf("dd if=/dev/zero of=/dev/shm/fill bs=1048576 count=%d 2>/dev/null; sleep 2147483647", mib)}
}

// OOMCommand holds 64 MiB of anonymous memory in a shell variable, which a
// container with a smaller limit cannot: the kernel's OOM killer ends it.
var OOMCommand = []string{"sh", "-c", "sleep 1; x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived ${#x}"}

// StatsPod is a pod of three containers for resource use: "busy" (a shell
// loop), "idle" (sleeps) and "shm" (holds 24 MiB on a tmpfs).
func StatsPod(name string) PodSpec {
	return PodSpec{Name: name, Labels: map[string]string{"app": "stats"}, Containers: []ContainerSpec{
		{Name: "busy", Command: BusyCommand},
		{Name: "idle", Command: IdleCommand},
		{Name: "shm", Command: FillShmCommand(24)},
	}}
}

// OOMPod is a pod whose one container, "hog", has a 20 MiB memory limit and
// allocates 64 MiB: the kernel kills it and CRI reports OOMKilled.
func OOMPod(name string) PodSpec {
	return PodSpec{Name: name, Labels: map[string]string{"app": "hog"}, Containers: []ContainerSpec{
		{Name: "hog", Command: OOMCommand, MemoryLimit: 20 << 20},
	}}
}

// CrashExitCode is the exit status of CrashLoopPod's container.
const CrashExitCode = 3

// podRecord remembers what RunPod created a container from, so it can be
// created again as the next attempt.
type podRecord struct {
	podID   string
	sandbox *runtimeapi.PodSandboxConfig
	config  *runtimeapi.ContainerConfig
}

// dialCRI connects to the daemon's CRI services.
func (d *Daemon) dialCRI() (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(d.Endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connect to CRI at %s: %w", d.Endpoint, err)
	}
	return conn, nil
}

// criReady is nil once the CRI plugin answers (1.6 refuses every call until
// it has initialized).
func (d *Daemon) criReady(ctx context.Context) error {
	conn, err := d.dialCRI()
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = runtimeapi.NewRuntimeServiceClient(conn).Version(ctx, &runtimeapi.VersionRequest{})
	return err
}

// RunPod imports the test images into k8s.io unless CRI has them already,
// waits until CRI sees them,
// runs the pod's sandbox on the host network with its log directory under
// Dir, then creates and starts its containers (attempt 0, log path
// <name>/0.log as kubelet writes). It returns the sandbox id and the
// container ids in spec order.
func (d *Daemon) RunPod(ctx context.Context, spec PodSpec) (string, []string, error) {
	if !d.CRI {
		return "", nil, errors.New("RunPod: the daemon was started WithoutCRI")
	}
	if spec.Namespace == "" {
		spec.Namespace = "default"
	}
	if spec.UID == "" {
		spec.UID = uuid.NewString()
	}
	conn, err := d.dialCRI()
	if err != nil {
		return "", nil, err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	is := runtimeapi.NewImageServiceClient(conn)
	refs := []string{PauseImage}
	for _, c := range spec.Containers {
		refs = append(refs, orDefault(c.Image, BusyboxImage))
	}
	if !criHasImages(ctx, is, refs) {
		if err := d.ImportTestImages(ctx, "k8s.io"); err != nil {
			return "", nil, err
		}
		if err := waitCRIImages(ctx, is, refs); err != nil {
			return "", nil, err
		}
	}

	podLabels := map[string]string{
		"io.kubernetes.pod.name":      spec.Name,
		"io.kubernetes.pod.namespace": spec.Namespace,
		"io.kubernetes.pod.uid":       spec.UID,
	}
	if spec.WithoutKubeletLabels {
		podLabels = map[string]string{}
	}
	for k, v := range spec.Labels {
		podLabels[k] = v
	}
	hostNet := &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE}
	sandbox := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: spec.Name, Namespace: spec.Namespace, Uid: spec.UID},
		LogDirectory: filepath.Join(d.Dir, "pods", spec.Namespace+"_"+spec.Name+"_"+spec.UID),
		Labels:       podLabels,
		Annotations:  map[string]string{"kubernetes.io/config.source": "ctui-testbed"},
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			// Kubelet always names a parent (/kubepods/...); this one is the
			// daemon's own, so Stop can remove it and daemons never share.
			CgroupParent:    d.cgroupPrefix() + "-pods/pod" + spec.UID,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: hostNet},
		},
	}
	if spec.Weighted {
		// A parent of its own: the weight must not reach the daemon's
		// other pods, whose loops would then outweigh the machine too.
		sandbox.Linux.CgroupParent = d.cgroupPrefix() + "-weighted/pod" + spec.UID
		weightCgroupParents(sandbox.Linux.CgroupParent, maxShares(spec.Containers))
	}
	resp, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sandbox})
	if err != nil {
		return "", nil, fmt.Errorf("run pod %s/%s on containerd %s: %w", spec.Namespace, spec.Name, d.Version, err)
	}
	podID := resp.PodSandboxId

	var ids []string
	for _, c := range spec.Containers {
		// Kubelet labels a container with its own name and its pod's identity.
		labels := map[string]string{
			"io.kubernetes.container.name": c.Name,
			"io.kubernetes.pod.name":       spec.Name,
			"io.kubernetes.pod.namespace":  spec.Namespace,
			"io.kubernetes.pod.uid":        spec.UID,
		}
		if spec.WithoutKubeletLabels {
			labels = nil
		}
		cfg := &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: c.Name},
			Image:    &runtimeapi.ImageSpec{Image: orDefault(c.Image, BusyboxImage)},
			Command:  c.Command,
			Args:     c.Args,
			Envs:     envs(c.Env),
			Labels:   labels,
			Linux: &runtimeapi.LinuxContainerConfig{
				SecurityContext: &runtimeapi.LinuxContainerSecurityContext{NamespaceOptions: hostNet},
			},
		}
		if c.MemoryLimit > 0 || c.CPUShares > 0 {
			cfg.Linux.Resources = &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: c.MemoryLimit, CpuShares: c.CPUShares}
		}
		rec := &podRecord{podID: podID, sandbox: sandbox, config: cfg}
		id, err := d.createContainer(ctx, rt, rec, 0)
		if err != nil {
			return podID, ids, fmt.Errorf("pod %s/%s: %w", spec.Namespace, spec.Name, err)
		}
		ids = append(ids, id)
	}
	return podID, ids, nil
}

// createContainer creates and starts attempt of rec's container, logging to
// <name>/<attempt>.log, and remembers it.
func (d *Daemon) createContainer(ctx context.Context, rt runtimeapi.RuntimeServiceClient, rec *podRecord, attempt uint32) (string, error) {
	cfg := proto.Clone(rec.config).(*runtimeapi.ContainerConfig)
	cfg.Metadata.Attempt = attempt
	cfg.LogPath = filepath.Join(cfg.Metadata.Name, strconv.Itoa(int(attempt))+".log")
	cfg.Annotations = map[string]string{"io.kubernetes.container.restartCount": strconv.Itoa(int(attempt))}
	created, err := rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: rec.podID, Config: cfg, SandboxConfig: rec.sandbox})
	if err != nil {
		return "", fmt.Errorf("create container %s (attempt %d): %w", cfg.Metadata.Name, attempt, err)
	}
	if _, err := rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: created.ContainerId}); err != nil {
		return created.ContainerId, fmt.Errorf("start container %s (attempt %d): %w", cfg.Metadata.Name, attempt, err)
	}
	d.mu.Lock()
	d.pods[created.ContainerId] = &podRecord{podID: rec.podID, sandbox: rec.sandbox, config: cfg}
	d.mu.Unlock()
	return created.ContainerId, nil
}

// RestartContainer creates and starts the next attempt of a container that
// RunPod or RestartContainer created, as kubelet restarts a crashed one: same
// name and sandbox, attempt + 1, log path <name>/<attempt+1>.log. The old
// container is kept, so its log stays readable as the previous one.
func (d *Daemon) RestartContainer(ctx context.Context, containerID string) (string, error) {
	d.mu.Lock()
	rec, ok := d.pods[containerID]
	d.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("restart container %s: not created by this test bed's RunPod", containerID)
	}
	conn, err := d.dialCRI()
	if err != nil {
		return "", err
	}
	defer conn.Close()
	return d.createContainer(ctx, runtimeapi.NewRuntimeServiceClient(conn), rec, rec.config.Metadata.Attempt+1)
}

// WaitContainerExit waits until a CRI container has exited and returns its
// exit code.
func (d *Daemon) WaitContainerExit(ctx context.Context, containerID string) (int32, error) {
	conn, err := d.dialCRI()
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	for {
		st, err := rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: containerID})
		if err != nil {
			return 0, fmt.Errorf("wait for container %s: %w", containerID, err)
		}
		if st.Status.GetState() == runtimeapi.ContainerState_CONTAINER_EXITED {
			return st.Status.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for container %s to exit: %w", containerID, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// CrashLoop waits for a container to exit and restarts it, restarts times,
// as kubelet does to a crash-looping container. It returns every attempt's
// id, the first (containerID) included; the last one may still be running.
func (d *Daemon) CrashLoop(ctx context.Context, containerID string, restarts int) ([]string, error) {
	ids := []string{containerID}
	for range restarts {
		if _, err := d.WaitContainerExit(ctx, ids[len(ids)-1]); err != nil {
			return ids, err
		}
		id, err := d.RestartContainer(ctx, ids[len(ids)-1])
		if id != "" {
			ids = append(ids, id)
		}
		if err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// ContainerLogPath is the absolute path of a CRI container's log file.
func (d *Daemon) ContainerLogPath(ctx context.Context, containerID string) (string, error) {
	conn, err := d.dialCRI()
	if err != nil {
		return "", err
	}
	defer conn.Close()
	st, err := runtimeapi.NewRuntimeServiceClient(conn).ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: containerID})
	if err != nil {
		return "", fmt.Errorf("status of container %s: %w", containerID, err)
	}
	return st.Status.GetLogPath(), nil
}

// ReopenContainerLog asks CRI to reopen a container's log file, kubelet's
// second step of rotation (after renaming the file away): the runtime
// creates a new file at the same path.
func (d *Daemon) ReopenContainerLog(ctx context.Context, containerID string) error {
	conn, err := d.dialCRI()
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := runtimeapi.NewRuntimeServiceClient(conn).ReopenContainerLog(ctx, &runtimeapi.ReopenContainerLogRequest{ContainerId: containerID}); err != nil {
		return fmt.Errorf("reopen the log of %s: %w", containerID, err)
	}
	return nil
}

// criHasImages tells whether the CRI image service knows every ref.
func criHasImages(ctx context.Context, is runtimeapi.ImageServiceClient, refs []string) bool {
	for _, ref := range refs {
		st, err := is.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}})
		if err != nil || st.Image == nil {
			return false
		}
	}
	return true
}

// waitCRIImages waits until the CRI image service knows every ref: it
// learns of images imported into k8s.io from events, a moment later.
func waitCRIImages(ctx context.Context, is runtimeapi.ImageServiceClient, refs []string) error {
	deadline := time.Now().Add(20 * time.Second)
	for _, ref := range refs {
		for {
			st, err := is.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}})
			if err != nil {
				return fmt.Errorf("CRI image status of %s: %w", ref, err)
			}
			if st.Image != nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("CRI does not see image %s 20s after its import into k8s.io", ref)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func envs(m map[string]string) []*runtimeapi.KeyValue {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []*runtimeapi.KeyValue
	for _, k := range keys {
		out = append(out, &runtimeapi.KeyValue{Key: k, Value: []byte(m[k])})
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// maxShares is the largest CPUShares of cs.
func maxShares(cs []ContainerSpec) int64 {
	var m int64
	for _, c := range cs {
		m = max(m, c.CPUShares)
	}
	return m
}
