package contexts

import "github.com/ctui/ctui/ui/table"

// row renders a context; the one ctui is connected through carries
// "(current)", so that it reads without colour.
func row(c Context, current string) table.Row {
	name := c.Name
	if c.Name == current {
		name += " (current)"
	}
	return table.Row{ID: c.Name, Cells: []string{name, orDash(c.Endpoint, "autodetected"), orDash(c.Namespace, "-"),
		orDash(c.RuntimeEndpoint, "-"), yes(c.Sudo), yes(c.Readonly)}}
}

func orDash(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
