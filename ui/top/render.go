package top

import (
	"fmt"
	"strings"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/usage"
)

// row renders one running container with its stats and history.
func row(it Item, s backend.Stats, ok bool, hist []float64, cpus int) table.Row {
	pod := "-"
	if it.PodName != "" {
		pod = it.PodNamespace + "/" + it.PodName
		if it.ContainerName != "" {
			pod += " " + it.ContainerName
		}
	}
	r := table.Row{ID: it.Key(), Cells: []string{colNamespace: it.Namespace, colID: it.ID, colPod: pod}, Labels: it.Labels,
		Num: make([]int64, colPod+1)}
	r = usage.Append(r, colPod+1, s, ok, cpus)
	r.Cells = append(r.Cells, usage.Sparkline(hist, HistoryWidth))
	r.Num = append(r.Num, 0)
	return r
}

// Totals is the header of :top: the node's CPU (from two /proc samples),
// memory and load, how many containers run and the OOM kills seen.
type Totals struct {
	Node     backend.NodeSample
	CPU      float64 // percent of the whole node; -1 unknown
	HaveNode bool
	NodeErr  string
	Running  int
	All      bool // every namespace
	Ns       string
	OOMs     int
}

// header renders the totals in two lines: the node, then the containers.
func header(t Totals) [2]string {
	where := "namespace " + t.Ns
	if t.All {
		where = "all namespaces"
	}
	var node string
	switch {
	case t.HaveNode:
		cpu := "-"
		if t.CPU >= 0 {
			cpu = fmt.Sprintf("%.1f%%", t.CPU)
		}
		mem := "-"
		if t.Node.MemTotal > 0 {
			mem = fmt.Sprintf("%s of %s (%.0f%%)", humanize.Size(int64(t.Node.MemUsed())), humanize.Size(int64(t.Node.MemTotal)),
				float64(t.Node.MemUsed())*100/float64(t.Node.MemTotal))
		}
		node = strings.Join([]string{fmt.Sprintf("node CPU %s of %d cores", cpu, t.Node.CPUs), "mem " + mem,
			fmt.Sprintf("load %.2f %.2f %.2f", t.Node.Load1, t.Node.Load5, t.Node.Load15)}, " · ")
	case t.NodeErr != "":
		node = "node totals: " + t.NodeErr
	default:
		node = "node totals need ctui on the node (/proc)"
	}
	return [2]string{node, fmt.Sprintf("%d running (%s) · OOM kills since start: %d", t.Running, where, t.OOMs)}
}
