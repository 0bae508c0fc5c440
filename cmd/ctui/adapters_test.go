package main

import (
	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/remote"
	"github.com/ctui/ctui/ui/images"
	"github.com/ctui/ctui/ui/namespaces"
	"github.com/ctui/ctui/ui/shell"
	"github.com/ctui/ctui/ui/top"
)

// The capabilities the UI asks the adapters for, by the names the pages
// declare them under, checked against the real adapters at compile time:
// a changed signature fails the build here instead of turning a feature
// off quietly where the UI type-asserts or assigns it. (The backend's own
// interfaces are asserted next to each adapter's methods.)
var (
	_ top.Lister                 = (*containerd.Client)(nil)
	_ namespaces.Counter         = (*containerd.Client)(nil)
	_ backend.ContainerGetter    = (*containerd.Client)(nil)
	_ backend.DiskReader         = (*containerd.Client)(nil)
	_ backend.ImagePruner        = (*containerd.Client)(nil)
	_ backend.ContentPruner      = (*containerd.Client)(nil)
	_ backend.TaskActions        = (*containerd.Client)(nil)
	_ backend.TaskMetrics        = (*containerd.Client)(nil)
	_ backend.ImageActions       = (*containerd.Client)(nil)
	_ backend.NativeDescriber    = (*containerd.Client)(nil)
	_ backend.Introspector       = (*containerd.Client)(nil)
	_ backend.Execer             = (*containerd.Client)(nil)
	_ images.CRIImageLister      = (*cri.Client)(nil)
	_ backend.PodContainerLister = (*cri.Client)(nil)
	_ backend.CRIPuller          = (*cri.Client)(nil)
	_ backend.CRIActions         = (*cri.Client)(nil)
	_ backend.RuntimeStats       = (*cri.Client)(nil)
	_ backend.RuntimeDescriber   = (*cri.Client)(nil)
	_ backend.CgroupDriverReader = (*cri.Client)(nil)
	_ backend.Execer             = (*cri.Client)(nil)
	_ shell.LogFSer              = (*remote.Transport)(nil)
)
