package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ctui/ctui/bench/internal/measure"
	"github.com/ctui/ctui/bench/internal/tmuxterm"
)

// The actions measureKeys times, in the order it reports them.
const (
	keyHelp        = iota // ? opens the help, ? closes it
	keyScroll             // pgdn, then pgup
	keySort               // R reverses the sort by REF, R puts it back
	keyFilterOpen         // / opens the filter
	keyFilterChar         // a character typed in the filter
	keyFilterClear        // esc clears the filter
	keyActions
)

var keyNames = [keyActions]string{
	keyHelp:        "? opens or closes the help",
	keyScroll:      "pgdn / pgup (the rows on screen move)",
	keySort:        "R reverses the sort by REF, or back",
	keyFilterOpen:  "/ opens the filter line",
	keyFilterChar:  "a character typed in the filter (the count)",
	keyFilterClear: "esc clears the filter (the full count again)",
}

const (
	helpText = "the keys of this page"
	// filterText is typed into the filter a character at a time. Only an
	// image's name can hold a "p" (digests are hex; sizes, ages, platforms
	// and use counts have none), so each step's count on the screen is the
	// number of names from ctr's list holding the text typed so far: at
	// 10,000 seeded names app-NNNNN, 10,000 then 1,000 then 100.
	filterText = "p-099"
)

// measureKeys times keys to the screen in each ctui, b.keys rounds, each
// binary's round in turn. A round is the local actions of the images page
// as a person uses them: `?` opens and closes the help; pgdn and pgup scroll
// a page; R reverses the sort by REF and R puts it back; `/` opens the
// filter, filterText is typed a character at a time and esc clears it. Each
// key goes at a random moment of the renderer's frame (as a person's key
// falls) after the previous one showed. The time is from sending the key to
// tmux until a capture of the pane shows its effect; tmux's part is the same
// for every binary. names are the images ctr lists (the filter's counts come
// from them); want is the status line of the full list.
func (b *bench) measureKeys(tm *tmuxterm.Tmux, env []string, want string, names []string) error {
	panes, _, stop, err := b.startAll(tm, env, want)
	defer stop()
	if err != nil {
		return err
	}
	timers := make([]*keyTimer, len(panes))
	for i, pane := range panes {
		timers[i] = &keyTimer{tm: tm, pane: pane}
	}
	tm.Drain(2 * time.Second)
	// Sorted by REF once, untimed: the list comes in the daemon's order,
	// already by name, so the first R only marks the column; from then on
	// each R reverses the order on the screen.
	for _, t := range timers {
		if _, err := t.press("R", "the sort by REF", func(s string) bool { return strings.Contains(s, "REF↑") }); err != nil {
			return err
		}
	}
	for k := 0; k < b.keys; k++ {
		for _, t := range timers {
			if err := t.round(want, names); err != nil {
				return err
			}
		}
	}
	fmt.Printf("\nkey to screen in tmux, %d rounds: from send-keys to tmux until a capture of the pane shows the effect\n", b.keys)
	for a, name := range keyNames {
		fmt.Printf("  %s, %d presses each\n", name, len(timers[0].lat[a]))
		for i, t := range timers {
			l := t.lat[a]
			fmt.Printf("    ctui#%d %-36s median %5.1f ms  p90 %5.1f ms  max %5.1f ms\n", i+1, b.ctuis[i],
				msf(measure.Median(l)), msf(measure.Quantile(l, 0.9)), msf(measure.Quantile(l, 1)))
		}
	}
	return nil
}

// keyTimer presses keys in one pane and keeps, per action, the time each
// took to show.
type keyTimer struct {
	tm     *tmuxterm.Tmux
	pane   string
	screen string // the capture that showed the last key's effect
	lat    [keyActions][]time.Duration
}

// round presses one round of keys (see measureKeys). It leaves the pane as
// it found it but for the cursor, which the filter puts on a row matching
// filterText, far from both ends of the list, where pgdn and pgup both
// move the rows on the screen.
func (t *keyTimer) round(want string, names []string) error {
	for _, open := range []bool{true, false} {
		if err := t.timed(keyHelp, "?", "the help", func(s string) bool { return strings.Contains(s, helpText) == open }); err != nil {
			return err
		}
	}
	for _, k := range []string{"NPage", "PPage"} {
		before := shownRows(t.screen)
		if err := t.timed(keyScroll, k, "a scrolled list", func(s string) bool { return shownRows(s) != before }); err != nil {
			return err
		}
	}
	for _, arrow := range []string{"REF↓", "REF↑"} {
		before := shownRows(t.screen)
		if err := t.timed(keySort, "R", arrow+" and the rows in the other order", func(s string) bool {
			return strings.Contains(s, arrow) && shownRows(s) != before
		}); err != nil {
			return err
		}
	}
	if err := t.timed(keyFilterOpen, "/", "the filter line", func(s string) bool { return filterLine(s) != "" }); err != nil {
		return err
	}
	for n := 1; n <= len(filterText); n++ {
		typed := filterText[:n]
		count := filterCount(typed, names)
		if err := t.timed(keyFilterChar, "-l -- "+typed[n-1:], "/"+typed+" and "+count, func(s string) bool {
			return filterLine(s) == "/"+typed && strings.HasPrefix(statusLine(s), count+" ")
		}); err != nil {
			return err
		}
	}
	return t.timed(keyFilterClear, "Escape", "the full list", func(s string) bool {
		return filterLine(s) == "" && strings.HasPrefix(statusLine(s), want+" ")
	})
}

// timed presses keys (send-keys arguments) as action and waits until done
// holds for the screen.
func (t *keyTimer) timed(action int, keys, what string, done func(string) bool) error {
	t.tm.Drain(time.Duration(rand.N(40)) * time.Millisecond)
	d, err := t.press(keys, what, done)
	t.lat[action] = append(t.lat[action], d)
	return err
}

// press sends keys to the pane and returns the time until a capture for
// which done holds.
func (t *keyTimer) press(keys, what string, done func(string) bool) (time.Duration, error) {
	t0 := time.Now()
	if _, err := t.tm.Command("send-keys -t " + t.pane + " " + keys); err != nil {
		return 0, err
	}
	at, err := t.tm.WaitUntil(t.pane, what, func(s string) bool {
		if done(s) {
			t.screen = s
			return true
		}
		return false
	})
	if err != nil {
		return 0, fmt.Errorf("after %s: %w", keys, err)
	}
	return at.Sub(t0), nil
}

// shownRows is the names in the table's rows on screen, in order, one line
// each: the lines after the column titles (REF, with an arrow when sorted by
// it) up to the filter or status line. Only scrolling, sorting and
// filtering change it: a size or use count filled in later does not.
func shownRows(screen string) string {
	var names []string
	in := false
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case !in:
			in = strings.HasPrefix(strings.TrimSpace(l), "REF")
		case strings.HasPrefix(l, " ") || strings.HasPrefix(l, "*"):
			if f := strings.Fields(l[1:]); len(f) > 0 {
				names = append(names, f[0])
			}
		default:
			return strings.Join(names, "\n")
		}
	}
	return strings.Join(names, "\n")
}

// filterLine is the table's filter line (the only line that starts with
// "/"), without trailing blanks; "" when the filter is closed.
func filterLine(screen string) string { return strings.TrimRight(lineWith(screen, "/"), " ") }

// statusLine is the line that starts with "images ": the page and its
// count, "images 100/10002" when filtered.
func statusLine(screen string) string { return lineWith(screen, "images ") }

// lineWith is the first line of screen that starts with prefix, "" if none.
func lineWith(screen, prefix string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// filterCount is the status line's count for the filter text typed: the
// names holding it (case aside) out of all, or just all when every name does.
func filterCount(typed string, names []string) string {
	n := 0
	for _, name := range names {
		if strings.Contains(strings.ToLower(name), typed) {
			n++
		}
	}
	if n == len(names) {
		return fmt.Sprintf("images %d", n)
	}
	return fmt.Sprintf("images %d/%d", n, len(names))
}
