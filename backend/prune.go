package backend

import (
	"fmt"
)

// Prune: the plans (what a prune will remove, what it frees, what stays and
// why) are pure functions of a DiskInventory and the usages known, so the
// preview costs no call; the adapters carry them out, checking again at the
// moment of removal that nothing took hold of what they remove.

// The prune actions, as the command log names them.
const (
	ActionPruneImages     ActionKind = "prune images"
	ActionPruneContainers ActionKind = "prune containers"
	ActionPruneContent    ActionKind = "prune content"
)

// PruneSkip is something a prune planned but did not remove, and why (an
// image that gained a container since the preview).
type PruneSkip struct {
	What   string
	Reason string
}

// PruneResult is what a prune did.
type PruneResult struct {
	Removed []string // what went, in words ("image NAME", "lease ID", ...)
	Skipped []PruneSkip
	// Failed are removals that failed, with the error's sentence.
	Failed []PruneSkip
	// GC is true when a synchronous garbage collection ran at the end.
	GC bool
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
