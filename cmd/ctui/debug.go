package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/containerd/log"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/grpclog"
	"k8s.io/klog/v2"
)

// debugLogPath is where --debug writes: the user's state directory, not /tmp,
// so a root process never follows a link planted there by someone else.
func debugLogPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "/root"
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "ctui", "debug.log")
}

// setupLogs points the logs of the libraries ctui uses (containerd's logrus
// logger, which its resolver writes mirror fallbacks to; gRPC's; klog, which
// client-go's exec streams write to) away from the terminal, which belongs to the UI: to the debug log with --debug,
// nowhere otherwise. It returns the debug log to write to (io.Discard
// without --debug) and a function that closes it.
func setupLogs(debug bool) (io.Writer, func(), error) {
	var w io.Writer = io.Discard
	closeFn := func() {}
	if debug {
		p := debugLogPath()
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, nil, fmt.Errorf("debug log: %w", err)
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("debug log: %w", err)
		}
		w, closeFn = f, func() { f.Close() }
	}
	log.L.Logger.SetOutput(w)
	if debug {
		_ = log.SetLevel("debug")
	}
	logrus.SetOutput(w)
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(w, w, w))
	klog.LogToStderr(false)
	klog.SetOutput(w)
	return w, closeFn, nil
}
