package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// :du then :prune images through the preview in a real terminal, on
// containerd 1.6 and 2.x: the filesystem line and the unused image's row,
// the preview naming what goes and what stays (used by a stopped container),
// Cancel first, then the prune, whose job removes the image (ctr agrees),
// says what statfs measured as freed, and logs `ctr images rm --sync`.
func TestEndToEndDisk(t *testing.T) {
	tarPath := filepath.Join(t.TempDir(), "unused.tar")
	if err := testbed.WriteSizedImage(tarPath, "localhost/test/unused:v1", 1, 4<<20); err != nil {
		t.Fatal(err)
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			d := testbed.Start(t, v)
			if err := d.ImportTestImages(ctx, "default"); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(tarPath)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.ImportTar(ctx, "default", f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Ctr(ctx, "containers", "create", testbed.BusyboxImage, "stopped-user"); err != nil {
				t.Fatal(err)
			}
			s := startScreen(t, 120, 30, d.Env())
			s.waitFor(screenWait, "images")

			// The command in one write.
			s.keys(":")
			s.typeText("du")
			s.keys("Enter")
			s.waitFor(screenWait, "image filesystem", "% used", "free")
			s.waitFor(screenWait, "snapshots measured", "localhost/test/unused:v1", "stopped-user", "overlayfs/")

			// Key by key.
			s.keys(":")
			for _, k := range "prune images" {
				if k == ' ' {
					s.keys("Space")
				} else {
					s.keys(string(k))
				}
			}
			s.keys("Enter")
			// In namespace default, CRI's sandbox image is just another image.
			s.waitFor(screenWait, "will remove 2 images", "localhost/test/unused:v1", "used by container stopped-user")
			s.keys("C-d")
			s.waitFor(screenWait, "Prune images?", "[ Cancel ]", "[ Prune ]")
			s.keys("Enter")
			s.waitFor(screenWait, "canceled; nothing was removed")
			if out, _ := d.Ctr(ctx, "images", "ls", "-q"); !strings.Contains(out, "localhost/test/unused:v1") {
				t.Fatalf("Cancel removed the image:\n%s", out)
			}
			s.keys("C-d")
			s.waitFor(screenWait, "Prune images?")
			s.keys("Right", "Enter")
			s.waitFor(screenWait, "prune images 2 images: done", "freed")
			s.waitFor(screenWait, "nothing to prune")
			out, err := d.Ctr(ctx, "images", "ls", "-q")
			if err != nil || strings.Contains(out, "localhost/test/unused:v1") || !strings.Contains(out, testbed.BusyboxImage) {
				t.Fatalf("ctr images ls after the prune: %v\n%s", err, out)
			}
			s.keys(":")
			s.typeText("log")
			s.keys("Enter")
			s.waitFor(screenWait, "images rm --sync localhost/test/unused:v1", "ok")
			s.keys("C-c")
			if code := s.waitExit(screenWait); code != 0 {
				t.Errorf("ctui exited %d", code)
			}
		})
	}
}
