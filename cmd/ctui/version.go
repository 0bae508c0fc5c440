package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ctui/ctui/backend"
)

// version is ctui's own version, stamped by `make build` and `make release`
// with -ldflags "-X main.version=$(VERSION)": the tag at HEAD, else the
// commit's pseudo-version (see the Makefile). Empty in a plain `go build` or
// `go install`, where the build info says what was built.
var version = ""

func ctuiVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return composeVersion(version, bi)
}

// composeVersion is ctui's version from what the build left behind, best
// first: the version make stamped; the module version `go install
// ...@v1.2.3` (or @commit, a pseudo-version) records; else a pseudo-version
// made from the VCS stamp of a `go build` in a checkout,
// v0.0.0-<commit time UTC>-<12 hex of the commit>, with +dirty when the
// checkout had changes, as Go itself writes it; else "devel".
func composeVersion(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi == nil {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	t, err := time.Parse(time.RFC3339, at)
	if len(rev) < 12 || err != nil {
		return "devel"
	}
	v := pseudoVersion(t, rev)
	if dirty {
		v += "+dirty"
	}
	return v
}

// pseudoVersion is Go's pseudo-version of a commit with no tag before it.
func pseudoVersion(commitTime time.Time, rev string) string {
	return "v0.0.0-" + commitTime.UTC().Format("20060102150405") + "-" + rev[:12]
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
	if cfg.HostRoot != "" {
		fmt.Fprintf(tw, "node's root:\t%s\n", cfg.HostRoot)
		fmt.Fprintf(tw, "  chosen by:\t%s\n", cfg.HostRootSource)
	}
	if cfg.Context != "" {
		fmt.Fprintf(tw, "context:\t%s\n", cfg.Context)
	}
	if cfg.Remote != "" {
		fmt.Fprintf(tw, "node:\t%s (%s)\n", cfg.Remote, cfg.RemoteSource)
	}
	fmt.Fprintf(tw, "containerd address:\t%s\n", orNone(cfg.WhereEndpoint(cfg.Address)))
	chosenBy(tw, cfg.AddressSource)
	if svErr != nil {
		fmt.Fprintf(tw, "  unavailable:\t%s\n", svErr)
	} else {
		fmt.Fprintf(tw, "  server version:\t%s\n", sv.Version)
		fmt.Fprintf(tw, "  revision:\t%s\n", sv.Revision)
	}
	fmt.Fprintf(tw, "  namespace:\t%s (%s)\n", cfg.Namespace, cfg.NamespaceSource)
	fmt.Fprintf(tw, "CRI runtime endpoint:\t%s\n", orNone(cfg.WhereEndpoint(cfg.RuntimeEndpoint)))
	chosenBy(tw, cfg.RuntimeSource)
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

// chosenBy writes what chose an endpoint; nothing when nothing did (a node
// that was not reached leaves its endpoints unset, and the line after says
// why).
func chosenBy(w io.Writer, source string) {
	if source != "" {
		fmt.Fprintf(w, "  chosen by:\t%s\n", source)
	}
}
