package table

import (
	"strconv"
	"strings"
)

// View renders the header, the rows on screen and the filter line, never
// wider than the width nor taller than the height given to SetSize.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var b strings.Builder
	m.writeHeader(&b)
	h := m.bodyHeight()
	if len(m.view) == 0 && h > 0 {
		msg := "no rows"
		if len(m.rows) > 0 {
			msg = "no rows match the filter"
		}
		b.WriteByte('\n')
		var line strings.Builder
		fit(&line, " "+msg, m.width, false)
		b.WriteString(m.styles.Dim.Render(line.String()))
	}
	var line strings.Builder
	for i := m.offset; i < min(m.offset+h, len(m.view)); i++ {
		r := m.rows[m.view[i]]
		_, marked := m.marks[r.ID]
		mark := " "
		if marked {
			mark = "*"
		}
		line.Reset()
		renderLine(&line, mark, r.Cells, m.cols, m.widths)
		b.WriteByte('\n')
		switch {
		case i == m.cursor && marked:
			b.WriteString(m.styles.CursorMarked.Render(line.String()))
		case i == m.cursor:
			b.WriteString(m.styles.Cursor.Render(line.String()))
		case marked:
			b.WriteString(m.styles.Marked.Render(line.String()))
		default:
			b.WriteString(line.String())
		}
	}
	if m.typing || m.input.Value() != "" {
		b.WriteByte('\n')
		v := m.input.View()
		if !m.typing {
			v = m.styles.Dim.Render("/" + m.input.Value() + "  (esc clears)")
		}
		b.WriteString(ansiClip(v, m.width))
	}
	return b.String()
}

// writeHeader writes the column titles, the sorted one marked with an arrow.
func (m Model) writeHeader(b *strings.Builder) {
	b.WriteString(" ")
	first := true
	for i, w := range m.widths {
		if w <= 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		title := m.cols[i].Title
		st := m.styles.ColumnHeader
		if i == m.sortCol {
			st = m.styles.SortedHeader
			if m.desc {
				title += "↓"
			} else {
				title += "↑"
			}
		}
		var cell strings.Builder
		fit(&cell, title, w, m.cols[i].Align == AlignRight)
		b.WriteString(st.Render(cell.String()))
	}
}

// Info is "shown/total" for a footer, e.g. "12/3400", or just the total when
// nothing is filtered.
func (m Model) Info() string {
	if len(m.view) == len(m.rows) {
		return strconv.Itoa(len(m.rows))
	}
	return strconv.Itoa(len(m.view)) + "/" + strconv.Itoa(len(m.rows))
}
