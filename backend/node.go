package backend

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// NodeSample is the whole node's use read from /proc, the header of :top:
// CPU counters (for a rate between two samples), memory and load.
type NodeSample struct {
	Time time.Time
	CPUs int // online CPUs (cpuN lines of /proc/stat)
	// Busy and Total are the jiffies of all CPUs: Total counts every state,
	// Busy all but idle and iowait, as top counts them.
	Busy, Total uint64
	// MemTotal and MemAvailable are bytes, from /proc/meminfo.
	MemTotal, MemAvailable uint64
	Load1, Load5, Load15   float64
}

// MemUsed is memory in use as free(1) counts it: total less available.
func (n NodeSample) MemUsed() uint64 {
	if n.MemAvailable > n.MemTotal {
		return 0
	}
	return n.MemTotal - n.MemAvailable
}

// NodeCPU is the node's CPU busy between two samples, in percent of the
// whole node (100 is every core busy); -1 when it cannot be told.
func NodeCPU(prev, cur NodeSample) float64 {
	if cur.Total <= prev.Total || cur.Busy < prev.Busy || prev.Total == 0 {
		return -1
	}
	return float64(cur.Busy-prev.Busy) * 100 / float64(cur.Total-prev.Total)
}

// ReadNode reads /proc/stat, /proc/meminfo and /proc/loadavg under procDir
// ("/proc" on a node; tests give a directory of their own) and stamps the
// sample with now.
func ReadNode(procDir string, now time.Time) (NodeSample, error) {
	n := NodeSample{Time: now}
	stat, err := os.ReadFile(filepath.Join(procDir, "stat"))
	if err != nil {
		return n, fmt.Errorf("read the node's CPU counters: %w", err)
	}
	if err := parseProcStat(stat, &n); err != nil {
		return n, err
	}
	mem, err := os.ReadFile(filepath.Join(procDir, "meminfo"))
	if err != nil {
		return n, fmt.Errorf("read the node's memory: %w", err)
	}
	parseMeminfo(mem, &n)
	load, err := os.ReadFile(filepath.Join(procDir, "loadavg"))
	if err != nil {
		return n, fmt.Errorf("read the node's load: %w", err)
	}
	f := strings.Fields(string(load))
	if len(f) >= 3 {
		n.Load1, _ = strconv.ParseFloat(f[0], 64)
		n.Load5, _ = strconv.ParseFloat(f[1], 64)
		n.Load15, _ = strconv.ParseFloat(f[2], 64)
	}
	return n, nil
}

func parseProcStat(b []byte, n *NodeSample) error {
	sc := bufio.NewScanner(bytes.NewReader(b))
	found := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "cpu "):
			// user nice system idle iowait irq softirq steal (guest is
			// already in user).
			f := strings.Fields(line)[1:]
			for i, s := range f {
				if i >= 8 {
					break
				}
				v, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return fmt.Errorf("read the node's CPU counters: /proc/stat has %q", line)
				}
				n.Total += v
				if i != 3 && i != 4 {
					n.Busy += v
				}
			}
			found = true
		case strings.HasPrefix(line, "cpu"):
			n.CPUs++
		}
	}
	if !found {
		return fmt.Errorf("read the node's CPU counters: /proc/stat has no cpu line")
	}
	return nil
}

func parseMeminfo(b []byte, n *NodeSample) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		if len(f) > 2 && f[2] == "kB" {
			v *= 1024
		}
		switch f[0] {
		case "MemTotal:":
			n.MemTotal = v
		case "MemAvailable:":
			n.MemAvailable = v
		}
	}
}
