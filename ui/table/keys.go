package table

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
)

// KeyMap is the table's bindings. It is data: help and docs/keybindings.md
// are generated from it, so a key changed here is documented everywhere.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Filter, Mark, ApplyFilter               key.Binding
}

// DefaultKeyMap follows k9s and less: j/k, g/G, PgUp/PgDn, / to filter,
// space to mark.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:        key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:         key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "first row")),
		Bottom:      key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "last row")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn/ctrl+f", "page down")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter: text, !text inverts, -f fuzzy, -l key=value on labels")),
		Mark:        key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark/unmark row")),
		ApplyFilter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter (while typing)")),
	}
}

// Bindings lists the keymap in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Filter, k.ApplyFilter, k.Mark}
}

// SortBindings returns one binding per sortable column: Shift+the column's
// key letter sorts by it, again reverses.
func SortBindings(cols []Column) []key.Binding {
	var out []key.Binding
	for _, c := range cols {
		if c.Key == 0 {
			continue
		}
		up := string(unicode.ToUpper(c.Key))
		out = append(out, key.NewBinding(key.WithKeys(up),
			key.WithHelp(up, "sort by "+strings.ToUpper(c.Title)+" (again to reverse)")))
	}
	return out
}
