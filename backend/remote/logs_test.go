package remote_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/backend/testbed"
)

// Logs of a remote node read over the SSH connection (sftp through the
// master) against real containerd 1.6 and 2.x behind a real sshd: a CRI
// pod's log followed across kubelet's rotation and across a killed sshd
// (every line once, in order), a crash loop's previous attempt, a native
// task's file:// log, as a user whose sudo reaches the root-owned files and
// through the sftp subsystem without sudo.
func TestLogsOverSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd daemons and sshd")
	}
	for _, v := range testbed.Versions() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			d := testbed.Start(t, v)
			s := testbed.StartSSHD(t, d.Socket)
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
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

			tr, _, b, err := open(ctx, t, s.SSHCommand, s.Endpoint(s.User, "", true))
			if err != nil {
				t.Fatal(err)
			}
			files := tr.Files()
			ctrs, err := b.CRI.PodContainers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]backend.PodContainer{}
			for _, c := range ctrs {
				byID[c.ID] = c
			}

			t.Run("follow across rotation and a dropped link", func(t *testing.T) {
				src, err := logs.CRISource(byID[logIDs[0]])
				if err != nil {
					t.Fatal(err)
				}
				src.FS = files
				fctx, stop := context.WithCancel(ctx)
				defer stop()
				r, err := logs.Open(fctx, src, logs.Options{Follow: true, Tail: 5})
				if err != nil {
					t.Fatal(err)
				}
				var got []backend.LogLine
				var notices []string
				live, atEnd := 0, false
				deadline := time.After(2 * time.Minute)
				collect := func(want int, notice string) {
					t.Helper()
					for live < want || (notice != "" && !strings.Contains(strings.Join(notices, "|"), notice)) {
						select {
						case b, ok := <-r.Batches():
							if !ok || b.Err != nil {
								t.Fatalf("reader ended: %v", b.Err)
							}
							if atEnd {
								live += len(b.Lines)
							}
							atEnd = atEnd || b.AtEnd
							if b.Notice != "" {
								notices = append(notices, b.Notice)
							}
							got = append(got, b.Lines...)
						case <-deadline:
							t.Fatalf("%d lines, notices %q (waiting for %q): %s", len(got), notices, notice, texts(got))
						}
					}
				}
				collect(3, "")
				if len(got) < 5 {
					t.Fatalf("history of %d lines: %s", len(got), texts(got))
				}

				// Rotate as kubelet does: rename, then the runtime reopens.
				if err := os.Rename(src.Path, src.Path+".20261121-224024"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(700 * time.Millisecond)
				if err := reopenContainerLog(ctx, d.Endpoint, logIDs[0]); err != nil {
					t.Fatal(err)
				}
				collect(live+4, "log rotated")

				// The link drops: a sentence, then the log goes on from
				// where it stopped once sshd is back.
				s.Kill()
				collect(live, "lost the SSH connection")
				time.Sleep(2 * time.Second) // lines written while the link is down
				if err := s.Start(); err != nil {
					t.Fatal(err)
				}
				collect(live+6, "connection back")
				t.Logf("notices: %q", notices)

				prev := 0
				for _, l := range got {
					var n int
					if _, err := fmt.Sscanf(l.Text, "line %d", &n); err != nil {
						continue
					}
					if prev != 0 && n != prev+1 {
						t.Fatalf("line %d after line %d:\n%s", n, prev, texts(got))
					}
					prev = n
				}
				for i, l := range got {
					if l.Seq != uint64(i+1) || l.Time.IsZero() {
						t.Fatalf("line %d: %+v", i, l)
					}
				}
			})

			t.Run("previous attempt", func(t *testing.T) {
				cur := byID[attempts[1]]
				src, err := logs.PreviousSourceOn(cur, files)
				if err != nil {
					t.Fatal(err)
				}
				lines, err := logs.Read(ctx, src, logs.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if text := texts(lines); !strings.Contains(text, "fatal: missing config /etc/app.conf") {
					t.Fatalf("previous log over ssh:\n%s", text)
				}
				if _, err := logs.PreviousSourceOn(byID[attempts[0]], files); !errors.Is(err, backend.ErrNotFound) {
					t.Fatalf("attempt 0 has a previous log? %v", err)
				}
			})

			taskLines := func(t *testing.T, fsys logs.FS, native backend.Native) {
				t.Helper()
				cs, err := native.Containers(ctx, "default")
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
					t.Fatal(err)
				}
				src.FS = fsys
				var lines []backend.LogLine
				for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && len(lines) < 2; time.Sleep(200 * time.Millisecond) {
					if lines, err = logs.Read(ctx, src, logs.Options{}); err != nil {
						t.Fatal(err)
					}
				}
				if got := texts(lines); got != "task out\ntask err\n" && got != "task err\ntask out\n" {
					t.Fatalf("task log over ssh:\n%q", got)
				}
			}
			t.Run("native task log through sudo", func(t *testing.T) {
				taskLines(t, files, b.Native)
			})
			t.Run("native task log through the sftp subsystem, as root", func(t *testing.T) {
				tr, _, rb, err := open(ctx, t, s.SSHCommand, s.Endpoint("", d.Socket, false))
				if err != nil {
					t.Fatal(err)
				}
				taskLines(t, tr.Files(), rb.Native)
			})
		})
	}
}

func texts(ls []backend.LogLine) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Text + "\n")
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
