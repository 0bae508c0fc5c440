package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/backend/testbed/testclock"
	"github.com/ctui/ctui/ui/internal/uitest"
)

// TestPodsWithoutKubeletLabelsOnRealDaemons: a pod made as `crictl runp
// pod-config.json` makes it (CRI RunPodSandbox and CreateContainer, no
// io.kubernetes.* labels on the sandbox or its container) is named by its
// sandbox's metadata on the containers page, the tasks page, :top and in
// describe, on containerd 1.6 and 2.x through the real adapters.
func TestPodsWithoutKubeletLabelsOnRealDaemons(t *testing.T) {
	testbed.EachVersion(t, 3*time.Minute, func(ctx context.Context, t *testing.T, d *testbed.Daemon) {
		_, ids, err := d.RunPod(ctx, testbed.PodSpec{Name: "runp", Namespace: "tools", WithoutKubeletLabels: true,
			Containers: []testbed.ContainerSpec{{Name: "app", Command: testbed.IdleCommand}}})
		if err != nil {
			t.Fatalf("run pod: %v\n%s", err, d.LogTail(20))
		}
		appID := ids[0]
		cfg := backend.Config{Address: d.Socket, RuntimeEndpoint: d.Endpoint, Namespace: backend.CRINamespace, Timeout: 5 * time.Second}
		b := bothAPIs(ctx, t, cfg)
		dr := &driver{t: t, m: New(ctx, b, Options{NoColor: true, Clock: testclock.Clock()}), loop: uitest.NewLoop(t)}
		dr.send(tea.WindowSizeMsg{Width: 200, Height: 30})
		dr.loop.Run(dr.m.Init())
		const step = time.Minute
		// lineWith: a line of the screen that holds every part.
		lineWith := func(parts ...string) func(Model) bool {
			return func(m Model) bool {
				for l := range strings.SplitSeq(screen(m), "\n") {
					all := true
					for _, p := range parts {
						all = all && strings.Contains(l, p)
					}
					if all {
						return true
					}
				}
				return false
			}
		}

		dr.command("containers")
		dr.until("the containers page names the pod of the app and of its sandbox", step, func(m Model) bool {
			return lineWith(appID[:12], "tools/runp", "app")(m) && lineWith("tools/runp", "(sandbox)")(m)
		})
		dr.keys("/")
		dr.send(uitest.Type(appID)...)
		dr.keys("enter", "d")
		dr.until("describe starts with the pod", step, func(m Model) bool {
			s := screen(m)
			return strings.Contains(s, `"Pod"`) && strings.Contains(s, `"Name": "runp"`) && strings.Contains(s, `"Namespace": "tools"`) &&
				strings.Contains(s, `"Container": "app"`)
		})
		dr.keys("esc")

		dr.command("tasks")
		dr.until("the tasks page names the pod", step, lineWith(appID[:12], "RUNNING", "tools/runp", "app"))

		dr.command("top")
		dr.until(":top names the pod", step, lineWith("k8s.io", appID[:12], "tools/runp app"))
	})
}
