package backend

import (
	"strings"
	"time"
)

// ActionKind names an image action the way the jobs view and the command log
// name it.
type ActionKind string

// The image actions of the images view.
const (
	ActionPull   ActionKind = "pull"
	ActionTag    ActionKind = "tag"
	ActionImport ActionKind = "import"
	ActionExport ActionKind = "export"
	ActionPush   ActionKind = "push"
	ActionRemove ActionKind = "remove"
)

// Action is what every option struct below is: enough to run the action and
// to describe it before, while and after it runs. The UI keeps the Action in
// its Job and renders CommandLine into the command log once it finished.
type Action interface {
	Kind() ActionKind
	// Subject is what the action works on, for the jobs view: a ref, a
	// list of refs, or a path.
	Subject() string
	// CommandLine is the equivalent ctr or crictl invocation against the
	// same socket and namespace. It never holds a secret: a password
	// becomes an interactive prompt (ctr -u user) or a placeholder.
	CommandLine(cfg Config, namespace string) string
}

// Job is one action the UI runs in the background (pull, push, import,
// export), or at once (tag, remove) but logs the same way. The UI fills it
// in when it starts the action; the backend never keeps jobs.
type Job struct {
	Action    Action
	Namespace string
	// Via says which API did the work, for "which path was used": "CRI"
	// for a kubelet-style pull, "containerd" otherwise.
	Via      string
	Started  time.Time
	Finished time.Time // zero while running
	Err      error     // nil on success; errors.Is(Err, ErrCanceled) after esc
	// Progress is the last progress the job reported.
	Progress Progress
	// Note is what the action said about how it went, such as the
	// registry resolution (registry.Resolution.Describe) or the images an
	// import created. It holds no secret.
	Note string
}

// Title is the one-line description of the job for lists.
func (j Job) Title() string {
	if j.Action == nil {
		return ""
	}
	return string(j.Action.Kind()) + " " + j.Action.Subject()
}

// Running reports whether the job has not finished yet.
func (j Job) Running() bool { return j.Finished.IsZero() }

// Guard refuses any action under --readonly with a sentence; the UI binds no
// action key then, and this is the second line of defence for `:` commands.
func (c Config) Guard(a Action) error {
	if !c.Readonly {
		return nil
	}
	what := "this action"
	if a != nil {
		what = string(a.Kind()) + " " + a.Subject()
	}
	return ReadonlyError(c.ReadonlyContext, what, strings.TrimSuffix(string(kindOf(a)), " "))
}

// ReadonlyError refuses what ("pull busybox", "prune images") in read-only
// mode and says how to allow it (to: "pull", "prune"): restart without
// --readonly, or, when a context made ctui read-only (context, as
// Config.ReadonlyContext), set that context's readonly to false.
func ReadonlyError(context, what, to string) error {
	cause, fix := ReadonlyWhy(context)
	return Errorf(ErrReadonly, "%s: %s, which allows no changes to the node; %s to %s", what, cause, fix, to)
}

// ReadonlyWhy is what made ctui read-only and what would allow changes,
// for sentences that refuse one (see ReadonlyError).
func ReadonlyWhy(context string) (cause, fix string) {
	if context != "" {
		return "context " + context + " is read-only (readonly: true)", "set readonly: false in that context"
	}
	return "ctui runs with --readonly", "restart it without --readonly"
}

func kindOf(a Action) ActionKind {
	if a == nil {
		return "change anything"
	}
	return a.Kind()
}
