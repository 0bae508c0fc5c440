package page

// Type is what a page is, so that the root routes keys, commands and
// de-duplication by it rather than by the title a page shows (a title may
// change; a pod's containers page is titled by its pod).
type Type string

// The page types of this build. A new page adds its own.
const (
	TypeImages        Type = "images"
	TypeContainers    Type = "containers"
	TypeTasks         Type = "tasks"
	TypePods          Type = "pods"
	TypePodContainers Type = "pod containers"
	TypeNamespaces    Type = "namespaces"
	TypeDescribe      Type = "describe"
	TypeLogs          Type = "logs"
	TypeExec          Type = "exec"
	TypeJobs          Type = "jobs"
	TypeCmdLog        Type = "log"
	TypeHealth        Type = "health"
	TypeDu            Type = "du"
	TypePrune         Type = "prune"
	TypeSnapshots     Type = "snapshots"
	TypeContent       Type = "content"
	TypeLeases        Type = "leases"
	TypeDoctor        Type = "doctor"
	TypeTop           Type = "top"
	TypeContexts      Type = "contexts"
)

// Caps are the root's actions a page's rows take: the root binds those
// keys, lists them in help and runs those commands only on pages that say
// so.
type Caps uint

const (
	// CanImageActions: the rows are image names (tag, push, export,
	// remove; Selector gives the one under the cursor, Marker the marked).
	CanImageActions Caps = 1 << iota
	// CanLifecycle: the rows are containers, tasks, pods or pod containers
	// (stop, kill, pause, remove); Selector says which.
	CanLifecycle
	// CanRemoveTask: remove means `ctr tasks rm`, the tasks page's.
	CanRemoveTask
)

// Has reports whether c includes every capability of want.
func (c Caps) Has(want Caps) bool { return c&want == want }
