package main

import (
	"context"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/ui"
)

// uiOptions are the command-line settings that only the UI uses.
type uiOptions struct {
	noColor       bool
	warnings      []string
	registry      backend.RegistryOptions // --creds, --hosts-dir
	logLines      int                     // --log-lines
	statsInterval time.Duration           // --stats-interval
	// firstImages is the first image list, asked for while connecting.
	firstImages *backend.ImagesPrefetch
	// trace is --trace-startup's record (nil without the flag).
	trace *startupTrace
	// profile is the terminal's colour profile, detected while connecting
	// (see detectColorProfile); nil leaves it to bubbletea.
	profile func() colorprofile.Profile
	// doctor is where :doctor reads the node's files (--host-root, the
	// environment); nil when there is no local containerd to check.
	doctor *doctor.Options
	// contexts lists and switches contexts for :ctx.
	contexts *contextSwitcher
}

// node sets what depends on the node the UI opens on: how pulls reach
// registries (the node's registry files under its root) and where :doctor
// reads the node's files (this machine's, or a remote node's over its
// connection; nowhere without a containerd socket).
func (o *uiOptions) node(flags *options, cfg backend.Config, b *backend.Backend) {
	o.registry = registryOptions(flags, os.LookupEnv, cfg.HostRoot)
	o.doctor = nil
	if cfg.Address != "" {
		o.doctor = doctorOptions(b, cfg.HostRoot, os.LookupEnv, cfg.Timeout)
	}
}

// detectColorProfile detects the terminal's colour profile as bubbletea
// would when its program starts, but at once, while ctui connects: inside
// tmux, colorprofile runs `tmux info` (a tmux client that prints every
// capability of the terminal) to learn whether it passes 24-bit colour
// through, 20-60 ms on a small machine that otherwise lie between connecting
// and the first frame.
// The answer is kept for the UI reopened on another context (:ctx).
func detectColorProfile() func() colorprofile.Profile {
	ch := make(chan colorprofile.Profile, 1)
	go func() { ch <- colorprofile.Detect(os.Stdout, os.Environ()) }()
	return sync.OnceValue(func() colorprofile.Profile { return <-ch })
}

func runUI(ctx context.Context, b *backend.Backend, o uiOptions) error {
	uo := ui.Options{NoColor: o.noColor, Notices: o.warnings, Registry: o.registry, LogLines: o.logLines, FirstImages: o.firstImages, StatsInterval: o.statsInterval, Doctor: o.doctor}
	if o.contexts != nil {
		uo.Contexts = o.contexts
	}
	if o.profile != nil {
		uo.Program = append(uo.Program, tea.WithColorProfile(o.profile()))
		o.trace.mark("colour profile detected")
	}
	if t := o.trace; t != nil {
		uo.Program = append(uo.Program, tea.WithFilter(t.filter), tea.WithOutput(tracedOutput{File: os.Stdout, t: t}))
		uo.Wrap = t.wrap
		t.mark("program start")
	}
	return ui.Run(ctx, b, uo)
}
