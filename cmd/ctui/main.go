// Command ctui is a terminal UI for containerd and Kubernetes nodes. It reads
// the same flags, environment and config files as ctr and crictl, connects to
// containerd's native API and to CRI, and opens the navigator. This file only
// turns the command line into a backend.Config and a running program.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/pflag"

	"github.com/ctui/ctui/backend"
)

func main() {
	start := time.Now()
	keepMemoryCompact()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, start))
}

const usageHead = `ctui: a terminal UI for containerd and Kubernetes nodes.

Usage:
  ctui [flags]            open the navigator
  ctui version [flags]    print versions of ctui, containerd and the CRI runtime
  ctui doctor [flags]     check the node's configuration: one line per check, the
                          evidence and the fix for each WARN and FAIL; exit 0 all
                          OK, 1 a WARN, 2 a FAIL, 3 a bad doctor flag (docs/doctor.md)

Endpoints are found as ctr and crictl find them: flag, then environment, then
crictl.yaml, then the first runtime socket that exists on the node.

Flags:
`

// run is main without the process: it returns the exit code (0 ok, 1 could
// not connect or the UI failed, 2 bad command line).
func run(args []string, stdout, stderr io.Writer, start time.Time) int {
	o := &options{}
	fs := newFlagSet(o)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "ctui: %v\nRun 'ctui --help' for usage.\n", err)
		return 2
	}
	switch rest := fs.Args(); {
	case len(rest) == 0:
	case len(rest) == 1 && rest[0] == "version":
		o.showVersion = true
	case len(rest) == 1 && rest[0] == "doctor":
		o.showDoctor = true
		if o.output != "text" && o.output != "json" {
			fmt.Fprintf(stderr, "ctui: --output %q: use text or json\n", o.output)
			return 3
		}
	default:
		fmt.Fprintf(stderr, "ctui: unknown command %q\nRun 'ctui --help' for usage.\n", rest[0])
		return 2
	}

	trace := newStartupTrace(o.traceStartup, start)
	defer trace.finish()
	exeDir := ""
	if exe, err := os.Executable(); err == nil {
		exeDir = filepath.Dir(exe)
	}
	cfg, warnings, err := buildConfig(o, os.LookupEnv, exeDir, backend.IsSocket)
	if err != nil {
		fmt.Fprintf(stderr, "ctui: %v\n", err)
		return 2
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "ctui: warning: %s\n", w)
	}
	debugLog, closeLog, err := setupLogs(cfg.Debug)
	if err != nil {
		fmt.Fprintf(stderr, "ctui: %v\n", err)
		return 1
	}
	defer closeLog()
	if cfg.Debug {
		fmt.Fprintf(stderr, "ctui: debug log: %s\n", debugLogPath())
		fmt.Fprintf(debugLog, "ctui %s: config %+v\n", ctuiVersion(), cfg)
	}

	trace.mark("flags and config")

	var profile func() colorprofile.Profile
	if !o.showVersion && !o.showDoctor {
		profile = detectColorProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, firstImages := connect(ctx, cfg, !o.showVersion && !o.showDoctor, trace, os.LookupEnv, debugLog)
	trace.mark("both connects done")
	defer func() { b.Close() }() // the last backend: :ctx replaces b
	if b.NativeErr != nil {
		fmt.Fprintf(debugLog, "containerd side: %+v\n", b.NativeErr)
	}
	if b.CRIErr != nil {
		fmt.Fprintf(debugLog, "CRI side: %+v\n", b.CRIErr)
	}

	if o.showVersion {
		return printVersion(ctx, stdout, b)
	}
	noColor := o.noColor
	if v, ok := os.LookupEnv(envNoColor); ok && v != "" {
		noColor = true
	}
	if o.showDoctor && b.Native == nil && b.CRI == nil && b.NativeErr == b.CRIErr {
		// The remote node could not be reached: nothing to check.
		fmt.Fprintf(stderr, "ctui: %v\n", b.NativeErr)
		return 1
	}
	if o.showDoctor {
		return runDoctor(ctx, stdout, b, o, os.LookupEnv, !noColor && isTerminal(stdout))
	}
	if b.Native == nil && b.CRI == nil {
		if b.NativeErr == b.CRIErr { // the remote node could not be reached
			fmt.Fprintf(stderr, "ctui: %v\n", b.NativeErr)
			return 1
		}
		fmt.Fprintf(stderr, "ctui: cannot reach the node's runtime:\n  containerd: %v\n  CRI: %v\n", b.NativeErr, b.CRIErr)
		return 1
	}
	sw := &contextSwitcher{o: *o, getenv: os.LookupEnv, exeDir: exeDir, debug: debugLog}
	uo := uiOptions{noColor: noColor, warnings: warnings, logLines: o.logLines, statsInterval: o.statsInterval, firstImages: firstImages, trace: trace, profile: profile, contexts: sw}
	for {
		uo.node(o, cfg, b)
		if err := runUI(ctx, b, uo); err != nil {
			fmt.Fprintf(stderr, "ctui: %v\n", err)
			return 1
		}
		// :ctx connected to another context and quit the UI: close this
		// node's connection and reopen on that one.
		next := sw.take()
		if next == nil {
			return 0
		}
		b.Close()
		b, cfg = next.b, next.cfg
		uo.firstImages, uo.trace = nil, nil
		uo.warnings = append([]string{"context " + cfg.Context + ": " + cfg.Where(cfg.Address)}, next.warnings...)
	}
}
