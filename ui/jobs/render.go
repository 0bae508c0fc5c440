package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
	"github.com/ctui/ctui/ui/theme"
)

// Column indexes of the jobs table.
const (
	colID = iota
	colKind
	colSubject
	colVia
	colProgress
	colRate
	colETA
	colOutcome
)

// Columns are the jobs table's columns.
func Columns() []table.Column {
	return []table.Column{
		colID:       {Title: "#", Width: 4, Align: table.AlignRight, Numeric: true},
		colKind:     {Title: "KIND", Key: 'k', Width: 6},
		colSubject:  {Title: "SUBJECT", Key: 's', Flex: 3, Min: 20},
		colVia:      {Title: "VIA", Width: 10, Drop: 2},
		colProgress: {Title: "PROGRESS", Width: 26},
		colRate:     {Title: "RATE", Width: 11, Align: table.AlignRight, Drop: 1},
		colETA:      {Title: "ETA", Width: 6, Align: table.AlignRight, Drop: 1},
		colOutcome:  {Title: "OUTCOME", Key: 'o', Flex: 2, Min: 12},
	}
}

// Row renders a job as a table row; now fixes the running time so that
// rendering is pure.
func Row(j Job, now time.Time) table.Row {
	cells := []string{
		colID:       strconv.FormatUint(uint64(j.ID), 10),
		colKind:     kind(j),
		colSubject:  subject(j),
		colVia:      j.Via,
		colProgress: ProgressText(j.Progress),
		colRate:     rate(j),
		colETA:      eta(j),
		colOutcome:  Outcome(j, now),
	}
	return table.Row{ID: cells[colID], Cells: cells, Num: []int64{colID: int64(j.ID)}}
}

func kind(j Job) string {
	if j.Action == nil {
		return "-"
	}
	return string(j.Action.Kind())
}

func subject(j Job) string {
	if j.Action == nil {
		return "-"
	}
	return j.Action.Subject()
}

// ProgressText is "45% 12.0 MiB/27.0 MiB", the bytes alone while the total
// is unknown, else the phase.
func ProgressText(p backend.Progress) string {
	switch {
	case p.Total > 0:
		return fmt.Sprintf("%3.0f%% %s/%s", p.Fraction()*100, humanize.Size(p.Done), humanize.Size(p.Total))
	case p.Done > 0:
		return humanize.Size(p.Done)
	case p.Phase != "":
		return p.Phase
	}
	return "-"
}

func rate(j Job) string {
	r := j.Progress.Rate
	if !j.Running() {
		r = j.Progress.AverageRate()
	}
	if r <= 0 {
		return "-"
	}
	return humanize.Size(int64(r)) + "/s"
}

func eta(j Job) string {
	if !j.Running() {
		return "-"
	}
	left, ok := j.Progress.ETA()
	if !ok {
		return "-"
	}
	return shortDuration(left)
}

// Outcome is what the job is doing or how it ended, as a sentence start:
// "fetching 3s", "done in 4s", "canceled", "failed: <why>".
func Outcome(j Job, now time.Time) string {
	switch {
	case j.Running() && j.Canceling:
		return "canceling…"
	case j.Running():
		phase := j.Progress.Phase
		if phase == "" {
			phase = "running"
		}
		return phase + " " + shortDuration(now.Sub(j.Started))
	case j.Canceled():
		return "canceled"
	case j.Err != nil:
		return "failed: " + j.Err.Error()
	}
	return "done in " + shortDuration(j.Finished.Sub(j.Started))
}

// shortDuration is 850ms, 12s, 3m05s, 1h02m.
func shortDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Summary is the status line's indicator while background jobs run: how
// many, and the bytes done of all of them; "" when none runs.
func Summary(js []Job) string {
	n := 0
	var done, total int64
	known := true
	for _, j := range js {
		if !j.Background || !j.Running() {
			continue
		}
		n++
		done += j.Progress.Done
		if j.Progress.Total <= 0 {
			known = false
		}
		total += j.Progress.Total
	}
	if n == 0 {
		return ""
	}
	s := "1 job"
	if n > 1 {
		s = strconv.Itoa(n) + " jobs"
	}
	if known && total > 0 {
		s += fmt.Sprintf(" %.0f%%", float64(done)/float64(total)*100)
	}
	return "⟳ " + s + " (:jobs)"
}

// Detail renders one job in full: what it is, its outcome as a whole
// sentence, its note, and one line per blob (kind, digest, status, bytes),
// as ctr prints its progress. It is cut to width x height.
func Detail(st *theme.Styles, j Job, now time.Time, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	var lines []string
	add := func(label, value string) {
		for i, l := range wrapText(value, max(width-12, 10)) {
			if i == 0 {
				lines = append(lines, st.Label.Render(fmt.Sprintf("%-11s", label))+" "+l)
			} else {
				lines = append(lines, strings.Repeat(" ", 12)+l)
			}
		}
	}
	lines = append(lines, st.Title.Render(fmt.Sprintf("job %d: %s", j.ID, j.Title())))
	add("namespace", j.Namespace)
	if j.Via != "" {
		add("via", j.Via)
	}
	add("started", j.Started.Format("15:04:05"))
	add("progress", ProgressText(j.Progress)+"  "+rate(j)+"  eta "+eta(j))
	out := Outcome(j, now)
	if j.Err != nil && !j.Canceled() {
		out = st.Bad.Render("failed") + ": " + j.Err.Error()
	}
	add("outcome", out)
	if j.Note != "" {
		add("note", j.Note)
	}
	if len(j.Progress.Items) > 0 {
		lines = append(lines, "", st.ColumnHeader.Render(fmt.Sprintf("%-9s %-19s %-12s %s", "ITEM", "DIGEST", "STATUS", "BYTES")))
		for _, it := range j.Progress.Items {
			lines = append(lines, itemLine(it))
		}
	}
	lines = append(lines, "", st.Dim.Render("esc back to the list · x cancel a running job"))
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

// itemLine is one blob of a transfer, as ctr's progress shows it.
func itemLine(it backend.ProgressItem) string {
	d := it.Digest
	if _, hex, ok := strings.Cut(d, ":"); ok {
		d = hex
	}
	if len(d) > 12 {
		d = d[:12]
	}
	if d == "" {
		d = "-"
	}
	bytes := humanize.Size(it.Offset)
	if it.Total > 0 {
		bytes += "/" + humanize.Size(it.Total)
	}
	return fmt.Sprintf("%-9s %-19s %-12s %s", it.Kind, d, it.Status, bytes)
}

// wrapText breaks s at spaces into lines of at most w columns.
func wrapText(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return out
}
