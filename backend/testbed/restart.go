package testbed

import (
	"context"
	"errors"
	"path/filepath"
)

// Pause stops the daemon process alone, as a crash or `systemctl stop
// containerd` would, leaving its tasks' shims running and its root intact,
// so a client sees its daemon vanish under it. Resume starts it again.
func (d *Daemon) Pause() error {
	if d.cmd == nil || d.cmd.Process == nil {
		return errors.New("testbed: the daemon is not running")
	}
	select {
	case <-d.exited:
		return errors.New("testbed: the daemon has already exited")
	default:
	}
	return d.terminate()
}

// Resume starts a daemon stopped by Pause again on the same socket, root and
// config, and waits until it answers.
func (d *Daemon) Resume(ctx context.Context) error {
	select {
	case <-d.exited:
	default:
		return errors.New("testbed: the daemon is still running; Pause it first")
	}
	d.exited = make(chan struct{})
	d.waitErr = nil
	return d.start(ctx, filepath.Join(d.Dir, "config.toml"))
}
