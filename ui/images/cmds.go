package images

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
)

// loadedMsg answers loadCmd.
type loadedMsg struct {
	gen    uint64
	images []backend.Image
	err    error
	at     time.Time
}

// detailsMsg answers detailsCmd for one target digest.
type detailsMsg struct {
	gen     uint64
	digest  string
	details backend.ImageDetails
	err     error
}

// loadCmd lists the images of ns. It is built from values only, so the
// goroutine bubbletea runs it in shares nothing with the model.
func loadCmd(parent context.Context, l backend.ImageLister, clock backend.Clock, ns string, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		imgs, err := l.Images(ctx, ns)
		return loadedMsg{gen: gen, images: imgs, err: err, at: clock.Now()}
	}
}

// detailsCmd asks for the size and platforms of img, which cost a walk of
// the content store.
func detailsCmd(parent context.Context, l backend.ImageLister, ns string, img backend.Image, timeout time.Duration, gen uint64) func() tea.Msg {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, timeout)
		defer cancel()
		d, err := l.ImageDetails(ctx, ns, img)
		return detailsMsg{gen: gen, digest: img.Digest, details: d, err: err}
	}
}
