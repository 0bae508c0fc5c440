package main

import (
	"context"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui"
)

// uiOptions are the command-line settings that only the UI uses.
type uiOptions struct {
	noColor  bool
	warnings []string
	registry backend.RegistryOptions // --creds, --hosts-dir
	logLines int                     // --log-lines
	// firstImages is the first image list, asked for while connecting.
	firstImages *backend.ImagesPrefetch
}

func runUI(ctx context.Context, b *backend.Backend, o uiOptions) error {
	return ui.Run(ctx, b, ui.Options{NoColor: o.noColor, Notices: o.warnings, Registry: o.registry, LogLines: o.logLines, FirstImages: o.firstImages})
}
