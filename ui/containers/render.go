package containers

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// row renders one container with its task. withPod adds the POD,
// CONTAINER and ATTEMPT cells (k8s.io); pc is what CRI says of the
// container, nil when it does not know it (a native-only container, a
// sandbox, CRI not answering). now fixes "how long ago" so that rendering
// is pure.
func row(c backend.Container, pc *backend.PodContainer, withPod bool, now time.Time) table.Row {
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
	} else if pc != nil && pc.State != "" {
		// CRI deletes the task of a container that exited, but still knows
		// how it ended: a crash loop's attempts read EXITED 3, not "-".
		status = strings.ToUpper(string(pc.State))
		if pc.State == backend.ContainerExited {
			exit, exitN = strconv.Itoa(int(pc.ExitCode)), int64(pc.ExitCode)
		}
	}
	img := c.Image
	if img == "" {
		img = "-" // ctr's rule for a container without an image
	}
	cells := []string{colID: c.ID, colImage: img, colStatus: status, colPID: pid, colExit: exit,
		colCreated: humanize.Age(c.CreatedAt, now), colRuntime: shortRuntime(c.Runtime)}
	num := make([]int64, colAttempt+1)
	num[colPID], num[colExit] = pidN, exitN
	if !c.CreatedAt.IsZero() {
		num[colCreated] = c.CreatedAt.Unix()
	}
	if withPod {
		pod, name, attempt := podCells(c, pc)
		cells = append(cells, pod, name, attempt)
		num[colAttempt] = -1
		if pc != nil {
			num[colAttempt] = int64(pc.Attempt)
		}
	}
	return table.Row{ID: c.ID, Cells: cells, Labels: c.Labels, Num: num}
}

// podCells say which pod container a k8s.io container is: from what CRI
// answers (its sandbox's metadata), else from the labels CRI put on it; a
// sandbox reads "(sandbox)".
func podCells(c backend.Container, pc *backend.PodContainer) (pod, name, attempt string) {
	pod, name, attempt = "-", c.ContainerName, "-"
	podName, podNS := c.PodName, c.PodNamespace
	if pc != nil {
		if pc.PodName != "" {
			podName, podNS = pc.PodName, pc.PodNamespace
		}
		if name == "" {
			name = pc.Name
		}
		attempt = strconv.FormatUint(uint64(pc.Attempt), 10)
	}
	if podName != "" {
		pod = podNS + "/" + podName
	}
	switch {
	case c.Kind == "sandbox":
		name = "(sandbox)"
	case name == "":
		name = "-"
	}
	return pod, name, attempt
}

// shortRuntime drops the io.containerd. prefix every runtime shares:
// "runc.v2" reads as well as "io.containerd.runc.v2" in a narrow column.
func shortRuntime(r string) string {
	return strings.TrimPrefix(r, "io.containerd.")
}
