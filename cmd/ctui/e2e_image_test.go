package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// TestImageOnNode runs ctui's image as `kubectl debug node/NAME` would, on
// real daemons: the image `make image` writes (from the binary make builds)
// is imported with ctr, run with ctr with the daemon's socket directory at
// /host/run/containerd, and `ctui version` in it must find the node's socket
// under /host by itself and reach containerd and CRI there.
func TestImageOnNode(t *testing.T) {
	want := gitOut(t, "make", "-s", "-C", "../..", "version")
	ref := "localhost/ctui:" + testbed.ImageTag(want)
	tarball := filepath.Join(t.TempDir(), "ctui-image.tar")
	start := time.Now()
	if err := testbed.WriteCtuiImage(tarball, testbed.CtuiImage{
		Ref: ref, Version: want, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Binaries: map[string]string{"linux/" + runtime.GOARCH: ctuiBin},
	}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(tarball); err == nil {
		t.Logf("image tarball %d bytes, written in %v", fi.Size(), time.Since(start).Round(time.Millisecond))
	}

	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			d := testbed.Start(t, v)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if _, err := d.Ctr(ctx, "images", "import", tarball); err != nil {
				t.Fatal(err)
			}
			out, err := d.Ctr(ctx, "images", "ls", "-q")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains("\n"+out, "\n"+ref+"\n") {
				t.Errorf("ctr images ls after the import lacks %s:\n%s", ref, out)
			}
			// ctr run's runc root and cgroup are the host's, shared with
			// other daemons: the id is unique to this test process.
			id := fmt.Sprintf("ctui-image-%d-%s", os.Getpid(), strings.ReplaceAll(string(v), ".", ""))
			out, err = d.Ctr(ctx, "run", "--rm",
				"--mount", "type=bind,src="+d.Dir+",dst=/host/run/containerd,options=bind:ro",
				ref, id, testbed.CtuiImagePath, "version")
			if err != nil {
				t.Fatalf("ctui version in its image: %v", err)
			}
			serverVersion := "1.6"
			if v == testbed.V2 {
				serverVersion = "2."
			}
			for _, line := range []string{
				"ctui: " + want + " (",
				"node's root: /host",
				"chosen by: autodetected: the node's runtime socket is under /host",
				"containerd address: /host/run/containerd/containerd.sock",
				"chosen by: autodetected: containerd at /host/run/containerd/containerd.sock",
				"server version: " + serverVersion,
				"CRI runtime endpoint: unix:///host/run/containerd/containerd.sock",
				"runtime: containerd " + serverVersion,
			} {
				if !strings.Contains(squeeze(out), line) {
					t.Errorf("ctui version in its image lacks %q:\n%s", line, out)
				}
			}
			t.Logf("containerd %s: import and run in %v", v, time.Since(start).Round(time.Millisecond))
		})
	}
}

// squeeze turns runs of spaces (tabwriter's padding) into one.
func squeeze(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		b.WriteString(strings.Join(strings.Fields(line), " "))
		b.WriteByte('\n')
	}
	return b.String()
}
