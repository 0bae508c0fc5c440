package containerd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctui/ctui/backend"
	ctd "github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/testbed"
	testreg "github.com/ctui/ctui/backend/testbed/registry"
)

// BenchmarkImageActions measures pull, import and export of a ~200 MB image
// of seven layers (busybox plus six of 32 MiB random data) by ctui and by
// the daemon's own ctr, side by side on the same daemon, registry and disk.
// Each iteration starts from a store without the image's content (removed
// with rm --sync, since the content store is shared by all namespaces and
// would otherwise skip the download), so every pull fetches and unpacks
// everything. go test prints MB/s per line; bench/images.sh puts ctui and
// ctr next to each other.
//
// ctr runs as an operator would run it: ctr 1.6 pulls and imports on the
// client side, ctr 2.x through the transfer service in the daemon.
func BenchmarkImageActions(b *testing.B) {
	if _, err := os.Stat(testreg.Binary); err != nil {
		b.Skip("no docker-registry")
	}
	dir := b.TempDir()
	tarPath := filepath.Join(dir, "bench.tar")
	const ref = "localhost/test/bench:v1"
	if err := testbed.WriteSizedImage(tarPath, ref, 6, 32<<20); err != nil {
		b.Fatal(err)
	}
	reg := testreg.New(b, testreg.Options{})
	for _, v := range testbed.Versions() {
		b.Run(string(v), func(b *testing.B) { benchImageActions(b, v, reg, tarPath, ref) })
	}
}

func benchImageActions(b *testing.B, v testbed.Version, reg *testreg.Registry, tarPath, ref string) {
	ctx := context.Background()
	d := testbed.Start(b, v)
	c, err := ctd.New(ctx, backend.Config{Address: d.Socket})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctr := func(args ...string) {
		b.Helper()
		if _, err := d.Ctr(ctx, args...); err != nil {
			b.Fatal(err)
		}
	}
	remote := reg.Ref("bench-"+strings.ReplaceAll(string(v), ".", ""), "v1")
	f, err := os.Open(tarPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.ImportTar(ctx, "seed", f); err != nil {
		b.Fatal(err)
	}
	f.Close()
	ctr("-n", "seed", "images", "tag", ref, remote)
	ctr("-n", "seed", "images", "push", "--plain-http", remote)
	ctr("-n", "seed", "images", "rm", "--sync", ref, remote)
	fi, err := os.Stat(tarPath)
	if err != nil {
		b.Fatal(err)
	}
	size := fi.Size()
	reg1 := backend.RegistryOptions{HostsDirs: []string{}, RegistriesYAML: []string{}, DockerConfig: "-", PlainHTTP: true}
	clean := func(ns string, names ...string) {
		b.Helper()
		ctr(append([]string{"-n", ns, "images", "rm", "--sync"}, names...)...)
	}

	b.Run("pull/ctui", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := c.PullImage(ctx, "ctui", backend.PullOptions{Ref: remote, Registry: reg1}, nil); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			clean("ctui", remote)
			b.StartTimer()
		}
	})
	b.Run("pull/ctr", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			ctr("-n", "ctr", "images", "pull", "--plain-http", remote)
			b.StopTimer()
			clean("ctr", remote)
			b.StartTimer()
		}
	})
	b.Run("import/ctui", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := c.ImportImages(ctx, "ctui", backend.ImportOptions{Path: tarPath}, nil); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			clean("ctui", ref)
			b.StartTimer()
		}
	})
	b.Run("import/ctr", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			ctr("-n", "ctr", "images", "import", tarPath)
			b.StopTimer()
			clean("ctr", ref)
			b.StartTimer()
		}
	})

	// Export reads what a pull left; keep one copy for both sides.
	if _, err := c.PullImage(ctx, "export", backend.PullOptions{Ref: remote, Registry: reg1}, nil); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "out.tar")
	b.Run("export/ctui", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := c.ExportImages(ctx, "export", backend.ExportOptions{Refs: []string{remote}, Path: out, Overwrite: true}, nil); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.Remove(out)
			b.StartTimer()
		}
	})
	b.Run("export/ctr", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			ctr("-n", "export", "images", "export", out, remote)
			b.StopTimer()
			os.Remove(out)
			b.StartTimer()
		}
	})
}
