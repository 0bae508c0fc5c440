package pods

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// shortID cuts an id to crictl's 13 characters (`--no-trunc` off), after
// dropping a sha256: prefix as crictl does.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 13 {
		return id[:13]
	}
	return id
}

// runtimeHandler is crictl's RUNTIME cell: "(default)" for the default
// handler, which CRI reports as empty.
func runtimeHandler(h string) string {
	if h == "" {
		return "(default)"
	}
	return h
}

// podRow renders one pod with its container count (-1: not known, as when
// listing the containers failed). now fixes "how long ago", so rendering is
// pure.
func podRow(p backend.Pod, containers int, now time.Time) table.Row {
	count := "-"
	if containers >= 0 {
		count = strconv.Itoa(containers)
	}
	num := make([]int64, colID+1)
	num[colAttempt], num[colContainers] = int64(p.Attempt), int64(containers)
	if !p.CreatedAt.IsZero() {
		num[colCreated] = p.CreatedAt.UnixNano()
	}
	return table.Row{
		ID: p.ID,
		Cells: []string{
			colName:       orDash(p.Name),
			colNamespace:  orDash(p.Namespace),
			colState:      string(p.State),
			colCreated:    humanize.Age(p.CreatedAt, now),
			colAttempt:    strconv.FormatUint(uint64(p.Attempt), 10),
			colRuntime:    runtimeHandler(p.RuntimeHandler),
			colContainers: count,
			colID:         shortID(p.ID),
		},
		Labels: p.Labels,
		Num:    num,
	}
}

// containerRow renders one CRI container of a pod. The exit code means
// something only once the container exited, so a running one shows "-"
// rather than CRI's 0.
func containerRow(c backend.PodContainer, now time.Time) table.Row {
	exit, exitN := "-", int64(-1)
	if c.State == backend.ContainerExited {
		exit, exitN = strconv.Itoa(int(c.ExitCode)), int64(c.ExitCode)
	}
	num := make([]int64, ccID+1)
	num[ccAttempt], num[ccExit] = int64(c.Attempt), exitN
	if !c.CreatedAt.IsZero() {
		num[ccCreated] = c.CreatedAt.UnixNano()
	}
	return table.Row{
		ID: c.ID,
		Cells: []string{
			ccName:    orDash(c.Name),
			ccState:   string(c.State),
			ccAttempt: strconv.FormatUint(uint64(c.Attempt), 10),
			ccExit:    exit,
			ccReason:  orDash(c.Reason),
			ccCreated: humanize.Age(c.CreatedAt, now),
			ccImage:   orDash(c.Image),
			ccID:      shortID(c.ID),
		},
		Labels: c.Labels,
		Num:    num,
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
