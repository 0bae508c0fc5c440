package logs_test

import (
	"context"
	"testing"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/containerd"
	"github.com/ctui/ctui/backend/cri"
	"github.com/ctui/ctui/backend/logs"
	"github.com/ctui/ctui/backend/logs/logstest"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
)

// TestRealContainerd reads logs that a real containerd wrote, found through
// ctui's own adapters as the viewer would find them, in logstest's
// scenarios on the local filesystem: a CRI pod's current log followed live
// across kubelet's rotation, a crash-looping container's previous attempt,
// and a native task started with a file:// log URI.
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
			node := logstest.Seed(ctx, t, d)

			rt, err := cri.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			ctrs, err := rt.PodContainers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			byID := logstest.ByID(ctrs)

			t.Run("follow the logging pod", func(t *testing.T) {
				src, err := logs.CRISource(byID[node.Logger])
				if err != nil {
					t.Fatal(err)
				}
				fctx, stop := context.WithCancel(ctx)
				defer stop()
				f := logstest.FollowAcrossRotation(fctx, t, d, node, src, 30*time.Second)
				// The follow keeps up: the last line is a recent one
				// (stamped by the daemon's clock, which is this
				// machine's), generously for a loaded machine.
				last := f.Got[len(f.Got)-1]
				if lag := time.Since(last.Time); lag > testclock.Generous {
					t.Errorf("last line is %v old", lag)
				}
			})

			t.Run("previous attempt of the crash loop", func(t *testing.T) {
				logstest.PreviousAttempt(ctx, t, node, byID, logs.PreviousSource)
			})

			t.Run("native task with a file log URI", func(t *testing.T) {
				nc, err := containerd.New(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
				logstest.TaskLog(ctx, t, nc, nil)
			})
		})
	}
}
