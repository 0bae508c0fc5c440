package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed"
)

// TestEndToEndNavigator walks every view of the navigator in a real
// terminal against containerd 1.6 and 2.x: filter, sort, :ns, containers
// with a task that ctr starts and kills behind ctui's back, tasks, pods and
// a crash loop's attempts, describe with search, help, resize.
func TestEndToEndNavigator(t *testing.T) {
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if _, err := d.SeedDemo(ctx); err != nil {
				t.Fatalf("seed: %v\n%s", err, d.LogTail(20))
			}
			s := startScreen(t, 100, 30, d.Env())
			s.waitFor(screenWait, "localhost/test/busybox:latest", "localhost/test/busybox:pause", "images 2")

			// Filter: substring, then cleared with esc.
			s.keys("/")
			s.typeText("pause")
			s.keys("Enter")
			txt := s.waitFor(screenWait, "1/2")
			if strings.Contains(txt, "busybox:latest") {
				t.Errorf("filter 'pause' still shows busybox:latest:\n%s", txt)
			}
			s.keys("Escape")
			s.waitFor(screenWait, "busybox:latest", "images 2")

			// Sort by REF with Shift+R, again to reverse.
			s.keys("R")
			txt = s.waitFor(screenWait, "REF↑")
			if strings.Index(txt, "busybox:latest") > strings.Index(txt, "busybox:pause") {
				t.Errorf("REF ascending puts pause first:\n%s", txt)
			}
			s.keys("R")
			txt = s.waitFor(screenWait, "REF↓")
			if strings.Index(txt, "busybox:latest") < strings.Index(txt, "busybox:pause") {
				t.Errorf("REF descending puts latest first:\n%s", txt)
			}

			// Namespaces with their counts; :ns NAME switches.
			s.keys(":")
			s.typeText("ns")
			s.keys("Enter")
			s.waitFor(screenWait, "default (current)", "k8s.io", testbed.DemoNamespace, "IMAGES", "RUNNING")

			// Containers, live: a task ctr starts appears without a key
			// press, and its kill shows.
			s.keys(":")
			s.typeText("c")
			s.keys("Enter")
			s.waitFor(screenWait, testbed.DemoTickerTask, "RUNNING")
			// ctr's runc root and cgroup are per host, not per daemon:
			// the id must be unique across the daemons run side by side.
			id := fmt.Sprintf("e2e-live-%d-%s", os.Getpid(), strings.ReplaceAll(string(v), ".", ""))
			start := time.Now()
			if _, err := d.Ctr(ctx, "run", "-d", testbed.BusyboxImage, id, "sleep", "600"); err != nil {
				t.Fatal(err)
			}
			s.waitFor(5*time.Second, id)
			t.Logf("a task started by ctr showed after %s", time.Since(start).Round(time.Millisecond))
			start = time.Now()
			if _, err := d.Ctr(ctx, "tasks", "kill", "-s", "SIGKILL", id); err != nil {
				t.Fatal(err)
			}
			s.waitFor(5*time.Second, "137")
			t.Logf("its kill showed after %s", time.Since(start).Round(time.Millisecond))
			if _, err := d.Ctr(ctx, "tasks", "rm", id); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Ctr(ctx, "containers", "rm", id); err != nil {
				t.Fatal(err)
			}
			s.waitGone(5*time.Second, id)

			// Tasks.
			s.keys(":")
			s.typeText("t")
			s.keys("Enter")
			s.waitFor(screenWait, "TASK", testbed.DemoTickerTask, testbed.DemoDoneTask, "STOPPED")

			// Pods and the crash loop's attempts.
			s.keys(":")
			s.typeText("po")
			s.keys("Enter")
			s.waitFor(screenWait, testbed.DemoLoggerPod, testbed.DemoCrashPod, "Ready")
			s.keys("/")
			s.typeText(testbed.DemoCrashPod)
			s.keys("Enter")
			s.waitFor(screenWait, "1/2")
			s.keys("Enter")
			txt = s.waitFor(screenWait, "crasher", "Exited", "Error")
			if strings.Count(txt, "crasher") < 3 {
				t.Errorf("the crash loop's three attempts are not all listed:\n%s", txt)
			}

			// Describe with search.
			s.keys("d")
			s.waitFor(screenWait, "describe pod container")
			s.keys("/")
			s.typeText("exitCode")
			s.keys("Enter")
			s.waitFor(screenWait, "match 1/")
			s.keys("y")
			s.waitFor(screenWait, "yaml")
			s.keys("Escape") // clears the search
			s.waitGone(screenWait, "match 1/")
			s.keys("Escape") // back to the pod
			s.waitFor(screenWait, "pod jobs/"+testbed.DemoCrashPod)

			// :ns k8s.io switches the namespace; the images there show
			// CRI's columns.
			s.keys(":")
			s.typeText("ns k8s.io")
			s.keys("Enter")
			s.waitFor(screenWait, "ns k8s.io")
			s.keys(":")
			s.typeText("img")
			s.keys("Enter")
			s.waitFor(screenWait, "ns k8s.io", "busybox:pause")

			// Help, then a terminal too small, then usable again.
			s.keys("?")
			s.waitFor(screenWait, "command mode")
			s.keys("Escape")
			s.resize(30, 8)
			s.waitFor(screenWait, "bigger window")
			s.resize(80, 24)
			s.waitFor(screenWait, "busybox:pause")

			s.keys("q")
			if code := s.waitExit(exitWait); code != 0 {
				t.Errorf("q: exit %d", code)
			}
		})
	}
}

// TestEndToEndTerminals: a monochrome screen with NO_COLOR or --no-color,
// and TERM=screen as over an old SSH+screen session.
func TestEndToEndTerminals(t *testing.T) {
	t.Parallel()
	d := testbed.Start(t, testbed.V16)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.ImportTestImages(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"NO_COLOR", []string{"NO_COLOR=1"}, nil},
		{"--no-color", nil, []string{"--no-color"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startScreen(t, 80, 24, append(d.Env(), tc.env...), tc.args...)
			s.waitFor(screenWait, "busybox:latest")
			styled := s.tmux("capture-pane", "-p", "-e", "-t", "main")
			for _, sgr := range []string{"[38;", "[48;", "[3", "[4"} {
				if i := strings.Index(styled, "\x1b"+sgr); i >= 0 && !strings.HasPrefix(styled[i+1:], "[39m") && !strings.HasPrefix(styled[i+1:], "[49m") {
					t.Fatalf("a colour escape %q reached a monochrome screen:\n%q", styled[i:min(i+12, len(styled))], styled)
				}
			}
			s.keys("q")
			s.waitExit(exitWait)
		})
	}
	t.Run("TERM=screen", func(t *testing.T) {
		s := startScreen(t, 80, 24, append(d.Env(), "TERM=screen"))
		s.waitFor(screenWait, "busybox:latest", "images 2")
		s.keys("j", "k", "q")
		if code := s.waitExit(exitWait); code != 0 {
			t.Errorf("exit %d", code)
		}
	})
}
