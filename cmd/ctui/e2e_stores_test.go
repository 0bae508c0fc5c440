package main

import (
	"context"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ctui/ctui/backend/testbed"
)

// :snapshots then t, and :content, in a real terminal on containerd 1.6 and
// 2.x: the snapshots measured, then the tree with a snapshot prepared on the
// image's top layer drawn under it (as ctr snapshots tree); the content
// store's blobs with the media types the test images' index and manifests
// give them (manifest, config, layer). The first command goes in one write,
// the second key by key.
func TestEndToEndStores(t *testing.T) {
	testbed.EachVersion(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		if err := d.ImportTestImages(ctx, "default"); err != nil {
			t.Fatal(err)
		}
		top, err := d.LastCommittedSnapshot(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		// ctr labels what it prepares as a GC root, so the snapshot
		// stays until removed.
		if _, err := d.Ctr(ctx, "snapshots", "prepare", "e2e-child", top); err != nil {
			t.Fatal(err)
		}
		s := startScreen(t, 200, 40, d.Env())
		s.waitFor(screenWait, "images")

		// The command in one write.
		s.sendBytes(":snapshots\r")
		s.waitFor(screenWait, "SNAPSHOTTER", "e2e-child")
		s.waitGone(screenWait, "measuring")
		s.keys("t")
		txt := s.waitFor(screenWait, "└ e2e-child")
		if i, j := strings.Index(txt, top[:20]), strings.Index(txt, "└ e2e-child"); i < 0 || i > j {
			t.Fatalf(":snapshots t: e2e-child is not under %s:\n%s", top, txt)
		}

		// Key by key.
		s.keys(":")
		for _, k := range "content" {
			s.keys(string(k))
		}
		s.keys("Enter")
		s.waitFor(screenWait, "MEDIA TYPE", ocispec.MediaTypeImageManifest, ocispec.MediaTypeImageConfig,
			ocispec.MediaTypeImageLayerGzip, testbed.BusyboxImage)
		s.keys("C-c")
		if code := s.waitExit(screenWait); code != 0 {
			t.Errorf("ctui exited %d", code)
		}
	})
}
