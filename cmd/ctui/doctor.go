package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/doctor"
	"github.com/ctui/ctui/backend/remote"
)

// doctorReport is `ctui doctor --output json`; its field names are
// documented in docs/doctor.md and stay stable.
type doctorReport struct {
	Endpoint string           `json:"endpoint"`
	Runtime  string           `json:"runtime_endpoint"`
	Checks   []doctor.Finding `json:"checks"`
	Summary  map[string]int   `json:"summary"`
	ExitCode int              `json:"exit_code"`
}

// runDoctor gathers the node's facts once, runs the checks (one with
// --check) and prints them; the exit code is doctor.ExitCode's. A remote
// node's files are read over its SSH connection.
func runDoctor(ctx context.Context, w io.Writer, b *backend.Backend, o *options, getenv env, color bool) int {
	checks := doctor.Checks()
	if o.check != "" {
		c, err := doctor.Find(o.check)
		if err != nil {
			fmt.Fprintf(w, "ctui: %v\n", err)
			return 3
		}
		checks = []doctor.Check{c}
	}
	facts := doctor.Gather(ctx, b, *doctorOptions(b, b.Config.HostRoot, getenv, b.Config.Timeout))
	fs := doctor.Run(facts, checks)
	code := doctor.ExitCode(fs)
	if o.output == "json" {
		r := doctorReport{Endpoint: b.Config.Address, Runtime: b.Config.RuntimeEndpoint, Checks: fs, ExitCode: code,
			Summary: map[string]int{}}
		for _, s := range []doctor.Status{doctor.OK, doctor.WARN, doctor.FAIL, doctor.SKIP} {
			r.Summary[string(s)] = doctor.Count(fs, s)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(r)
		return code
	}
	writeDoctorText(w, fs, color)
	return code
}

// writeDoctorText prints one line per check, and under a WARN or FAIL its
// evidence and fix, indented.
func writeDoctorText(w io.Writer, fs []doctor.Finding, color bool) {
	width := 0
	for _, f := range fs {
		width = max(width, len(f.Check))
	}
	paint := func(s doctor.Status) string {
		label := fmt.Sprintf("%-4s", s)
		if !color {
			return label
		}
		code := map[doctor.Status]string{doctor.OK: "32", doctor.WARN: "33", doctor.FAIL: "1;31", doctor.SKIP: "2"}[s]
		return "\x1b[" + code + "m" + label + "\x1b[0m"
	}
	for _, f := range fs {
		fmt.Fprintf(w, "%s  %-*s  %s\n", paint(f.Status), width, f.Check, f.Finding)
		if f.Status != doctor.WARN && f.Status != doctor.FAIL {
			continue
		}
		pad := strings.Repeat(" ", 6)
		for _, e := range f.Evidence {
			fmt.Fprintf(w, "%sevidence: %s\n", pad, e)
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "%sfix:\n", pad)
			for _, l := range strings.Split(f.Fix, "\n") {
				fmt.Fprintf(w, "%s  %s\n", pad, l)
			}
		}
	}
	fmt.Fprintf(w, "doctor: %s\n", doctor.Summary(fs))
}

// isTerminal says whether w is a terminal, for colour.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// doctorOptions is where the doctor looks: the files under root on this
// machine, or, for a node over ssh://, its files read through the
// connection (crictl's environment there is not this shell's, so none).
func doctorOptions(b *backend.Backend, root string, getenv env, timeout time.Duration) *doctor.Options {
	o := &doctor.Options{Root: root, Getenv: getenv, Timeout: timeout}
	if t, ok := b.Config.Transport.(*remote.Transport); ok {
		o.Node, o.Getenv = t.NodeFS(), nil
	}
	return o
}
