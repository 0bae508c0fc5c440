package main

import (
	"context"
	"os"
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
	profile <-chan colorprofile.Profile
	// doctor is where :doctor reads the node's files (--host-root, the
	// environment); nil when there is no local containerd to check.
	doctor *doctor.Options
}

// detectColorProfile detects the terminal's colour profile as bubbletea
// would when its program starts, but at once, while ctui connects: inside
// tmux, colorprofile runs `tmux info` (a tmux client that prints every
// capability of the terminal) to learn whether it passes 24-bit colour
// through, 20-60 ms on a small machine that otherwise lie between connecting
// and the first frame.
func detectColorProfile() <-chan colorprofile.Profile {
	ch := make(chan colorprofile.Profile, 1)
	go func() { ch <- colorprofile.Detect(os.Stdout, os.Environ()) }()
	return ch
}

func runUI(ctx context.Context, b *backend.Backend, o uiOptions) error {
	uo := ui.Options{NoColor: o.noColor, Notices: o.warnings, Registry: o.registry, LogLines: o.logLines, FirstImages: o.firstImages, StatsInterval: o.statsInterval, Doctor: o.doctor}
	if o.profile != nil {
		uo.Program = append(uo.Program, tea.WithColorProfile(<-o.profile))
		o.trace.mark("colour profile detected")
	}
	if t := o.trace; t != nil {
		uo.Program = append(uo.Program, tea.WithFilter(t.filter), tea.WithOutput(tracedOutput{File: os.Stdout, t: t}))
		uo.Wrap = t.wrap
		t.mark("program start")
	}
	return ui.Run(ctx, b, uo)
}
