// Command doctorbench measures `ctui doctor` end to end (process start,
// connecting both APIs, every check, printing) on a throwaway containerd of
// each version with the test images in k8s.io, interleaved with
// `ctr plugins ls` (one introspection call, the cheapest thing a person would
// run instead) on the same daemon, and prints the median and spread of each.
//
// ctui reads the node's real files (root /): the figures include whatever
// this machine's /etc, /proc and /sys hold; no registries.yaml means no
// network probe.
//
//	bench/doctor.sh    (or: go run ./bench/doctorbench --ctui bin/ctui --version 1.6,2.x --runs 11)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/measure"
)

func main() {
	var (
		ctuiPath = flag.String("ctui", "bin/ctui", "the ctui binary to measure")
		versions = flag.String("version", "1.6,2.x", "containerd versions, comma-separated")
		runs     = flag.Int("runs", 11, "runs of each command (interleaved)")
	)
	flag.Parse()
	bin, err := filepath.Abs(*ctuiPath)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fail(fmt.Errorf("%v (run make build first)", err))
	}
	for _, s := range strings.Split(*versions, ",") {
		v, err := testbed.ParseVersion(s)
		if err != nil {
			fail(err)
		}
		if err := bench(bin, v, *runs); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "doctorbench:", err)
	os.Exit(1)
}

func bench(bin string, v testbed.Version, runs int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d, err := testbed.StartDaemon(ctx, v, "")
	if err != nil {
		return err
	}
	defer d.Stop()
	if err := d.ImportTestImages(ctx, "k8s.io"); err != nil {
		return err
	}
	doctorCmd := []string{bin, "doctor", "-a", d.Socket, "-r", d.Endpoint}
	ctrCmd := []string{d.CtrPath, "--address", d.Socket, "plugins", "ls"}
	var tDoctor, tCtr []time.Duration
	summary := ""
	for i := 0; i < runs; i++ {
		dt, out, err := timed(doctorCmd)
		if err != nil {
			if _, exit := err.(*exec.ExitError); !exit {
				return err
			}
		}
		tDoctor = append(tDoctor, dt)
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) > 0 {
			summary = lines[len(lines)-1]
		}
		ct, _, err := timed(ctrCmd)
		if err != nil {
			return fmt.Errorf("ctr plugins ls: %w", err)
		}
		tCtr = append(tCtr, ct)
	}
	fmt.Printf("containerd %s, %d runs each, interleaved (%s)\n", v, runs, summary)
	fmt.Printf("  ctui doctor          median %6.1f ms  min %6.1f  max %6.1f\n", ms(measure.Median(tDoctor)), ms(minOf(tDoctor)), ms(slices.Max(tDoctor)))
	fmt.Printf("  ctr plugins ls       median %6.1f ms  min %6.1f  max %6.1f\n", ms(measure.Median(tCtr)), ms(minOf(tCtr)), ms(slices.Max(tCtr)))
	return nil
}

func timed(argv []string) (time.Duration, string, error) {
	t0 := time.Now()
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	return time.Since(t0), string(out), err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func minOf(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}
