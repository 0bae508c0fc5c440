package main

import (
	"debug/elf"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestComposeVersion(t *testing.T) {
	vcs := func(rev, at, modified string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/ctui/ctui", Version: "(devel)"}}
		for _, kv := range [][2]string{{"vcs", "git"}, {"vcs.revision", rev}, {"vcs.time", at}, {"vcs.modified", modified}} {
			if kv[1] != "" {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[0], Value: kv[1]})
			}
		}
		return bi
	}
	const rev = "f1a8f799cc345da25d50d7a66b49b67436a04730"
	for _, tc := range []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"make stamps a tag", "v1.2.0", vcs(rev, "2026-11-22T01:38:43Z", "false"), "v1.2.0"},
		{"make stamps a pseudo-version", "v0.0.0-20261122013843-f1a8f799cc34+dirty", nil, "v0.0.0-20261122013843-f1a8f799cc34+dirty"},
		{"go install @tag", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"go install @commit", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261122013843-f1a8f799cc34"}}, "v0.0.0-20261122013843-f1a8f799cc34"},
		{"go build in a clean checkout", "", vcs(rev, "2026-11-22T01:38:43Z", "false"), "v0.0.0-20261122013843-f1a8f799cc34"},
		{"go build with changes", "", vcs(rev, "2026-11-22T01:38:43Z", "true"), "v0.0.0-20261122013843-f1a8f799cc34+dirty"},
		{"commit time in another zone is UTC", "", vcs(rev, "2026-11-22T02:38:43+01:00", "false"), "v0.0.0-20261122013843-f1a8f799cc34"},
		{"no vcs stamp (-buildvcs=false)", "", vcs("", "", ""), "devel"},
		{"a broken vcs time", "", vcs(rev, "yesterday", "false"), "devel"},
		{"no build info", "", nil, "devel"},
	} {
		if got := composeVersion(tc.stamped, tc.bi); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// versionPattern is a tag (v1.2.3, v1.2.3-rc.1) or Go's pseudo-version,
// either possibly +dirty.
var versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+dirty)?$`)

// TestBuiltBinary checks what `make build` (which TestMain runs) ships: a
// static, stripped binary that prints the version the Makefile composes from
// git, and that version is what Go's own rules make of the same commit.
func TestBuiltBinary(t *testing.T) {
	f, err := elf.Open(ctuiBin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: it is dynamically linked", ctuiBin)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", ctuiBin, libs)
	}
	if s := f.Section(".symtab"); s != nil {
		t.Errorf("%s keeps its symbol table: not stripped (-s -w)", ctuiBin)
	}

	want := gitOut(t, "make", "-s", "-C", "../..", "version")
	if !versionPattern.MatchString(want) {
		t.Fatalf("make version says %q: neither a tag nor a pseudo-version", want)
	}
	if _, err := exec.Command("git", "describe", "--tags", "--exact-match", "--match", "v[0-9]*").Output(); err != nil {
		// No tag at HEAD (a clean clone of main): the Makefile's shell and
		// composeVersion must agree on the commit's pseudo-version.
		rev := gitOut(t, "git", "rev-parse", "HEAD")
		at, err := time.Parse(time.RFC3339, gitOut(t, "git", "log", "-1", "--format=%cI"))
		if err != nil {
			t.Fatal(err)
		}
		dirty := "false"
		if gitOut(t, "git", "status", "--porcelain") != "" {
			dirty = "true"
		}
		bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: at.Format(time.RFC3339)}, {Key: "vcs.modified", Value: dirty}}}
		if go_ := composeVersion("", bi); go_ != want {
			t.Errorf("make version says %q, Go's rules make %q of the same commit", want, go_)
		}
	}

	out, _ := runCtui(t, nil, "version", "-a", "/nonexistent/containerd.sock")
	first, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(first, "ctui:") || strings.Fields(first)[1] != want {
		t.Errorf("ctui version's first line is %q, want ctui: %s", first, want)
	}
}

func gitOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return strings.TrimSpace(string(out))
}
