package table

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// ellipsis marks a cell cut to fit its column.
const ellipsis = "…"

// gutter is the width of the mark column left of the first cell.
const gutter = 1

// layout gives each column its width for a total line width: fixed columns
// get Width, flexible ones their Min plus a share of what is left by Flex.
// When even that does not fit, columns are filled left to right and those
// past the edge get 0 (hidden), so the line never exceeds total.
func layout(cols []Column, total int) []int {
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
