package logs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestRealContainerd reads logs that a real containerd wrote, found through
// ctui's own adapters as the viewer would find them: a CRI pod's current log
// followed live, a crash-looping container's previous attempt, and a native
// task started with a file:// log URI.
func TestRealContainerd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			d := testbed.Start(t, v)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, ImageEndpoint: d.Endpoint, Timeout: 10 * time.Second}

			_, logIDs, err := d.RunPod(ctx, testbed.LoggingPod("logger"))
			if err != nil {
				t.Fatal(err)
			}
			_, crashIDs, err := d.RunPod(ctx, testbed.CrashLoopPod("crasher"))
			if err != nil {
				t.Fatal(err)
			}
			attempts, err := d.CrashLoop(ctx, crashIDs[0], 1)
			if err != nil {
				t.Fatal(err)
			}
			taskLog := filepath.Join(d.Dir, "tasklogs", "printer.log")
			if err := d.RunTask(ctx, "default", "printer", testbed.BusyboxImage, taskLog,
				"sh", "-c", `echo "task out"; echo "task err" >&2; sleep 3600`); err != nil {
				t.Fatal(err)
			}

			rt, err := cri.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			ctrs, err := rt.PodContainers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]backend.PodContainer{}
			for _, c := range ctrs {
				byID[c.ID] = c
			}

			t.Run("follow the logging pod", func(t *testing.T) {
				src, err := logs.CRISource(byID[logIDs[0]])
				if err != nil {
					t.Fatal(err)
				}
				fctx, stop := context.WithCancel(ctx)
				defer stop()
				r, err := logs.Open(fctx, src, logs.Options{Follow: true, Tail: 5})
				if err != nil {
					t.Fatal(err)
				}
				var got []backend.LogLine
				live, atEnd, rotatedAt := 0, false, -1
				deadline := time.After(30 * time.Second)
				// collect reads until want lines came after the history.
				collect := func(want int) {
					for live < want || !hasStderr(got) {
						select {
						case b, ok := <-r.Batches():
							if !ok || b.Err != nil {
								t.Fatalf("reader ended: %v", b.Err)
							}
							if atEnd {
								live += len(b.Lines)
							}
							atEnd = atEnd || b.AtEnd
							if strings.Contains(b.Notice, "rotated") && rotatedAt < 0 {
								rotatedAt = len(got)
							}
							got = append(got, b.Lines...)
						case <-deadline:
							t.Fatalf("only %d lines: %s", len(got), dumpTexts(got))
						}
					}
				}
				collect(3)

				// Rotate as kubelet does: rename, then ask the runtime to
				// reopen, which creates a new file at the same path.
				if err := os.Rename(src.Path, src.Path+".20261121-224024"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(700 * time.Millisecond) // a line or two into the renamed file
				if err := reopenContainerLog(ctx, d.Endpoint, logIDs[0]); err != nil {
					t.Fatal(err)
				}
				collect(live + 4)
				if rotatedAt < 0 {
					t.Fatalf("no rotation notice")
				}
				// Every "line N" once, in order, across the rotation.
				prev := 0
				for _, l := range got {
					var n int
					if _, err := fmt.Sscanf(l.Text, "line %d", &n); err != nil {
						continue
					}
					if prev != 0 && n != prev+1 {
						t.Fatalf("line %d after line %d:\n%s", n, prev, dumpTexts(got))
					}
					prev = n
				}
				for i, l := range got {
					if l.Seq != uint64(i+1) || l.Time.IsZero() {
						t.Fatalf("line %d: %+v", i, l)
					}
					switch {
					case strings.HasPrefix(l.Text, "line "):
						if l.Stream != backend.StreamStdout {
							t.Fatalf("%q on %s", l.Text, l.Stream)
						}
					case strings.HasPrefix(l.Text, "warning "):
						if l.Stream != backend.StreamStderr {
							t.Fatalf("%q on %s", l.Text, l.Stream)
						}
					default:
						t.Fatalf("unexpected line %q", l.Text)
					}
				}
				// The follow keeps up: the last line is a recent one
				// (stamped by the daemon's clock, which is this
				// machine's), generously for a loaded machine.
				last := got[len(got)-1]
				if lag := time.Since(last.Time); lag > testclock.Generous {
					t.Errorf("last line is %v old", lag)
				}
			})

			t.Run("previous attempt of the crash loop", func(t *testing.T) {
				cur := byID[attempts[1]]
				if cur.Attempt != 1 {
					t.Fatalf("attempt %d", cur.Attempt)
				}
				src, err := logs.PreviousSource(cur)
				if err != nil {
					t.Fatal(err)
				}
				lines, err := logs.Read(ctx, src, logs.Options{})
				if err != nil {
					t.Fatal(err)
				}
				text := dumpTexts(lines)
				if !strings.Contains(text, "stdout starting attempt") || !strings.Contains(text, "stderr fatal: missing config /etc/app.conf") {
					t.Fatalf("previous log:\n%s", text)
				}
				first := byID[attempts[0]]
				if _, err := logs.PreviousSource(first); !errors.Is(err, backend.ErrNotFound) {
					t.Fatalf("attempt 0 has a previous log? %v", err)
				}
			})

			t.Run("native task with a file log URI", func(t *testing.T) {
				nc, err := containerd.New(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
				cs, err := nc.Containers(ctx, "default")
				if err != nil {
					t.Fatal(err)
				}
				var task *backend.Task
				for _, c := range cs {
					if c.ID == "printer" {
						task = c.Task
					}
				}
				if task == nil {
					t.Fatal("task printer not listed")
				}
				src, err := logs.TaskSource(*task)
				if err != nil {
					t.Fatalf("stdout %q: %v", task.Stdout, err)
				}
				var lines []backend.LogLine
				for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && len(lines) < 2; time.Sleep(100 * time.Millisecond) {
					if lines, err = logs.Read(ctx, src, logs.Options{}); err != nil {
						t.Fatal(err)
					}
				}
				if got := dumpTexts(lines); got != " task out\n task err\n" && got != " task err\n task out\n" {
					t.Fatalf("task log:\n%q", got)
				}
			})
		})
	}
}

func hasStderr(ls []backend.LogLine) bool {
	for _, l := range ls {
		if l.Stream == backend.StreamStderr {
			return true
		}
	}
	return false
}

func dumpTexts(ls []backend.LogLine) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Stream + " " + l.Text + "\n")
	}
	return b.String()
}

// reopenContainerLog is kubelet's second step of rotation.
func reopenContainerLog(ctx context.Context, endpoint, id string) error {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = runtimeapi.NewRuntimeServiceClient(conn).ReopenContainerLog(ctx, &runtimeapi.ReopenContainerLogRequest{ContainerId: id})
	return err
}
