package testbed

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// markerFile, in a daemon's Dir, names the process that owns the daemon. A
// test binary killed by a timeout cannot run Stop; the next StartDaemon finds
// its directory by this file and cleans up after it.
const markerFile = "testbed.json"

type marker struct {
	Version    Version `json:"version"`
	OwnerPID   int     `json:"owner_pid"`
	OwnerStart string  `json:"owner_start"` // /proc/<pid>/stat starttime, against pid reuse
}

func writeMarker(dir string, v Version) error {
	start, err := procStart(os.Getpid())
	if err != nil {
		return err
	}
	b, err := json.Marshal(marker{Version: v, OwnerPID: os.Getpid(), OwnerStart: start})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, markerFile), b, 0o644)
}

// procStart is a process's start time in clock ticks since boot.
func procStart(pid int) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", err
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return "", fmt.Errorf("short /proc/%d/stat", pid)
	}
	return fields[19], nil // field 22 of stat; fields here start at 3
}

// CleanStale removes the directories of test bed daemons whose owning
// process is gone: it kills their shims and containers, unmounts, removes
// their cgroups and the directory. Directories without the test bed's
// marker, or with a live owner, are left alone. StartDaemon calls it and
// ignores its error.
func CleanStale() error {
	seen := map[string]bool{}
	var errs []error
	for _, base := range []string{os.TempDir(), "/tmp"} {
		dirs, _ := filepath.Glob(filepath.Join(base, "ctui-*", markerFile))
		for _, m := range dirs {
			dir := filepath.Dir(m)
			if seen[dir] {
				continue
			}
			seen[dir] = true
			b, err := os.ReadFile(m)
			if err != nil {
				continue
			}
			var mk marker
			if json.Unmarshal(b, &mk) != nil || mk.OwnerPID <= 0 {
				continue
			}
			if start, err := procStart(mk.OwnerPID); err == nil && start == mk.OwnerStart {
				continue // owner alive
			}
			d := &Daemon{Version: mk.Version, Dir: dir, Socket: filepath.Join(dir, "containerd.sock")}
			if err := d.killDaemon(); err != nil {
				errs = append(errs, err)
			}
			if err := d.doStop(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// killDaemon kills a containerd serving d's config whose owner is gone
// (Pdeathsig normally ended it already).
func (d *Daemon) killDaemon() error {
	procs, err := processes()
	if err != nil {
		return err
	}
	cfg := filepath.Join(d.Dir, "config.toml")
	for _, p := range procs {
		if len(p.args) >= 3 && filepath.Base(p.args[0]) == "containerd" && p.args[1] == "--config" && p.args[2] == cfg {
			if err := syscallKill(p.pid); err != nil {
				return fmt.Errorf("kill stale containerd %d: %w", p.pid, err)
			}
		}
	}
	return nil
}
