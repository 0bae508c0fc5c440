package tasks

import (
	"strconv"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// row renders the task of container c (which must have one). withPod adds
// POD and CONTAINER (k8s.io). now fixes "how long ago", so rendering is
// pure.
func row(c backend.Container, withPod bool, now time.Time) table.Row {
	t := c.Task
	pid, pidN := "-", int64(0)
	if t.PID != 0 {
		pid, pidN = strconv.FormatUint(uint64(t.PID), 10), int64(t.PID)
	}
	exit, exitN := "-", int64(-1)
	if t.Status == backend.TaskStopped {
		exit, exitN = strconv.FormatUint(uint64(t.ExitStatus), 10), int64(t.ExitStatus)
	}
	status := string(t.Status)
	if status == "" {
		status = string(backend.TaskUnknown)
	}
	num := make([]int64, colExited+1)
	num[colPID], num[colExit] = pidN, exitN
	if !t.ExitedAt.IsZero() {
		num[colExited] = t.ExitedAt.UnixNano()
	}
	cells := []string{colTask: c.ID, colPID: pid, colStatus: status, colExit: exit, colExited: humanize.Age(t.ExitedAt, now)}
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
