// Command ctui-lab runs the test bed by hand: a seeded containerd for
// `make demo`, seeding at scale for benchmarks, and the containerd 2.x build.
//
//	ctui-lab demo [--version 1.6|2.x] [--dir DIR] [-- COMMAND [ARGS...]]
//	ctui-lab seed-scale --address SOCKET [--namespace NS] --images N --containers N
//	ctui-lab containerd2
//	ctui-lab write-images FILE
//	ctui-lab sized-image --ref REF --layers N --layer-bytes N FILE
//	ctui-lab image --ref REF --version V [--created TIME] --out FILE PLATFORM=BINARY...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

const usage = `usage:
  ctui-lab demo [--version 1.6|2.x] [--dir DIR] [-- COMMAND [ARGS...]]
      start a containerd, seed it (images, tasks, pods), run COMMAND with
      CONTAINERD_ADDRESS and CONTAINER_RUNTIME_ENDPOINT pointing at it (or
      wait for ^C without one), then tear everything down
  ctui-lab seed-scale --address SOCKET [--namespace NS] --images N --containers N
      add N image names and N containers (no tasks) to a running containerd
  ctui-lab containerd2
      build containerd 2.x once (cached) and print its directory
  ctui-lab write-images FILE
      write the test images as an OCI layout tar
  ctui-lab sized-image --ref REF --layers N --layer-bytes N FILE
      write an image of N random layers as an OCI layout tar
  ctui-lab image --ref REF --version V [--created RFC3339] --out FILE PLATFORM=BINARY...
      write ctui's own image (make image): the static binary of each platform
      (linux/amd64=dist/ctui-V-linux-amd64 ...) as its entrypoint, one OCI
      layout tar for every platform
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "demo":
		err = demo(ctx, os.Args[2:])
	case "seed-scale":
		sctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		err = seedScale(sctx, os.Args[2:])
		stop()
	case "containerd2":
		var dir string
		if dir, err = testbed.Containerd2Dir(); err == nil {
			fmt.Println(dir)
		}
	case "write-images":
		if len(os.Args) != 3 {
			err = errors.New("write-images needs one FILE")
		} else {
			err = testbed.WriteTestImages(os.Args[2])
		}
	case "sized-image":
		err = sizedImage(os.Args[2:])
	case "image":
		err = ctuiImage(os.Args[2:])
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		err = fmt.Errorf("unknown command %q\n%s", os.Args[1], usage)
	}
	var exit exitError
	if errors.As(err, &exit) {
		os.Exit(int(exit))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctui-lab:", err)
		os.Exit(1)
	}
}

// exitError carries the demo command's exit status out through main.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	version := fs.String("version", string(testbed.V16), "containerd version: 1.6 or 2.x")
	dir := fs.String("dir", "", "daemon directory (default: a fresh one under /tmp); removed at the end")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v, err := testbed.ParseVersion(*version)
	if err != nil {
		return err
	}
	command := fs.Args()

	// Until the command runs, ^C, SIGTERM and SIGHUP stop the demo.
	sigCtx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stopSignals()
	startCtx, cancel := context.WithTimeout(sigCtx, 3*time.Minute)
	defer cancel()
	fmt.Fprintf(os.Stderr, "ctui-lab: starting containerd %s...\n", v)
	d, err := testbed.StartDaemon(startCtx, v, *dir)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(os.Stderr, "ctui-lab: stopping containerd and removing", d.Dir)
		if err := d.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "ctui-lab:", err)
		}
	}()
	seed, err := d.SeedDemo(startCtx)
	if err != nil {
		return fmt.Errorf("seed the demo: %w", err)
	}
	fmt.Fprintf(os.Stderr, "ctui-lab: containerd %s in %s seeded: %s\n", d.Version, d.Dir, seed)
	for _, kv := range d.Env() {
		fmt.Fprintf(os.Stderr, "  export %s\n", kv)
	}
	fmt.Fprintf(os.Stderr, "  ctr: %s --address %s\n", d.CtrPath, d.Socket)

	if len(command) == 0 {
		fmt.Fprintln(os.Stderr, "ctui-lab: press ^C to stop")
		<-sigCtx.Done()
		return nil
	}
	stopSignals()
	return runCommand(ctx, command, d.Env())
}

// runCommand runs the demo's command in the foreground with env added. A
// terminal's ^C reaches the command itself and is none of ctui-lab's
// business; SIGTERM and SIGHUP are passed on to the command.
func runCommand(parent context.Context, command, env []string) error {
	ctx, stop := signal.NotifyContext(parent, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt) // caught, so the command still gets the default
	defer signal.Stop(interrupts)
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", strings.Join(command, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return commandResult(err)
	case <-ctx.Done():
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		return commandResult(err)
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		return commandResult(<-done)
	}
}

func commandResult(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() > 0 {
		return exitError(ee.ExitCode())
	}
	return err
}

func seedScale(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed-scale", flag.ContinueOnError)
	address := fs.String("address", os.Getenv("CONTAINERD_ADDRESS"), "containerd socket (default $CONTAINERD_ADDRESS)")
	ns := fs.String("namespace", "scale", "namespace to fill")
	nImages := fs.Int("images", 1000, "image names to create")
	nContainers := fs.Int("containers", 1000, "containers to create")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *address == "" {
		return errors.New("seed-scale needs --address or CONTAINERD_ADDRESS")
	}
	start := time.Now()
	if err := testbed.SeedScale(ctx, strings.TrimPrefix(*address, "unix://"), *ns, *nImages, *nContainers); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "ctui-lab: %d images and %d containers in namespace %s in %s\n", *nImages, *nContainers, *ns, time.Since(start).Round(time.Millisecond))
	return nil
}

func sizedImage(args []string) error {
	fs := flag.NewFlagSet("sized-image", flag.ContinueOnError)
	ref := fs.String("ref", "localhost/test/sized:latest", "image reference")
	layers := fs.Int("layers", 4, "random layers")
	layerBytes := fs.Int64("layer-bytes", 16<<20, "bytes per layer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("sized-image needs one FILE")
	}
	return testbed.WriteSizedImage(fs.Arg(0), *ref, *layers, *layerBytes)
}

func ctuiImage(args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	ref := fs.String("ref", "", "image reference, e.g. localhost/ctui:v1.2.0")
	version := fs.String("version", "", "ctui's version, for the image's label")
	created := fs.String("created", "", "creation time, RFC 3339 (default: now); make passes the commit's")
	out := fs.String("out", "", "the OCI layout tar to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ref == "" || *out == "" || fs.NArg() == 0 {
		return errors.New("image needs --ref, --out and at least one PLATFORM=BINARY")
	}
	img := testbed.CtuiImage{Ref: *ref, Version: *version, Created: time.Now(), Binaries: map[string]string{}}
	if *created != "" {
		t, err := time.Parse(time.RFC3339, *created)
		if err != nil {
			return fmt.Errorf("--created %q: %w", *created, err)
		}
		img.Created = t
	}
	for _, a := range fs.Args() {
		platform, bin, ok := strings.Cut(a, "=")
		if !ok || platform == "" || bin == "" {
			return fmt.Errorf("%q: want PLATFORM=BINARY, e.g. linux/amd64=dist/ctui-linux-amd64", a)
		}
		img.Binaries[platform] = bin
	}
	return testbed.WriteCtuiImage(*out, img)
}
