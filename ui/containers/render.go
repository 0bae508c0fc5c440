package containers

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// row renders one container with its task. withPod adds the POD and NAME
// cells (k8s.io). now fixes "how long ago" so that rendering is pure.
func row(c backend.Container, withPod bool, now time.Time) table.Row {
	status, pid, exit := "-", "-", "-"
	var pidN, exitN int64 = 0, -1
	if t := c.Task; t != nil {
		status = string(t.Status)
		if t.PID != 0 {
			pid, pidN = strconv.FormatUint(uint64(t.PID), 10), int64(t.PID)
		}
		if t.Status == backend.TaskStopped {
			exit, exitN = strconv.FormatUint(uint64(t.ExitStatus), 10), int64(t.ExitStatus)
		}
	}
	img := c.Image
	if img == "" {
		img = "-" // ctr's rule for a container without an image
	}
	cells := []string{colID: c.ID, colImage: img, colStatus: status, colPID: pid, colExit: exit,
		colCreated: humanize.Age(c.CreatedAt, now), colRuntime: shortRuntime(c.Runtime)}
	num := make([]int64, colRuntime+1)
	num[colPID], num[colExit] = pidN, exitN
	if !c.CreatedAt.IsZero() {
		num[colCreated] = c.CreatedAt.Unix()
	}
	if withPod {
		pod := "-"
		if c.PodName != "" {
			pod = c.PodNamespace + "/" + c.PodName
		}
		name := c.ContainerName
		if c.Kind == "sandbox" {
			name = "(sandbox)"
		}
		if name == "" {
			name = "-"
		}
		cells = append(cells, pod, name)
	}
	return table.Row{ID: c.ID, Cells: cells, Labels: c.Labels, Num: num}
}

// shortRuntime drops the io.containerd. prefix every runtime shares:
// "runc.v2" reads as well as "io.containerd.runc.v2" in a narrow column.
func shortRuntime(r string) string {
	return strings.TrimPrefix(r, "io.containerd.")
}
