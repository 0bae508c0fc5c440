// Package table is the list widget every resource page uses: columns with
// width rules and sort letters, a cursor, a filter, marks. It is built for
// 10,000+ rows: rows are lowercased once when set, a filter keystroke is one
// substring scan over those strings into a reused index slice, and View
// renders only the rows on screen.
package table

import (
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"

	"github.com/ctui/ctui/ui/textfield"
	"github.com/ctui/ctui/ui/theme"
)

// Align is a column's alignment; numbers read best right-aligned.
type Align int

// Alignments.
const (
	AlignLeft Align = iota
	AlignRight
)

// Column describes one column.
type Column struct {
	Title string
	// Key is the lowercase letter whose Shift form sorts by this column
	// (0: not sortable). G is taken by "last row", and the page actions
	// reserve P, so neither g nor p may be a key.
	Key rune
	// Width fixes the column's width. A flexible column (Flex > 0) gets Min
	// plus a Flex-weighted share of the space the fixed ones leave.
	Width, Min, Flex int
	Align            Align
	// Numeric sorts by Row.Num instead of the cell text (sizes, times).
	Numeric bool
	// DescFirst sorts largest first on the first press of its key (CPU,
	// memory: what an operator looks for is at the top); the next press
	// reverses, as for every column.
	DescFirst bool
	// Drop is the order in which the column is hidden when the terminal is
	// too narrow for every column at its natural width: the highest goes
	// first; 0 never goes.
	Drop int
	// Max caps the natural width a flexible column asks for (0: no cap), for
	// cells such as 64-digit ids whose head is enough to tell them apart.
	Max int
}

// desire is the width a column would like: a flexible one its content's
// natural width (at least Min and its title), a fixed one its Width.
func (c Column) desire(natural int) int {
	if c.Flex > 0 {
		if c.Max > 0 {
			natural = min(natural, c.Max)
		}
		return max(c.want(), natural, len(c.Title))
	}
	return c.want()
}

func (c Column) want() int {
	switch {
	case c.Flex > 0:
		return max(c.Min, 1)
	case c.Width > 0:
		return c.Width
	}
	return max(len(c.Title), 1)
}

// Row is one line of the table. Cells are plain text, one per column.
type Row struct {
	ID     string // stable identity: the cursor and marks follow it
	Cells  []string
	Labels map[string]string // for -l key=value filters
	Num    []int64           // sort values for Numeric columns, by column index
}

// Model is the table. Use it by value, as bubbles components are used: the
// page keeps it as a field and assigns Update's result back.
type Model struct {
	cols   []Column
	keys   KeyMap
	sorts  []key.Binding
	styles *theme.Styles

	rows  []Row
	lower []string       // lowercased searchable text of rows[i]
	byID  map[string]int // row index by ID
	order []int          // all row indices, sorted
	view  []int          // order filtered: what is shown

	sortCol int // -1: insertion order
	desc    bool

	filter    filter
	input     textfield.Field // the filter line
	typing    bool
	marks     map[string]struct{}
	cursor    int // index into view
	offset    int // first view index on screen
	width     int
	height    int
	widths    []int
	natural   []int    // widest cell of each column, in bytes (cells are mostly ASCII)
	fuzzy     []scored // reused buffer for the filter's fuzzy matches
	headerBuf []string
}

// New returns an empty table with the given columns.
func New(cols []Column, styles *theme.Styles) Model {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "filter: text, !text, -f fuzzy, -l key=value"
	m := Model{
		cols:    cols,
		keys:    DefaultKeyMap(),
		sorts:   SortBindings(cols),
		sortCol: -1,
		byID:    map[string]int{},
		marks:   map[string]struct{}{},
		input:   textfield.New(in),
	}
	m.SetStyles(styles)
	return m
}

// Keys are the table's bindings for help: navigation, filter, marks, sort.
func (m Model) Keys() []key.Binding {
	return append(m.keys.Bindings(), m.sorts...)
}

// SetStyles applies rebuilt styles.
func (m *Model) SetStyles(s *theme.Styles) {
	m.styles = s
	m.input.Edit().SetStyles(s.Input)
}

// SetSize sets the area the table draws in, header and filter line
// included.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.widths = layout(m.cols, m.width, m.natural)
	if w := max(m.width-2, 1); w != m.input.Input().Width() {
		m.input.Edit().SetWidth(w)
	}
	m.clamp()
}

// SetRows replaces all rows, keeping the cursor on the same row ID when it
// is still there. The table keeps rows; the caller must not change them
// afterwards.
func (m *Model) SetRows(rows []Row) {
	keep, _ := m.SelectedID()
	m.rows = rows
	m.lower = make([]string, len(rows))
	clear(m.byID)
	m.natural = make([]int, len(m.cols))
	for i := range rows {
		m.lower[i] = lowerText(rows[i].Cells)
		m.byID[rows[i].ID] = i
		m.grow(rows[i].Cells)
	}
	m.widths = layout(m.cols, m.width, m.natural)
	m.order = m.order[:0]
	for i := range rows {
		m.order = append(m.order, i)
	}
	for id := range m.marks {
		if _, ok := m.byID[id]; !ok {
			delete(m.marks, id)
		}
	}
	m.sort()
	m.refilter(keep)
}

// UpdateRows patches rows by ID (rows whose ID is unknown are ignored), for
// values that arrive after the list: sizes, states. Order and filter are
// redone only when they can have changed.
func (m *Model) UpdateRows(rows ...Row) {
	changed := false
	for _, r := range rows {
		i, ok := m.byID[r.ID]
		if !ok {
			continue
		}
		m.rows[i] = r
		m.lower[i] = lowerText(r.Cells)
		if m.grow(r.Cells) {
			m.widths = layout(m.cols, m.width, m.natural)
		}
		changed = true
	}
	if !changed || (m.sortCol < 0 && m.filter.empty()) {
		return
	}
	keep, _ := m.SelectedID()
	if m.sortCol >= 0 {
		m.sort()
	}
	m.refilter(keep)
}

// refilterInto fills view with the rows the filter lets through: in sort
// order, or for a fuzzy filter best match first (equal scores keep the sort
// order).
func (m *Model) refilterInto() {
	if !m.filter.ranked {
		for _, i := range m.order {
			if m.filter.match(m.lower[i], m.rows[i].Labels) {
				m.view = append(m.view, i)
			}
		}
		return
	}
	m.fuzzy = m.fuzzy[:0]
	for _, i := range m.order {
		if !m.filter.labelsMatch(m.rows[i].Labels) {
			continue
		}
		if score, ok := m.filter.fuzzy(m.lower[i]); ok {
			m.fuzzy = append(m.fuzzy, scored{i, score})
		}
	}
	slices.SortStableFunc(m.fuzzy, func(a, b scored) int { return a.score - b.score })
	for _, f := range m.fuzzy {
		m.view = append(m.view, f.row)
	}
}

// scored is a row index with its fuzzy score.
type scored struct{ row, score int }

// grow widens the natural widths to fit cells; it reports a change.
func (m *Model) grow(cells []string) bool {
	if len(m.natural) != len(m.cols) {
		m.natural = make([]int, len(m.cols))
	}
	grew := false
	for i, c := range cells {
		if i < len(m.natural) && len(c) > m.natural[i] {
			m.natural[i] = len(c)
			grew = true
		}
	}
	return grew
}

func lowerText(cells []string) string {
	return strings.ToLower(strings.Join(cells, "\t"))
}

// Len is the number of rows; Shown the number the filter lets through.
func (m Model) Len() int   { return len(m.rows) }
func (m Model) Shown() int { return len(m.view) }

// Typing reports whether the filter line has the keyboard.
func (m Model) Typing() bool { return m.typing }

// Filter is the filter as typed ("" for none).
func (m Model) Filter() string { return m.input.Value() }

// SetFilter applies a filter expression as if typed.
func (m *Model) SetFilter(s string) {
	m.input.Edit().SetValue(s)
	m.applyFilter()
}

// ClearFilter removes the filter and leaves the filter line.
func (m *Model) ClearFilter() {
	m.typing = false
	m.input.Edit().Blur()
	m.SetFilter("")
}

// SelectedID is the ID of the row under the cursor.
func (m Model) SelectedID() (string, bool) {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return "", false
	}
	return m.rows[m.view[m.cursor]].ID, true
}

// Marked returns the IDs of marked rows in display order.
func (m Model) Marked() []string {
	var out []string
	for _, i := range m.order {
		if _, ok := m.marks[m.rows[i].ID]; ok {
			out = append(out, m.rows[i].ID)
		}
	}
	return out
}

// Near appends to dst the IDs of the rows on screen and then up to margin
// rows after and before them, in that order: what is worth fetching first.
func (m Model) Near(margin int, dst []string) []string {
	from, to := m.offset, min(m.offset+m.bodyHeight(), len(m.view))
	for i := from; i < to; i++ {
		dst = append(dst, m.rows[m.view[i]].ID)
	}
	for i := to; i < min(to+margin, len(m.view)); i++ {
		dst = append(dst, m.rows[m.view[i]].ID)
	}
	for i := from - 1; i >= max(from-margin, 0); i-- {
		dst = append(dst, m.rows[m.view[i]].ID)
	}
	return dst
}

// Select puts the cursor on row id, if the filter shows it; false if not.
func (m *Model) Select(id string) bool {
	for i, r := range m.view {
		if m.rows[r].ID == id {
			m.cursor = i
			m.clamp()
			return true
		}
	}
	return false
}

// SortBy sorts by column col (-1: insertion order), descending if desc.
func (m *Model) SortBy(col int, desc bool) {
	keep, _ := m.SelectedID()
	m.sortCol, m.desc = col, desc
	if col < 0 || col >= len(m.cols) {
		m.sortCol = -1
		slices.Sort(m.order)
	} else {
		m.sort()
	}
	m.refilter(keep)
}

// Sort reports the sort column (-1 for none) and direction.
func (m Model) Sort() (col int, desc bool) { return m.sortCol, m.desc }

func (m *Model) sort() {
	if m.sortCol < 0 {
		return
	}
	c, numeric := m.sortCol, m.cols[m.sortCol].Numeric
	cell := func(i int) string {
		if c < len(m.rows[i].Cells) {
			return m.rows[i].Cells[c]
		}
		return ""
	}
	num := func(i int) int64 {
		if c < len(m.rows[i].Num) {
			return m.rows[i].Num[c]
		}
		return 0
	}
	slices.SortStableFunc(m.order, func(a, b int) int {
		var r int
		if numeric {
			r = cmp.Compare(num(a), num(b))
		} else {
			r = strings.Compare(cell(a), cell(b))
		}
		if r == 0 {
			r = cmp.Compare(a, b)
		}
		if m.desc {
			return -r
		}
		return r
	})
}

func (m *Model) applyFilter() {
	keep, _ := m.SelectedID()
	m.filter = parseFilter(m.input.Value())
	m.refilter(keep)
}

// refilter rebuilds view from order into the same backing array, then puts
// the cursor back on row keep if it is still shown.
func (m *Model) refilter(keep string) {
	m.view = m.view[:0]
	if m.filter.empty() {
		m.view = append(m.view, m.order...)
	} else {
		m.refilterInto()
	}
	if keep != "" {
		if ri, ok := m.byID[keep]; ok {
			if p := slices.Index(m.view, ri); p >= 0 {
				m.cursor = p
			}
		}
	}
	m.clamp()
}
