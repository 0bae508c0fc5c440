package cri

import (
	"sort"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

// unixNano turns CRI's nanosecond timestamps into time.Time. CRI sends 0 for
// "not yet" (a created container's start, a running one's finish), which
// must stay the zero time so the UI can print "-" rather than 1970.
func unixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func toStatus(r *runtimeapi.StatusResponse) backend.RuntimeStatus {
	var st backend.RuntimeStatus
	for _, c := range r.GetStatus().GetConditions() {
		st.Conditions = append(st.Conditions, backend.Condition{
			Type:    c.Type,
			Status:  c.Status,
			Reason:  c.Reason,
			Message: c.Message,
		})
	}
	st.Info = r.Info
	return st
}

func toPod(p *runtimeapi.PodSandbox) backend.Pod {
	md := p.GetMetadata()
	state := backend.PodNotReady
	if p.State == runtimeapi.PodSandboxState_SANDBOX_READY {
		state = backend.PodReady
	}
	return backend.Pod{
		ID:             p.Id,
		Name:           md.GetName(),
		Namespace:      md.GetNamespace(),
		UID:            md.GetUid(),
		Attempt:        md.GetAttempt(),
		State:          state,
		CreatedAt:      unixNano(p.CreatedAt),
		Labels:         p.Labels,
		Annotations:    p.Annotations,
		RuntimeHandler: p.RuntimeHandler,
	}
}

// toPodRef is a sandbox's identity from its metadata.
func toPodRef(p *runtimeapi.PodSandbox) backend.PodRef {
	md := p.GetMetadata()
	return backend.PodRef{SandboxID: p.Id, Name: md.GetName(), Namespace: md.GetNamespace(), UID: md.GetUid()}
}

func toContainerState(s runtimeapi.ContainerState) backend.ContainerState {
	switch s {
	case runtimeapi.ContainerState_CONTAINER_CREATED:
		return backend.ContainerCreated
	case runtimeapi.ContainerState_CONTAINER_RUNNING:
		return backend.ContainerRunning
	case runtimeapi.ContainerState_CONTAINER_EXITED:
		return backend.ContainerExited
	}
	return backend.ContainerUnknown
}

// toPodContainer fills what ListContainers tells, with the pod named by its
// sandbox's metadata (sandboxes, from one ListPodSandbox, by id). Only a
// container whose sandbox is not in that list (gone between the two calls)
// falls back to the labels kubelet puts on every container, as `crictl ps`
// reads them: a pod made with `crictl runp` has no such labels.
func toPodContainer(c *runtimeapi.Container, sandboxes map[string]backend.PodRef) backend.PodContainer {
	podName, podNS := c.Labels[backend.LabelPodName], c.Labels[backend.LabelPodNamespace]
	if sb, ok := sandboxes[c.PodSandboxId]; ok {
		podName, podNS = sb.Name, sb.Namespace
	}
	return backend.PodContainer{
		ID:           c.Id,
		Name:         c.GetMetadata().GetName(),
		PodID:        c.PodSandboxId,
		PodName:      podName,
		PodNamespace: podNS,
		Image:        specImage(c.GetImage()),
		ImageRef:     c.ImageRef,
		State:        toContainerState(c.State),
		Attempt:      c.GetMetadata().GetAttempt(),
		CreatedAt:    unixNano(c.CreatedAt),
		Labels:       c.Labels,
		Annotations:  c.Annotations,
	}
}

// specImage is the image as the operator wrote it: kubelet passes the
// resolved image id in Image and the pod spec's name in UserSpecifiedImage
// (crictl ps shows the latter when set).
func specImage(s *runtimeapi.ImageSpec) string {
	if u := s.GetUserSpecifiedImage(); u != "" {
		return u
	}
	return s.GetImage()
}

// addStatus completes a listed container with its ContainerStatus. The
// state is taken from the status too, since it is the newer answer. The
// image is replaced only when the list named it by id: the status then gives
// the image's first tag, which an operator recognizes; ImageRef becomes the
// repo digest when the image has one.
func addStatus(pc *backend.PodContainer, s *runtimeapi.ContainerStatus) {
	if s == nil {
		return
	}
	pc.State = toContainerState(s.State)
	pc.StartedAt = unixNano(s.StartedAt)
	pc.FinishedAt = unixNano(s.FinishedAt)
	pc.ExitCode = s.ExitCode
	pc.Reason = s.Reason
	pc.Message = s.Message
	pc.LogPath = s.LogPath
	if img := specImage(s.GetImage()); img != "" && (pc.Image == "" || isImageID(pc.Image)) {
		pc.Image = img
	}
	if s.ImageRef != "" {
		pc.ImageRef = s.ImageRef
	}
}

// isImageID reports whether ref is an image id (a bare config digest)
// rather than a name.
func isImageID(ref string) bool {
	if strings.HasPrefix(ref, "sha256:") {
		return true
	}
	if len(ref) != 64 {
		return false
	}
	for _, r := range ref {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

func toImage(i *runtimeapi.Image) backend.CRIImage {
	return backend.CRIImage{
		ID:          i.Id,
		RepoTags:    i.RepoTags,
		RepoDigests: i.RepoDigests,
		Size:        i.Size,
		Pinned:      i.Pinned,
	}
}

// sortImages orders images as `crictl images` does: by first tag, then
// first digest, then id, so an untagged image sorts by its digest's name.
func sortImages(imgs []backend.CRIImage) {
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	sort.SliceStable(imgs, func(i, j int) bool {
		a, b := imgs[i], imgs[j]
		if x, y := first(a.RepoTags), first(b.RepoTags); x != y {
			return x < y
		}
		if x, y := first(a.RepoDigests), first(b.RepoDigests); x != y {
			return x < y
		}
		return a.ID < b.ID
	})
}

func toFilesystemUsage(f *runtimeapi.FilesystemUsage) backend.FilesystemUsage {
	return backend.FilesystemUsage{
		Mountpoint: f.GetFsId().GetMountpoint(),
		UsedBytes:  f.GetUsedBytes().GetValue(),
		InodesUsed: f.GetInodesUsed().GetValue(),
		Timestamp:  unixNano(f.Timestamp),
	}
}
