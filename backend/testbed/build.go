package testbed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// The module path of ctui, used to recognise the repository root.
const ctuiModule = "github.com/ctui/ctui"

// containerdModule is the module the tools module pins; its version names the
// build directory.
const containerdModule = "github.com/containerd/containerd/v2"

// toolsDir is the tools module, relative to the repository root.
const toolsDir = "backend/testbed/tools"

// containerd2Binaries are what Containerd2Dir builds, by the command package
// each comes from.
var containerd2Binaries = []string{"containerd", "containerd-shim-runc-v2", "ctr"}

// RepoRoot finds ctui's repository root: the nearest directory above the
// working directory whose go.mod declares ctui's module, else the one this
// source file was compiled from. Tests run in their package's directory and
// ctui-lab in the repository, so the first rule nearly always answers.
func RepoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if isCtuiRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("cannot find ctui's repository (a go.mod declaring %s) above %s", ctuiModule, strings.Join(starts, " or "))
}

func isCtuiRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	first, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSpace(string(first)) == "module "+ctuiModule
}

// Containerd2Version is the containerd 2.x version the tools module pins
// (e.g. "v2.4.2"), read from its go.mod under root.
func Containerd2Version(root string) (string, error) {
	p := filepath.Join(root, toolsDir, "go.mod")
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("read the tools module: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && fields[0] == containerdModule {
			return fields[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return "", fmt.Errorf("%s does not require %s", p, containerdModule)
}

// Containerd2Dir returns the directory holding containerd 2.x's daemon, runc
// shim and ctr, building them from the tools module into
// <repo>/.build/containerd-<version>/ the first time (about a minute on two
// cores). Test packages run in parallel; a file lock makes the others wait
// for the one that builds.
func Containerd2Dir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	version, err := Containerd2Version(root)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, ".build", "containerd-"+version)
	if haveBinaries(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if haveBinaries(dir) { // built by whoever held the lock
		return dir, nil
	}

	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".containerd-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	args := []string{"build", "-buildvcs=false", "-trimpath", "-tags", "no_btrfs,no_zfs,no_devmapper", "-o", tmp + "/"}
	for _, b := range containerd2Binaries {
		args = append(args, containerdModule+"/cmd/"+b)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join(root, toolsDir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build containerd %s (go %s in %s): %w\n%s", version, strings.Join(args, " "), cmd.Dir, err, out)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	if !haveBinaries(dir) {
		return "", errors.New("containerd build left no binaries in " + dir)
	}
	return dir, nil
}

func haveBinaries(dir string) bool {
	for _, b := range containerd2Binaries {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}
