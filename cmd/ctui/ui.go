package main

import (
	"context"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
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
}

func runUI(ctx context.Context, b *backend.Backend, o uiOptions) error {
	uo := ui.Options{NoColor: o.noColor, Notices: o.warnings, Registry: o.registry, LogLines: o.logLines, FirstImages: o.firstImages, StatsInterval: o.statsInterval}
	if t := o.trace; t != nil {
		uo.Program = append(uo.Program, tea.WithFilter(t.filter), tea.WithOutput(tracedOutput{File: os.Stdout, t: t}))
		uo.Wrap = t.wrap
		t.mark("program start")
	}
	return ui.Run(ctx, b, uo)
}
