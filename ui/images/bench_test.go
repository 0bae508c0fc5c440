package images

import (
	"testing"
	"time"

	"github.com/ctui/ctui/ui/page"
)

// BenchmarkFirstList10k is the page's share of the first frame on a node
// with 10,000 image names: the list's answer turned into rows, and one View.
func BenchmarkFirstList10k(b *testing.B) {
	f := fakeNative(10000)
	imgs := f.ImagesByNS["default"]
	m, _ := newPage(f)
	m.Update(page.SizeMsg{Width: 80, Height: 22})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p, _ := m.loaded(loadedMsg{gen: m.Gen(), images: imgs, at: time.Now()})
		_ = p.View()
	}
}
