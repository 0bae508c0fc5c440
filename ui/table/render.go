package table

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// ellipsis marks a cell cut to fit its column.
const ellipsis = "…"

// gutter is the width of the mark column left of the first cell.
const gutter = 1

// layout gives each column its width for a total line width. Flexible
// columns want their content's natural width (the widest cell, natural[i];
// nil means unknown). When every column cannot have that, columns with a
// Drop order are hidden, highest first, before a flexible column is cut: at
// 80 columns a whole image reference is worth more than its creation age.
// What is left is shared as minLayout does.
func layout(cols []Column, total int, natural []int) []int {
	avail := total - gutter
	widths := make([]int, len(cols))
	// First choice: every column that can stay at its natural width.
	if shown, ok := dropUntil(cols, avail, func(i int) int { return cols[i].desire(at(natural, i)) }); ok {
		var sub []Column
		var idx []int
		for i, c := range cols {
			if shown[i] {
				if c.Flex > 0 {
					c.Min = c.desire(at(natural, i))
				}
				sub, idx = append(sub, c), append(idx, i)
			}
		}
		for k, w := range minLayout(sub, total) {
			widths[idx[k]] = w
		}
		return widths
	}
	// Else the natural widths cannot all fit even with every droppable
	// column gone: keep them gone, so that what stays, a reference above
	// all, gets the room, and share it as minLayout does.
	shown, _ := dropUntil(cols, avail, func(i int) int { return cols[i].desire(at(natural, i)) })
	var sub []Column
	var idx []int
	for i, c := range cols {
		if shown[i] {
			sub, idx = append(sub, c), append(idx, i)
		}
	}
	for k, w := range minLayout(sub, total) {
		widths[idx[k]] = w
	}
	return widths
}

// dropUntil hides columns with a Drop order, highest first, until the shown
// ones fit avail at the widths size gives; ok is false when even that fails
// (shown is then every column that may not be dropped).
func dropUntil(cols []Column, avail int, size func(int) int) (shown []bool, ok bool) {
	shown = make([]bool, len(cols))
	for i := range shown {
		shown[i] = true
	}
	for {
		need, n := 0, 0
		for i := range cols {
			if shown[i] {
				need += size(i)
				n++
			}
		}
		if need+max(0, n-1) <= avail {
			return shown, true
		}
		drop := -1
		for i, c := range cols {
			if shown[i] && c.Drop > 0 && (drop < 0 || c.Drop > cols[drop].Drop) {
				drop = i
			}
		}
		if drop < 0 {
			return shown, false
		}
		shown[drop] = false
	}
}

func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// minLayout gives each column its width for a total line width: fixed
// columns get Width, flexible ones their Min plus a share of what is left by
// Flex. When even that does not fit, columns are filled left to right and
// those past the edge get 0 (hidden), so the line never exceeds total.
func minLayout(cols []Column, total int) []int {
	widths := make([]int, len(cols))
	avail := total - gutter - max(0, len(cols)-1) // one space between columns
	if total-gutter <= 0 || len(cols) == 0 {
		return widths
	}
	need, flex := 0, 0
	for _, c := range cols {
		need += c.want()
		flex += c.Flex
	}
	if need > avail {
		rem := total - gutter
		for i, c := range cols {
			if rem <= 0 {
				break
			}
			widths[i] = min(c.want(), rem)
			rem -= widths[i] + 1
		}
		return widths
	}
	extra := avail - need
	given, lastFlex := 0, -1
	for i, c := range cols {
		widths[i] = c.want()
		if c.Flex > 0 {
			share := extra * c.Flex / flex
			widths[i] += share
			given += share
			lastFlex = i
		}
	}
	if lastFlex >= 0 {
		widths[lastFlex] += extra - given // rounding leftovers
	}
	return widths
}

// fit pads or cuts s to exactly w cells, cutting with an ellipsis. Cells are
// plain text (no escape codes); wide runes count as two.
func fit(b *strings.Builder, s string, w int, right bool) {
	if w <= 0 {
		return
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, ellipsis)
		sw = ansi.StringWidth(s)
	}
	pad := w - sw
	if right {
		writeSpaces(b, pad)
		b.WriteString(s)
		return
	}
	b.WriteString(s)
	writeSpaces(b, pad)
}

const spaces = "                                                                "

func writeSpaces(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}

// renderLine lays cells out in their columns behind a one-cell mark gutter.
// Missing cells render empty; hidden (0-width) columns are skipped with their
// separator.
func renderLine(b *strings.Builder, mark string, cells []string, cols []Column, widths []int) {
	b.WriteString(mark)
	first := true
	for i, w := range widths {
		if w <= 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		fit(b, cell, w, cols[i].Align == AlignRight)
	}
}

// ansiClip cuts a styled line to w cells.
func ansiClip(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "")
}
