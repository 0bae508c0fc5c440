// Package seed is what the benches that measure ctui on a node of their own
// share: the flags naming the ctui binary, the containerd version and what
// to seed (image names and containers without tasks, in a namespace), and
// a throwaway containerd (backend/testbed) started and seeded from them.
package seed

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// Flags are the shared flags' values (after flag.Parse).
type Flags struct {
	CTUI       string // -ctui: the built ctui binary
	Version    string // -version: containerd 1.6 or 2.x
	Namespace  string // -namespace: where to seed and what ctui opens
	Images     int    // -images: image names to seed
	Containers int    // -containers: containers to seed, with no task
}

// Define registers the shared flags on flag.CommandLine with def's values
// as their defaults (-version always, default 1.6 when def has none). A
// flag a bench has no use for is left out: -ctui and -namespace when def's
// is "", -images and -containers when def's is negative (then 0).
func Define(def Flags) *Flags {
	f := def
	if def.CTUI != "" {
		flag.StringVar(&f.CTUI, "ctui", def.CTUI, "the ctui binary to measure")
	}
	if def.Version == "" {
		def.Version = "1.6"
	}
	flag.StringVar(&f.Version, "version", def.Version, "containerd version: 1.6 or 2.x")
	if def.Namespace != "" {
		flag.StringVar(&f.Namespace, "namespace", def.Namespace, "namespace to seed and open")
	}
	if def.Images >= 0 {
		flag.IntVar(&f.Images, "images", def.Images, "image names to seed")
	} else {
		f.Images = 0
	}
	if def.Containers >= 0 {
		flag.IntVar(&f.Containers, "containers", def.Containers, "containers to seed (no tasks)")
	} else {
		f.Containers = 0
	}
	return &f
}

// Binary is a ctui binary's path (as -ctui takes it) made absolute, or an
// error saying it is not built.
func Binary(path string) (string, error) {
	bin, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s: %w (run make build first)", bin, err)
	}
	return bin, nil
}

// Start starts a throwaway containerd of the -version; the caller stops it.
func (f *Flags) Start(ctx context.Context) (*testbed.Daemon, error) {
	v, err := testbed.ParseVersion(f.Version)
	if err != nil {
		return nil, err
	}
	return testbed.StartDaemon(ctx, v, "")
}

// Seed fills d's -namespace with -images image names and -containers
// containers (testbed.SeedScale) and says what and how long it took.
func (f *Flags) Seed(ctx context.Context, d *testbed.Daemon) (string, error) {
	t0 := time.Now()
	if err := testbed.SeedScale(ctx, d.Socket, f.Namespace, f.Images, f.Containers); err != nil {
		return "", err
	}
	return fmt.Sprintf("containerd %s: seeded %d image names and %d containers in %s",
		d.Version, f.Images, f.Containers, time.Since(t0).Round(time.Millisecond)), nil
}

// StartSeeded is Start then Seed; it says what was seeded. The caller stops
// the daemon (stopped here when seeding fails).
func (f *Flags) StartSeeded(ctx context.Context) (*testbed.Daemon, string, error) {
	d, err := f.Start(ctx)
	if err != nil {
		return nil, "", err
	}
	said, err := f.Seed(ctx, d)
	if err != nil {
		d.Stop()
		return nil, "", err
	}
	return d, said, nil
}
