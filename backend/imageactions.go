package backend

import (
	"context"
	"fmt"
	"sort"
)

// ImageUser is a container that still uses an image, for the remove dialog.
type ImageUser struct {
	Image     string // the image name the container was created from
	Container string
	Pod       string // "namespace/name" for CRI containers, else ""
	Running   bool
}

// String names the container the way the dialog lists it.
func (u ImageUser) String() string {
	s := u.Container
	if u.Pod != "" {
		s += fmt.Sprintf(" (pod %s)", u.Pod)
	}
	if u.Running {
		s += " [running]"
	}
	return s
}

// SortImageUsers orders users by image, then container id.
func SortImageUsers(us []ImageUser) {
	sort.Slice(us, func(i, j int) bool {
		if us[i].Image != us[j].Image {
			return us[i].Image < us[j].Image
		}
		return us[i].Container < us[j].Container
	})
}

// ImageActions is what the images view needs to change images through
// containerd's own API. The containerd adapter implements it, with progress
// for the long ones; every error is an *Error sentence.
type ImageActions interface {
	PullImage(ctx context.Context, ns string, o PullOptions, progress ProgressFunc) (PullResult, error)
	TagImage(ctx context.Context, ns string, o TagOptions) (Image, error)
	ImportImages(ctx context.Context, ns string, o ImportOptions, progress ProgressFunc) ([]Image, error)
	ExportImages(ctx context.Context, ns string, o ExportOptions, progress ProgressFunc) (int64, error)
	PushImage(ctx context.Context, ns string, o PushOptions, progress ProgressFunc) (PushResult, error)
	RemoveImages(ctx context.Context, ns string, o RemoveOptions) error
	ImageUsers(ctx context.Context, ns string, refs []string) ([]ImageUser, error)
}

// PullResult is what a pull made.
type PullResult struct {
	Image       Image  // the image record created or updated
	Snapshotter string // where it was unpacked; "" when not unpacked
	// Registry says how the registry was reached (registry.Resolution
	// Describe): for the command log, without secrets.
	Registry string
	Bytes    int64 // bytes fetched (content already present not counted)
	// Transfer is true when containerd's transfer service pulled (2.x),
	// false for a client-side pull.
	Transfer bool
}

// PushResult is what a push did.
type PushResult struct {
	Ref      string // the normalized remote reference
	Digest   string // the digest pushed (the manifest or index)
	Registry string // as PullResult.Registry
	Bytes    int64  // bytes uploaded (blobs the registry had not counted)
}
