package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"text/tabwriter"

	"github.com/ctui/ctui/backend"
)

// version is ctui's own version, set at build time with
// -ldflags "-X main.version=v1.2.3"; otherwise the module version or "devel".
var version = ""

func ctuiVersion() string {
	if version != "" {
		return version
	}
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

// printVersion prints what `ctui version` shows: ctui's version, then each
// side's endpoint, why it was chosen, and what answered there. A side that is
// unavailable says why while the other still prints. It returns the exit
// code: 0 when at least one side answered.
func printVersion(ctx context.Context, w io.Writer, b *backend.Backend) int {
	cfg := b.Config
	var (
		sv    backend.ServerVersion
		rv    backend.RuntimeVersion
		svErr = b.NativeErr
		rvErr = b.CRIErr
		wg    sync.WaitGroup
	)
	if b.Native != nil {
		wg.Add(1)
		go func() { defer wg.Done(); sv, svErr = b.Native.Version(ctx) }()
	}
	if b.CRI != nil {
		wg.Add(1)
		go func() { defer wg.Done(); rv, rvErr = b.CRI.Version(ctx) }()
	}
	wg.Wait()

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ctui:\t%s (%s %s/%s)\n", ctuiVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(tw, "containerd address:\t%s\n", orNone(cfg.Address))
	fmt.Fprintf(tw, "  chosen by:\t%s\n", cfg.AddressSource)
	if svErr != nil {
		fmt.Fprintf(tw, "  unavailable:\t%s\n", svErr)
	} else {
		fmt.Fprintf(tw, "  server version:\t%s\n", sv.Version)
		fmt.Fprintf(tw, "  revision:\t%s\n", sv.Revision)
	}
	fmt.Fprintf(tw, "  namespace:\t%s (%s)\n", cfg.Namespace, cfg.NamespaceSource)
	fmt.Fprintf(tw, "CRI runtime endpoint:\t%s\n", orNone(cfg.RuntimeEndpoint))
	fmt.Fprintf(tw, "  chosen by:\t%s\n", cfg.RuntimeSource)
	if cfg.ImageEndpoint != cfg.RuntimeEndpoint {
		fmt.Fprintf(tw, "CRI image endpoint:\t%s (%s)\n", cfg.ImageEndpoint, cfg.ImageSource)
	}
	if rvErr != nil {
		fmt.Fprintf(tw, "  unavailable:\t%s\n", rvErr)
	} else {
		fmt.Fprintf(tw, "  runtime:\t%s %s\n", rv.RuntimeName, rv.RuntimeVersion)
		fmt.Fprintf(tw, "  runtime API:\t%s (CRI %s)\n", rv.RuntimeAPIVersion, rv.Version)
	}
	tw.Flush()
	if svErr != nil && rvErr != nil {
		return 1
	}
	return 0
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
